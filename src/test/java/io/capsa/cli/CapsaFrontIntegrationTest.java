package io.capsa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.testing.TestCgroups;
import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * {@code bin/capsa} end to end, as root: a busybox image built offline by {@code bin/busybox-image.sh} and
 * loaded, then run with Docker's flags, each checked from inside the container or in the kernel's own files;
 * ps/logs/stop/kill/rm/exec/inspect round trips. One private store, runtime root and cgroup parent for the
 * class ({@link FrontCli}); the tests run concurrently, each with containers of its own names.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class CapsaFrontIntegrationTest {
    static final String IMAGE = "localhost/busybox:latest";
    static final ObjectMapper JSON = new ObjectMapper();
    static FrontCli cli;
    static Path busyboxTar;

    @BeforeAll
    static void loadImage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
        cli = new FrontCli();
        busyboxTar = cli.loadBusybox(IMAGE, null);
    }

    @AfterAll
    static void cleanup() {
        if (cli != null) cli.close();
    }

    /** run --cgroup-parent PARENT [args]: every container of these tests is under the private parent. */
    static FrontCli.Result run(String... args) {
        return cli.run(runArgs(args));
    }

    static String[] runArgs(String... args) {
        return Stream.concat(Stream.of("run", "--cgroup-parent", cli.cgroupParent()), Stream.of(args)).toArray(String[]::new);
    }

    static JsonNode inspect(String name) throws IOException {
        JsonNode a = JSON.readTree(cli.run("inspect", name).assertOk().stdout());
        assertThat(a.isArray()).isTrue();
        return a.get(0);
    }

    static boolean await(BooleanSupplier s, long millis) {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (s.getAsBoolean()) return true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return s.getAsBoolean();
    }

    static List<String> names(boolean all) {
        FrontCli.Result ps = all ? cli.run("ps", "-a").assertOk() : cli.run("ps").assertOk();
        return ps.stdout().lines().skip(1).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
    }

    @Test
    void runRmEchoesAndLeavesNothing() throws Exception {
        // a store of its own: after run --rm, nothing of the container may be left in it
        try (FrontCli own = new FrontCli()) {
            own.run("load", "-i", busyboxTar.toString()).assertOk();
            FrontCli.Result r = own.run("run", "--rm", "--name", "t-echo", "--cgroup-parent", own.cgroupParent(), IMAGE, "echo", "hi").assertOk();
            assertThat(r.stdout()).isEqualTo("hi\n");
            assertThat(r.stderr()).isEmpty();
            assertThat(own.run("ps", "-aq").assertOk().stdout()).isEmpty();
            try (Stream<Path> s = Files.list(own.root().resolve("containers"))) {
                assertThat(s.filter(p -> !p.getFileName().toString().startsWith("."))).isEmpty();
            }
            try (Stream<Path> s = Files.list(own.root().resolve("rootfs"))) {
                assertThat(s).isEmpty();
            }
            try (Stream<Path> s = Files.list(own.runRoot())) {
                assertThat(s).isEmpty();
            }
            assertThat(TestPaths.mountsUnder(own.root())).isEmpty();
            // its cgroup is gone from every hierarchy (the parent alone is left, as Docker's /docker)
            for (Path d : TestCgroups.dirs(own.cgroupParent())) {
                try (Stream<Path> s = Files.list(d)) {
                    assertThat(s.filter(Files::isDirectory)).as("cgroups left under " + d).isEmpty();
                }
            }
        }
    }

    /** "key=value" lines of a container's output, in order. */
    static Map<String, String> keyValues(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : out.lines().toList()) {
            int eq = l.indexOf('=');
            if (eq > 0) m.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return m;
    }

    @Test
    void flagsAreSeenFromInsideTheContainer() throws IOException {
        Path data = cli.dir().resolve("bind-data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("hello.txt"), "from the host");
        Path rw = cli.dir().resolve("bind-rw");
        Files.createDirectories(rw);
        io.capsa.sys.FsCalls.chmod(rw, 0777); // the container's user (www-data) writes there
        Path mountSrc = cli.dir().resolve("mount-src");
        Files.createDirectories(mountSrc);
        Files.writeString(mountSrc.resolve("m.txt"), "mounted");
        String script = String.join("; ",
                "if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes);"
                        + " echo pids=$(cat /sys/fs/cgroup/pids/pids.max); echo swap=$(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo none);"
                        + " else echo mem=$(cat /sys/fs/cgroup/memory.max); echo pids=$(cat /sys/fs/cgroup/pids.max);"
                        + " echo swap=$(cat /sys/fs/cgroup/memory.swap.max 2>/dev/null || echo none); fi",
                "echo env=$FOO,$FROM_FILE,$HOME",
                "echo user=$(id -u):$(id -g):$(id -G)",
                "echo cwd=$(pwd)",
                "echo host=$(hostname)",
                "touch /rootfs-write 2>/dev/null && echo root=rw || echo root=ro",
                "echo bind=$(cat /data/hello.txt)",
                "touch /data/x 2>/dev/null && echo bindw=rw || echo bindw=ro",
                "echo from-container > /rw/written && echo rwbind=ok",
                "echo mountbind=$(cat /m2/m.txt)",
                "touch /scratch/y && echo tmpfs=ok",
                "touch /t2/z && echo tmpfs2=ok",
                "echo nofile=$(ulimit -n):$(ulimit -Hn)",
                // mount options as the kernel shows them: field 4 of /proc/self/mounts
                "awk '$2==\"/scratch\" || $2==\"/t2\" || $2==\"/m2\" || $2==\"/data\" {print \"opts\" $2 \"=\" $4}' /proc/self/mounts");
        Path envFile = cli.dir().resolve("env.list");
        Files.writeString(envFile, "# a comment\nFROM_FILE=yes\n");
        FrontCli.Result r = run("--rm", "-m", "64m", "--memory-swap", "96m", "--pids-limit", "32", "-e", "FOO=bar",
                "--env-file", envFile.toString(), "-u", "www-data", "-w", "/work/dir", "--read-only",
                "-v", data + ":/data:ro", "-v", rw + ":/rw", "-v", "./created-by-v:/created", "--mount", "type=bind,source=" + mountSrc + ",target=/m2,readonly",
                "--tmpfs", "/scratch", "--mount", "type=tmpfs,target=/t2,tmpfs-size=1m",
                "--hostname", "box", "--ulimit", "nofile=123:456", IMAGE, "sh", "-c", script).assertOk();
        Map<String, String> kv = keyValues(r.stdout());
        assertThat(kv).as(r.toString()).containsEntry("mem", "67108864").containsEntry("pids", "32")
                .containsEntry("env", "bar,yes,/var/www").containsEntry("user", "33:33:33 50").containsEntry("cwd", "/work/dir")
                .containsEntry("host", "box").containsEntry("root", "ro").containsEntry("bind", "from the host")
                .containsEntry("bindw", "ro").containsEntry("rwbind", "ok").containsEntry("mountbind", "mounted")
                .containsEntry("tmpfs", "ok").containsEntry("tmpfs2", "ok").containsEntry("nofile", "123:456");
        // --memory-swap is memory + swap (v1's memsw); v2's memory.swap.max holds the swap alone
        if (!kv.get("swap").equals("none"))
            assertThat(kv.get("swap")).isEqualTo(TestCgroups.isUnifiedOnly() ? "33554432" : "100663296");
        assertThat(data.resolve("x")).doesNotExist();
        assertThat(rw.resolve("written")).hasContent("from-container");
        assertThat(cli.dir().resolve("created-by-v")).as("-v makes a missing host directory (relative: from the cwd)").isDirectory();
        // --tmpfs: nosuid,nodev,noexec as Docker; --mount type=tmpfs the same, with its size; bind mounts ro as asked
        assertThat(kv.get("opts/scratch").split(",")).contains("rw", "nosuid", "nodev", "noexec");
        assertThat(kv.get("opts/t2").split(",")).contains("rw", "nosuid", "nodev", "noexec", "size=1024k");
        assertThat(kv.get("opts/m2").split(",")).contains("ro");
        assertThat(kv.get("opts/data").split(",")).contains("ro");
    }

    @Test
    void cpuFlagsReachTheCgroup() {
        assumeTrue(!TestCgroups.isUnifiedOnly(), "reads the v1 cpu controller");
        FrontCli.Result r = run("--rm", "--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0", IMAGE, "sh", "-c",
                "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus").assertOk();
        assertThat(r.stdout().lines().toList()).containsExactly("50000", "100000", "512", "0");
    }

    @Test
    void networkNoneHasOnlyLoopbackUpAndHostSeesTheHost() throws IOException {
        FrontCli.Result none = run("--rm", IMAGE, "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags").assertOk();
        List<String> lines = none.stdout().lines().toList();
        assertThat(lines.getFirst()).isEqualTo("lo");
        assertThat(Long.decode(lines.get(lines.size() - 1)) & 1).as("IFF_UP").isEqualTo(1);
        assertThat(lines).hasSize(3);
        FrontCli.Result host = run("--rm", "--network", "host", IMAGE, "ls", "/sys/class/net").assertOk();
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net"))) {
            assertThat(host.stdout().lines().sorted().toList()).isEqualTo(s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertThat(cli.run("run", "--rm", "--network", "bridge", IMAGE, "true").exitCode()).isEqualTo(125);
    }

    @Test
    void detachedContainerPsLogsStopRm() throws IOException {
        String name = "t-detached";
        FrontCli.Result r = run("-d", "--name", name, IMAGE, "sh", "-c",
                "echo started; echo to-stderr >&2; trap 'echo got term; exit 3' TERM; while true; do sleep 0.1; done").assertOk();
        String id = r.stdout().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        JsonNode c = inspect(name);
        assertThat(c.path("Id").asText()).isEqualTo(id);
        assertThat(c.path("State").path("Status").asText()).isEqualTo("running");
        long pid = c.path("State").path("Pid").asLong();
        assertThat(pid).isPositive();
        String cgroupsPath = c.path("HostConfig").path("CgroupsPath").asText();
        assertThat(cgroupsPath).isEqualTo(cli.cgroupParent() + "/" + id);
        assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup"))).contains(":" + cgroupsPath + "\n");

        FrontCli.Result ps = cli.run("ps").assertOk();
        assertThat(ps.stdout().lines().findFirst().orElseThrow().split("\\s{2,}"))
                .containsExactly("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
        assertThat(ps.stdout()).containsPattern(id.substring(0, 12) + " +" + IMAGE.replace(":latest", "") + ".* Up .*" + name);
        assertThat(await(() -> cli.run("logs", name).stdout().contains("to-stderr"), 20_000)).isTrue();
        assertThat(cli.run("logs", name).stdout()).isEqualTo("started\nto-stderr\n");
        assertThat(cli.run("logs", "--tail", "1", name).stdout()).isEqualTo("to-stderr\n");

        // a running container is not removed without -f
        FrontCli.Result rm = cli.run("rm", name);
        assertThat(rm.exitCode()).isEqualTo(1);
        assertThat(rm.stderr()).contains("container is running");

        assertThat(cli.run("stop", name).assertOk().stdout()).isEqualTo(name + "\n");
        assertThat(names(false)).doesNotContain(name);
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(3\\) .*" + name);
        c = inspect(name);
        assertThat(c.path("State").path("Status").asText()).isEqualTo("exited");
        assertThat(c.path("State").path("ExitCode").asInt()).isEqualTo(3);
        assertThat(cli.run("logs", name).stdout()).isEqualTo("started\nto-stderr\ngot term\n");
        assertThat(TestCgroups.dirs(cgroupsPath)).as("the stopped container's cgroup is released").isEmpty();

        assertThat(cli.run("rm", id.substring(0, 12)).assertOk().stdout()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(names(true)).doesNotContain(name);
        assertThat(cli.root().resolve("containers").resolve(id)).doesNotExist();
        assertThat(cli.root().resolve("rootfs").resolve(id)).doesNotExist();
        assertThat(cli.runRoot().resolve(id)).doesNotExist();
        FrontCli.Result gone = cli.run("logs", name);
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.stderr()).contains("No such container: " + name);
    }

    @Test
    void stopEscalatesToKillAndKillSendsSignals() {
        // ignores TERM: stop -t 1 has to SIGKILL it
        run("-d", "--name", "t-stubborn", IMAGE, "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done").assertOk();
        // (a PID 1 without a handler ignores TERM and USR1: the kernel does that for a namespace's init)
        run("-d", "--name", "t-killed", IMAGE, "sh", "-c", "trap 'exit 9' USR1; while true; do sleep 0.1; done").assertOk();
        long t0 = System.nanoTime();
        cli.run("stop", "-t", "1", "t-stubborn").assertOk();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1000);
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(137\\) .*t-stubborn");
        cli.run("kill", "-s", "USR1", "t-killed").assertOk();
        assertThat(await(() -> cli.run("ps", "-a").stdout().matches("(?s).*Exited \\(9\\) .*t-killed.*"), 30_000)).isTrue();
        FrontCli.Result again = cli.run("kill", "t-killed");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains("is not running");
        cli.run("rm", "t-stubborn", "t-killed").assertOk();
    }

    @Test
    void exitCodesOfRun() {
        assertThat(run("--rm", IMAGE, "sh", "-c", "exit 7").exitCode()).isEqualTo(7);
        FrontCli.Result missing = run("--rm", "--name", "t-missing", IMAGE, "no-such-command");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr()).contains("no-such-command");
        assertThat(names(true)).doesNotContain("t-missing");
        FrontCli.Result noImage = cli.run("run", "--rm", "--pull", "never", "localhost/no-such-image", "true");
        assertThat(noImage.exitCode()).isEqualTo(125);
        assertThat(noImage.stderr()).contains("No such image");
        FrontCli.Result badUser = run("--rm", "-u", "nobody-here", IMAGE, "true");
        assertThat(badUser.exitCode()).isEqualTo(126);
        assertThat(badUser.stderr()).contains("unable to find user nobody-here");
        // foreground, stdin with -i
        FrontCli.Result in = cli.withStdin("echo from-stdin; exit 4\n", runArgs("--rm", "-i", IMAGE, "sh"));
        assertThat(in.exitCode()).isEqualTo(4);
        assertThat(in.stdout()).isEqualTo("from-stdin\n");
    }

    @Test
    void namesAndIdPrefixesResolveLikeDocker() throws IOException {
        run("--name", "t-named-a", IMAGE, "true").assertOk();
        run("--name", "t-named-b", IMAGE, "true").assertOk();
        String a = inspect("t-named-a").path("Id").asText();
        String b = inspect("/t-named-b").path("Id").asText();
        assertThat(a).isNotEqualTo(b);
        assertThat(inspect(a).path("Name").asText()).isEqualTo("/t-named-a");
        assertThat(inspect(a.substring(0, 12)).path("Name").asText()).isEqualTo("/t-named-a");
        // the shortest prefix of b no other container shares now (other tests add containers meanwhile: 3 more digits)
        List<String> ids = cli.run("ps", "-aq", "--no-trunc").assertOk().stdout().lines().filter(i -> !i.equals(b)).toList();
        int n = 1;
        while (true) {
            String p = b.substring(0, n);
            if (ids.stream().noneMatch(i -> i.startsWith(p))) break;
            n++;
        }
        assertThat(inspect(b.substring(0, Math.min(64, n + 3))).path("Id").asText()).isEqualTo(b);
        FrontCli.Result conflict = run("--name", "t-named-a", IMAGE, "true");
        assertThat(conflict.exitCode()).isEqualTo(125);
        assertThat(conflict.stderr()).contains("The container name \"/t-named-a\" is already in use by container \"" + a + "\"");
        FrontCli.Result none = cli.run("stop", "t-no-such-name");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stderr()).contains("No such container: t-no-such-name");
        assertThat(cli.run("ps", "-a", "-q").stdout().lines()).contains(a.substring(0, 12), b.substring(0, 12));
        cli.run("rm", "t-named-a", b).assertOk();
        assertThat(names(true)).doesNotContain("t-named-a", "t-named-b");
    }

    @Test
    void execRunsInTheContainer() {
        run("-d", "--name", "t-exec", "-e", "BASE=1", IMAGE, "sleep", "1000").assertOk();
        FrontCli.Result r = cli.run("exec", "-e", "EXTRA=2", "-u", "www-data", "-w", "/tmp", "t-exec", "sh", "-c",
                "echo $BASE$EXTRA $(id -u) $(pwd) $(cat /proc/1/cmdline | tr '\\0' ' ')").assertOk();
        assertThat(r.stdout()).isEqualTo("12 33 /tmp sleep 1000\n");
        assertThat(cli.run("exec", "t-exec", "sh", "-c", "exit 5").exitCode()).isEqualTo(5);
        assertThat(cli.withStdin("in\n", "exec", "-i", "t-exec", "cat").stdout()).isEqualTo("in\n");
        cli.run("rm", "-f", "t-exec").assertOk();
        FrontCli.Result gone = cli.run("exec", "t-exec", "true");
        assertThat(gone.exitCode()).isEqualTo(1);
    }

    @Test
    void detachedRmContainerIsRemovedByItsMonitor() {
        String id = run("-d", "--rm", "--name", "t-autorm", IMAGE, "sh", "-c", "sleep 0.5").assertOk().stdout().strip();
        assertThat(await(() -> !Files.exists(cli.root().resolve("containers").resolve(id)), 60_000))
                .as("removed after it exited").isTrue();
        assertThat(names(true)).doesNotContain("t-autorm");
        assertThat(cli.root().resolve("rootfs").resolve(id)).doesNotExist();
        assertThat(cli.runRoot().resolve(id)).doesNotExist();
    }

    @Test
    void volumesNamedAnonymousAndFromTheImage() {
        run("--rm", "-v", "t-vol:/v", IMAGE, "sh", "-c", "echo kept > /v/file").assertOk();
        assertThat(run("--rm", "--mount", "type=volume,source=t-vol,target=/w", IMAGE, "cat", "/w/file").assertOk().stdout())
                .isEqualTo("kept\n");
        Path named = cli.root().resolve("volumes/t-vol/_data/file");
        assertThat(named).exists();
        // an anonymous volume goes with an --rm container; it starts with the image's content (copy-up)
        FrontCli.Result r = run("-d", "--name", "t-anon", "-v", "/etc", IMAGE, "sleep", "1000").assertOk();
        String id = r.stdout().strip();
        FrontCli.Result etc = cli.run("exec", "t-anon", "cat", "/etc/group").assertOk();
        assertThat(etc.stdout()).contains("staff:x:50:www-data");
        String source = null;
        try {
            for (JsonNode m : inspect(id).path("Mounts")) if (m.path("Destination").asText().equals("/etc")) source = m.path("Source").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(source).isNotNull();
        assertThat(Path.of(source).resolve("passwd")).exists();
        cli.run("rm", "-f", "-v", "t-anon").assertOk();
        assertThat(Path.of(source)).doesNotExist();
    }

    @Test
    void initRunsAsPid1() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tini-static")), "needs Debian's tini (tini-static)");
        FrontCli.Result r = run("--rm", "--init", IMAGE, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$").assertOk();
        assertThat(r.stdout().lines().toList()).containsExactly("/sbin/capsa-init -- sh -c cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$ ", "2");
    }

    @Test
    void capabilitiesAndPrivileges() {
        FrontCli.Result def = run("--rm", IMAGE, "sh", "-c", "grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status").assertOk();
        // Docker's 14 default capabilities: chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service
        // net_raw sys_chroot mknod audit_write setfcap
        assertThat(def.stdout()).contains("CapBnd:\t00000000a80425fb").contains("NoNewPrivs:\t0");
        FrontCli.Result drop = run("--rm", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges",
                IMAGE, "sh", "-c", "grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status").assertOk();
        assertThat(drop.stdout()).contains("CapBnd:\t0000000000001000").contains("NoNewPrivs:\t1");
        FrontCli.Result priv = run("--rm", "--privileged", IMAGE, "sh", "-c", "grep ^CapBnd /proc/self/status; grep ' /sys ' /proc/self/mounts;"
                + " cat /sys/fs/cgroup/devices/devices.list 2>/dev/null; ls /dev/kmsg; true < /dev/kmsg && echo kmsg-open").assertOk();
        assertThat(priv.stdout()).doesNotContain("CapBnd:\t00000000a80425fb").contains("sysfs rw,");
        // every host device, and the device cgroup allows them all
        if (Files.exists(Path.of("/dev/kmsg"))) assertThat(priv.stdout()).contains("/dev/kmsg\n", "kmsg-open");
        if (!TestCgroups.isUnifiedOnly()) assertThat(priv.stdout()).contains("a *:* rwm");
    }

    @Test
    void imagesAndImageInspect() throws IOException {
        FrontCli.Result images = cli.run("images").assertOk();
        assertThat(images.stdout()).containsPattern("localhost/busybox +latest +[0-9a-f]{12} ");
        JsonNode img = inspect(IMAGE);
        assertThat(img.path("Id").asText()).startsWith("sha256:");
        assertThat(img.path("RepoTags").get(0).asText()).isEqualTo(IMAGE);
        assertThat(img.path("Config").path("Cmd").get(0).asText()).isEqualTo("sh");
        // (other tests load images of their own meanwhile)
        assertThat(cli.run("images", "-q").stdout().lines()).contains(img.path("Id").asText().substring(7, 19));
        FrontCli.Result rmi = cli.run("rmi", "localhost/no-such:image");
        assertThat(rmi.exitCode()).isEqualTo(1);
    }

    @Test
    void defaultSeccompProfileAsDocker() {
        FrontCli.Result def = run("--rm", IMAGE, "sh", "-c", "grep ^Seccomp: /proc/self/status; unshare -n true || echo refused").assertOk();
        assertThat(def.stdout()).contains("Seccomp:\t2").contains("refused");
        FrontCli.Result admin = run("--rm", "--cap-add", "SYS_ADMIN", IMAGE, "sh", "-c", "unshare -n true && echo allowed").assertOk();
        assertThat(admin.stdout()).contains("allowed");
        FrontCli.Result off = run("--rm", "--security-opt", "seccomp=unconfined", IMAGE, "grep", "^Seccomp:", "/proc/self/status").assertOk();
        assertThat(off.stdout()).contains("Seccomp:\t0");
    }

    @Test
    void seccompProfileFromAFile() throws IOException {
        // Docker's profile format: everything allowed but mkdir and mkdirat, which fail with EPERM
        Path profile = cli.dir().resolve("no-mkdir.json");
        Files.writeString(profile, """
                {"defaultAction": "SCMP_ACT_ALLOW",
                 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "includes": {}}]}
                """);
        FrontCli.Result r = run("--rm", "--security-opt", "seccomp=" + profile, IMAGE, "sh", "-c",
                "grep ^Seccomp: /proc/self/status; mkdir /tmp/d 2>&1 || echo mkdir-denied; touch /tmp/f && echo touch-ok").assertOk();
        assertThat(r.stdout()).contains("Seccomp:\t2", "Operation not permitted", "mkdir-denied", "touch-ok");
        FrontCli.Result bad = run("--rm", "--security-opt", "seccomp=" + cli.dir().resolve("missing.json"), IMAGE, "true");
        assertThat(bad.exitCode()).isEqualTo(125);
        assertThat(bad.stderr()).contains("missing.json");
    }

    @Test
    void detachedInteractiveTtyStaysUpAndLogsThePty() {
        // -dit: stdin open with nobody writing, the pty relayed into the log: a shell waits for exec
        run("-dit", "--name", "t-dit", IMAGE, "sh").assertOk();
        assertThat(await(() -> cli.run("logs", "t-dit").stdout().contains("/ # "), 30_000)).as("the shell's prompt in the log").isTrue();
        FrontCli.Result r = cli.run("exec", "t-dit", "sh", "-c", "readlink /proc/1/fd/0; readlink /proc/1/fd/1").assertOk();
        assertThat(r.stdout()).isEqualTo("/dev/pts/0\n/dev/pts/0\n");
        assertThat(cli.run("ps").stdout()).containsPattern("Up .*t-dit");
        cli.run("rm", "-f", "t-dit").assertOk();
    }

    @Test
    void logsFollowUntilTheContainerExits() {
        run("-d", "--name", "t-follow", IMAGE, "sh", "-c", "echo a; sleep 2; echo b").assertOk();
        FrontCli.Result f = cli.run("logs", "-f", "t-follow").assertOk();
        assertThat(f.stdout()).isEqualTo("a\nb\n");
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(0\\) .*t-follow");
        cli.run("rm", "t-follow").assertOk();
    }

    @Test
    void attachedStdinPipeAndTty() {
        // echo hi | capsa run -i IMAGE cat: the pipe is the container's stdin, its end ends cat
        FrontCli.Result cat = cli.piped("hi\n", runArgs("--rm", "-i", IMAGE, "cat"));
        assertThat(cat.assertOk().stdout()).isEqualTo("hi\n");
        // without -i the container's stdin is /dev/null, whatever capsa's is
        FrontCli.Result noI = cli.piped("not read\n", runArgs("--rm", IMAGE, "sh", "-c", "cat; readlink /proc/self/fd/0"));
        assertThat(noI.assertOk().stdout()).isEqualTo("/dev/null\n");
        // -t attached: a pty of the container's own as stdio (relayed to capsa's stdout, the tty's \r\n), TERM=xterm
        FrontCli.Result tty = run("--rm", "-t", IMAGE, "sh", "-c", "tty; echo TERM=$TERM; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 3");
        assertThat(tty.exitCode()).as(tty.toString()).isEqualTo(3);
        assertThat(tty.stdout()).isEqualTo("/dev/pts/0\r\nTERM=xterm\r\nboth-tty\r\n");
    }

    @Test
    void detachedTtyLogsExecAndStop() throws IOException {
        // -d -t (no -i): the pty's output goes into the log; exec works; stop's TERM reaches the trap
        run("-dt", "--name", "t-dt", IMAGE, "sh", "-c",
                "echo tty-out; tty; trap 'echo got-term; exit 5' TERM; while true; do sleep 0.1; done").assertOk();
        assertThat(await(() -> cli.run("logs", "t-dt").stdout().contains("/dev/pts/0"), 30_000)).as("the pty's output in the log").isTrue();
        assertThat(cli.run("logs", "t-dt").stdout()).isEqualTo("tty-out\r\n/dev/pts/0\r\n");
        assertThat(inspect("t-dt").path("Config").path("Tty").asBoolean()).isTrue();
        FrontCli.Result e = cli.run("exec", "t-dt", "sh", "-c", "readlink /proc/1/fd/1; echo $TERM").assertOk();
        assertThat(e.stdout()).isEqualTo("/dev/pts/0\nxterm\n");
        cli.run("stop", "t-dt").assertOk();
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(5\\) .*t-dt");
        assertThat(cli.run("logs", "t-dt").stdout()).endsWith("got-term\r\n");
        cli.run("rm", "t-dt").assertOk();
    }

    static final String CONFIGURED = "localhost/configured:1";

    /** An image whose config has Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts and StopSignal (loaded once). */
    static synchronized void loadConfiguredImage() {
        if (cli.run("inspect", "--type", "image", CONFIGURED).exitCode() == 0) return;
        var cfg = JSON.createObjectNode();
        cfg.putArray("Entrypoint").add("/bin/sh").add("-c").add(String.join("; ",
                "echo \"args=$*\"", "echo \"user=$(id -u):$(id -g) cwd=$(pwd) var=$IMG_VAR\"",
                "[ \"$1\" = wait ] || exit 0", "trap 'echo got-usr1; exit 7' USR1", "while true; do sleep 0.1; done")).add("ep");
        cfg.putArray("Cmd").add("from-cmd").add("x");
        cfg.putArray("Env").add("PATH=/usr/sbin:/usr/bin:/sbin:/bin").add("IMG_VAR=from-image");
        cfg.put("WorkingDir", "/srv/app");
        cfg.put("User", "www-data");
        cfg.putObject("ExposedPorts").putObject("8080/tcp");
        cfg.put("StopSignal", "SIGUSR1");
        cli.loadBusybox(CONFIGURED, cfg.toString());
    }

    @Test
    void imageConfigEntrypointCmdEnvWorkdirUser() {
        loadConfiguredImage();
        // Entrypoint + Cmd; Env; WorkingDir (made, the image lacks it); User from the image's /etc/passwd
        assertThat(run("--rm", CONFIGURED).assertOk().stdout())
                .isEqualTo("args=from-cmd x\nuser=33:33 cwd=/srv/app var=from-image\n");
        // arguments replace Cmd and keep the Entrypoint; -e, -u uid:gid, -w win over the image's
        assertThat(run("--rm", "-e", "IMG_VAR=flag", "-u", "1000:50", "-w", "/tmp", CONFIGURED, "one").assertOk().stdout())
                .isEqualTo("args=one\nuser=1000:50 cwd=/tmp var=flag\n");
        // --entrypoint replaces the Entrypoint and drops the image's Cmd
        assertThat(run("--rm", "--entrypoint", "echo", CONFIGURED, "a", "b").assertOk().stdout()).isEqualTo("a b\n");
        assertThat(run("--rm", "--entrypoint", "echo", CONFIGURED).assertOk().stdout()).isEqualTo("\n");
    }

    @Test
    void imageExposedPortsAndStopSignal() throws IOException {
        loadConfiguredImage();
        run("-d", "--name", "t-configured", CONFIGURED, "wait").assertOk();
        JsonNode c = inspect("t-configured").path("Config");
        assertThat(c.path("ExposedPorts").has("8080/tcp")).as(c.toString()).isTrue();
        assertThat(c.path("StopSignal").asText()).isEqualTo("SIGUSR1");
        assertThat(c.path("WorkingDir").asText()).isEqualTo("/srv/app");
        // Docker's Config: Entrypoint and Cmd apart (the arguments replaced the image's Cmd), the user as named
        assertThat(c.path("Entrypoint").get(0).asText()).isEqualTo("/bin/sh");
        assertThat(c.path("Cmd").toString()).isEqualTo("[\"wait\"]");
        assertThat(c.path("User").asText()).isEqualTo("www-data");
        assertThat(cli.run("ps").stdout()).containsPattern("8080/tcp +t-configured");
        // stop sends the image's StopSignal (SIGUSR1): the trap exits 7 (a TERM would leave it to the SIGKILL, 137)
        assertThat(await(() -> cli.run("logs", "t-configured").stdout().contains("args=wait"), 30_000)).isTrue();
        cli.run("stop", "-t", "30", "t-configured").assertOk();
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(7\\) .*t-configured");
        assertThat(cli.run("logs", "t-configured").stdout()).endsWith("got-usr1\n");
        // --stop-signal overrides it
        run("-d", "--name", "t-stopsig", "--stop-signal", "TERM", IMAGE, "sh", "-c",
                "trap 'exit 4' TERM; trap 'exit 8' USR1; while true; do sleep 0.1; done").assertOk();
        cli.run("stop", "-t", "30", "t-stopsig").assertOk();
        assertThat(cli.run("ps", "-a").stdout()).containsPattern("Exited \\(4\\) .*t-stopsig");
        cli.run("rm", "t-configured", "t-stopsig").assertOk();
    }

    @Test
    void devicesWithTheirCgroupPermissions() {
        // a device none of the default rules allows (/dev/fuse, 10:229): --device's permissions are all it gets
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse on the host");
        String script = "stat -c '%n %F %t:%T' /dev/myfuse /dev/fuse-rw; true < /dev/myfuse && echo read-ok;"
                + " echo x 2>/dev/null > /dev/myfuse || echo write-denied; { echo x > /dev/myfuse; } 2>&1;"
                + " true > /dev/fuse-rw && echo rw-write-ok;"
                + " mknod /tmp/fuse2 c 10 229 && echo mknod-ok; true < /tmp/fuse2 && echo mknod-read-ok; [ -e /dev/fuse ] || echo no-fuse";
        FrontCli.Result r = run("--rm", "--device", "/dev/fuse:/dev/myfuse:r", "--device", "/dev/fuse:/dev/fuse-rw", IMAGE, "sh", "-c", script);
        assertThat(r.stdout()).as(r.toString()).contains("/dev/myfuse character special file a:e5", "/dev/fuse-rw character special file a:e5",
                "read-ok\n", "write-denied\n", "Operation not permitted", "rw-write-ok\n", "mknod-ok\n", "mknod-read-ok\n", "no-fuse\n");
        // without --device the node is not there, and one made with mknod cannot be opened
        FrontCli.Result none = run("--rm", IMAGE, "sh", "-c", "mknod /tmp/f c 10 229 && echo mknod-ok; true < /tmp/f 2>/dev/null || echo open-denied");
        assertThat(none.stdout()).isEqualTo("mknod-ok\nopen-denied\n");
        // Docker + runc: the device cgroup's default rules still allow /dev/null (1:3) at any path, read-only or not
        FrontCli.Result nul = run("--rm", "--device", "/dev/null:/dev/mynull:r", IMAGE, "sh", "-c", "echo x > /dev/mynull && echo mynull-write-ok");
        assertThat(nul.stdout()).isEqualTo("mynull-write-ok\n");
        FrontCli.Result bad = run("--rm", "--device", "/dev/fuse:/dev/myfuse:rwx", IMAGE, "true");
        assertThat(bad.exitCode()).isEqualTo(125);
        assertThat(bad.stderr()).contains("invalid device mode: rwx");
    }

    @Test
    void pullLoginRunSaveLoadThroughALocalRegistry() throws Exception {
        io.capsa.image.TestRegistry.assumeTools();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd is not installed (apache2-utils)");
        try (var reg = io.capsa.image.TestRegistry.start(cli.dir().resolve("registry"), "alice", "s3cret")) {
            String ref = reg.host() + "/front/bb:1";
            Process p = new ProcessBuilder(io.capsa.image.TestRegistry.SKOPEO, "--insecure-policy", "copy", "-q",
                    "--dest-tls-verify=false", "--dest-creds", "alice:s3cret",
                    "docker-archive:" + busyboxTar, "docker://" + ref).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();

            FrontCli.Result anon = cli.run("pull", "-q", ref);
            assertThat(anon.exitCode()).as(anon.toString()).isEqualTo(1);
            assertThat(anon.stderr().toLowerCase()).containsAnyOf("unauthorized", "authentication", "credentials");
            FrontCli.Result bad = cli.withStdin("wrong\n", "login", "-u", "alice", "--password-stdin", reg.host());
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(cli.withStdin("s3cret\n", "login", "-u", "alice", "--password-stdin", reg.host()).assertOk().stdout())
                    .contains("Login Succeeded");
            assertThat(cli.run("pull", "-q", ref).assertOk().stdout()).isEqualTo(ref + "\n");
            assertThat(cli.run("images").stdout()).containsPattern(java.util.regex.Pattern.quote(reg.host() + "/front/bb") + " +1 ");
            assertThat(run("--rm", ref, "echo", "pulled").assertOk().stdout()).isEqualTo("pulled\n");

            // save, remove, load back: the same image id
            String id = inspect(ref).path("Id").asText();
            Path saved = cli.dir().resolve("saved.tar");
            cli.run("save", "-o", saved.toString(), ref).assertOk();
            assertThat(cli.run("rmi", ref).assertOk().stdout()).contains("Untagged: ");
            assertThat(cli.run("load", "-i", saved.toString()).assertOk().stdout()).contains("Loaded image: " + ref);
            assertThat(inspect(ref).path("Id").asText()).isEqualTo(id);

            assertThat(cli.run("logout", reg.host()).assertOk().stdout()).contains("Removing login credentials for " + reg.host());
            assertThat(cli.run("pull", "-q", ref).exitCode()).isEqualTo(1);
            cli.run("rmi", ref).assertOk();
        }
    }
}
