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
import java.util.List;
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

    @BeforeAll
    static void loadImage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
        cli = new FrontCli();
        Path tar = cli.dir().resolve("busybox.tar");
        Process p = new ProcessBuilder(TestPaths.repo().resolve("bin/busybox-image.sh").toString(), tar.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        FrontCli.Result r = cli.run("load", "-i", tar.toString()).assertOk();
        assertThat(r.stdout()).contains("Loaded image: " + IMAGE);
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
            own.run("load", "-i", cli.dir().resolve("busybox.tar").toString()).assertOk();
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

    @Test
    void flagsAreSeenFromInsideTheContainer() throws IOException {
        Path data = cli.dir().resolve("bind-data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("hello.txt"), "from the host");
        String script = String.join("; ",
                "if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) pids=$(cat /sys/fs/cgroup/pids/pids.max);"
                        + " else echo mem=$(cat /sys/fs/cgroup/memory.max) pids=$(cat /sys/fs/cgroup/pids.max); fi",
                "echo env=$FOO,$FROM_FILE,$HOME",
                "echo user=$(id -u):$(id -g):$(id -G)",
                "echo cwd=$(pwd)",
                "echo host=$(hostname)",
                "touch /rootfs-write 2>/dev/null && echo root=rw || echo root=ro",
                "echo bind=$(cat /data/hello.txt)",
                "touch /data/x 2>/dev/null && echo bindw=rw || echo bindw=ro",
                "touch /scratch/y && echo tmpfs=ok",
                "echo nofile=$(ulimit -n)");
        Path envFile = cli.dir().resolve("env.list");
        Files.writeString(envFile, "# a comment\nFROM_FILE=yes\n");
        FrontCli.Result r = run("--rm", "-m", "64m", "--pids-limit", "32", "-e", "FOO=bar", "--env-file", envFile.toString(),
                "-u", "www-data", "-w", "/work/dir", "--read-only", "-v", data + ":/data:ro", "--tmpfs", "/scratch",
                "--hostname", "box", "--ulimit", "nofile=123:456", IMAGE, "sh", "-c", script).assertOk();
        assertThat(r.stdout().lines().toList()).containsExactly(
                "mem=67108864 pids=32",
                "env=bar,yes,/var/www",
                "user=33:33:33 50",
                "cwd=/work/dir",
                "host=box",
                "root=ro",
                "bind=from the host",
                "bindw=ro",
                "tmpfs=ok",
                "nofile=123");
        assertThat(data.resolve("x")).doesNotExist();
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
        FrontCli.Result priv = run("--rm", "--privileged", IMAGE, "sh", "-c", "grep ^CapBnd /proc/self/status; grep ' /sys ' /proc/self/mounts").assertOk();
        assertThat(priv.stdout()).doesNotContain("CapBnd:\t00000000a80425fb").contains("sysfs rw,");
    }

    @Test
    void imagesAndImageInspect() throws IOException {
        FrontCli.Result images = cli.run("images").assertOk();
        assertThat(images.stdout()).containsPattern("localhost/busybox +latest +[0-9a-f]{12} ");
        JsonNode img = inspect(IMAGE);
        assertThat(img.path("Id").asText()).startsWith("sha256:");
        assertThat(img.path("RepoTags").get(0).asText()).isEqualTo(IMAGE);
        assertThat(img.path("Config").path("Cmd").get(0).asText()).isEqualTo("sh");
        assertThat(cli.run("images", "-q").stdout().strip()).isEqualTo(img.path("Id").asText().substring(7, 19));
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
    void pullLoginRunSaveLoadThroughALocalRegistry() throws Exception {
        io.capsa.image.TestRegistry.assumeTools();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd is not installed (apache2-utils)");
        try (var reg = io.capsa.image.TestRegistry.start(cli.dir().resolve("registry"), "alice", "s3cret")) {
            String ref = reg.host() + "/front/bb:1";
            Process p = new ProcessBuilder(io.capsa.image.TestRegistry.SKOPEO, "--insecure-policy", "copy", "-q",
                    "--dest-tls-verify=false", "--dest-creds", "alice:s3cret",
                    "docker-archive:" + cli.dir().resolve("busybox.tar"), "docker://" + ref).redirectErrorStream(true).start();
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
