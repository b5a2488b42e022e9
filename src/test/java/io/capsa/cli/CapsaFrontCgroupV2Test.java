package io.capsa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capsa.testing.TestCgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/capsa} on a pure cgroup v2 hierarchy: run by {@code src/test/sh/cgroup-v2-tests.sh} in the cgroup2 VM
 * (CI's v2 step), skipped elsewhere ({@link CapsaFrontIntegrationTest} covers the v1 host). One container and
 * five capsa commands in all: each is a JVM start, 10-60 s in the TCG VM.
 */
@Tag("integration")
class CapsaFrontCgroupV2Test {
    static final String IMAGE = "localhost/busybox:latest";
    static FrontCli cli;

    @BeforeAll
    static void loadImage() throws IOException {
        assumeTrue(TestCgroups.isUnifiedOnly(), "needs a pure cgroup v2 host (src/test/sh/cgroup-v2-tests.sh runs it in the VM)");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
        // the store on the VM's tmpfs root, not on the checkout (shared over 9p) where overlayfs would need its upper dir
        // (each command is a JVM start: 10-100 s in the TCG VM on a loaded machine)
        cli = new FrontCli(Files.createTempDirectory(Path.of("/tmp"), "front-v2-"), Duration.ofMinutes(10));
        cli.loadBusybox(IMAGE, null);
    }

    @AfterAll
    static void cleanup() {
        if (cli != null) cli.close();
    }

    static FrontCli.Result run(String... args) {
        List<String> a = new ArrayList<>(List.of("run", "--cgroup-parent", cli.cgroupParent()));
        a.addAll(List.of(args));
        return cli.run(a.toArray(String[]::new));
    }

    /**
     * One detached container (a run is a minute in the VM on a loaded machine): its limits read back from the v2
     * files into its log, read from the store's log file, then stop and rm, leaving no cgroup.
     */
    @Test
    void limitsDevicesThenStopAndRmLeaveNoCgroup() throws IOException {
        // /dev/cpu_dma_latency (misc): a device no default rule allows, present in the VM, openable without any
        // capability (unlike /dev/kmsg with dmesg_restrict); --device gives it r only
        boolean dev = Files.exists(Path.of("/dev/cpu_dma_latency"));
        List<String> args = new ArrayList<>(List.of("-d", "--name", "t-v2", "-m", "64m", "--pids-limit", "32", "--cpus", "0.5",
                "--cpu-shares", "512"));
        if (dev) args.addAll(List.of("--device", "/dev/cpu_dma_latency:/dev/mydev:r"));
        args.addAll(List.of(IMAGE, "sh", "-c", String.join("; ",
                "for f in memory.max memory.swap.max pids.max cpu.max cpu.weight; do echo \"$f=$(cat /sys/fs/cgroup/$f 2>/dev/null || echo none)\"; done",
                "echo cgroup=$(cat /proc/self/cgroup)",
                "if [ -e /dev/mydev ]; then true < /dev/mydev && echo dev=read-ok; true 2>/dev/null > /dev/mydev || echo devw=denied; true > /dev/mydev; fi",
                "true < /dev/zero && true > /dev/null && echo defaults=ok",
                "trap 'exit 3' TERM", "echo ready", "while true; do sleep 0.1; done")));
        String id = run(args.toArray(String[]::new)).assertOk().stdout().strip();
        Path cgroup = Path.of("/sys/fs/cgroup").resolve((cli.cgroupParent() + "/" + id).substring(1));
        assertThat(cgroup).isDirectory();
        assertThat(Files.readString(cgroup.resolve("cgroup.procs"))).isNotBlank();
        Path log = cli.root().resolve("containers").resolve(id).resolve("container.log");
        long end = System.nanoTime() + 300_000_000_000L;
        while (!(Files.exists(log) && Files.readString(log).contains("ready\n")) && System.nanoTime() < end) sleep(200);
        String out = Files.readString(log);
        Map<String, String> kv = CapsaFrontIntegrationTest.keyValues(out);
        assertThat(kv).as(out).containsEntry("memory.max", "67108864").containsEntry("pids.max", "32")
                .containsEntry("cpu.max", "50000 100000")
                .containsEntry("cpu.weight", "59") // 512 shares, crun's conversion (runc's too)
                .containsEntry("cgroup", "0::/") // a cgroup namespace of its own
                .containsEntry("defaults", "ok");
        // Docker's default swap: as much again as memory; v2's file holds the swap alone
        if (!"none".equals(kv.get("memory.swap.max"))) assertThat(kv).containsEntry("memory.swap.max", "67108864");
        // the eBPF device program: --device's r and nothing more
        if (dev) assertThat(out).contains("dev=read-ok", "devw=denied", "can't create /dev/mydev: Operation not permitted");

        assertThat(cli.run("stop", "t-v2").assertOk().stdout()).isEqualTo("t-v2\n");
        // stop recorded the exit (the trap's 3) and released the cgroup (read from the record: a JVM start less)
        var record = CapsaFrontIntegrationTest.JSON.readTree(cli.root().resolve("containers").resolve(id).resolve("container.json").toFile());
        assertThat(record.path("status").asText()).as(record.toString()).isEqualTo("exited");
        assertThat(record.path("exitCode").asInt()).isEqualTo(3);
        assertThat(cgroup).as("the stopped container's cgroup is released").doesNotExist();
        cli.run("rm", "t-v2").assertOk();
        assertThat(cli.root().resolve("containers").resolve(id)).doesNotExist();
        try (var s = Files.list(cgroup.getParent())) {
            assertThat(s.filter(Files::isDirectory)).as("cgroups left under the parent").isEmpty();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
