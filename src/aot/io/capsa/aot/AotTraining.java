package io.capsa.aot;

import io.capsa.cli.CapsaMain;
import io.capsa.cli.RuntimeMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The AOT caches' training runs (bin/train-aot.sh; not part of capsa.jar): one per launcher, since the JVM loads
 * every class of its cache at start-up (about 35 us per class): the runtime's commands, which engines run several
 * times per container, should not pay for the front end's classes (jackson-databind among them), nor the reverse.
 *
 * <p>{@code runtime}: capsa-runtime command lines in one JVM through {@link RuntimeMain#execute}, as an engine
 * would, without root and without side effects: --version, help, spec, features, list/state/kill/delete of
 * unknown containers, and create/run of real bundles that are loaded, validated and planned in full but then
 * fail where the state directory would be made (their --root lies below a regular file), before anything exists
 * on the host. {@code front}: bin/capsa's command lines through {@link CapsaMain#execute}, likewise dry.
 *
 * <p>With {@code --real CGROUP_PARENT BUSYBOX_IMAGE_TAR BUNDLES} (bin/train-aot.sh passes it when the build
 * runs as root, as CI does, having made the image and, in BUNDLES, the busybox bundles life and detached, whose
 * process sleeps, and once, whose process is /bin/true) each then also runs real containers: the runtime's create,
 * state, start, kill, delete, run and exec; the front end's load, run --rm, ps, images, inspect, rm and rmi. All
 * in the scratch directory (state roots, image store) and below the cgroup CGROUP_PARENT of its own, deleted
 * after (also on failure). The caches then hold what those paths load, which the dry runs never reach.
 *
 * <p>Usage: {@code AotTraining runtime|front WORKDIR [--real CGROUP_PARENT BUSYBOX_IMAGE_TAR BUNDLES]}
 * (WORKDIR: an empty scratch directory). Prints one line per command to stderr.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] a) throws IOException {
        Path work = Path.of(a[1]).toAbsolutePath();
        Map<String, String> env = System.getenv();
        boolean real = a.length == 6 && a[2].equals("--real");
        if (a[0].equals("front")) {
            front(work, env);
            if (real) realFront(work.resolve("real"), a[3], Path.of(a[4]), env);
        } else {
            runtime(work, env);
            if (real) realRuntime(work.resolve("real"), Path.of(a[5]), env);
        }
    }

    private static void runtime(Path work, Map<String, String> env) throws IOException {
        Path root = Files.createDirectories(work.resolve("state"));
        Path blocked = Files.writeString(work.resolve("not-a-dir"), "").resolve("state"); // createDir fails here
        Path specDir = Files.createDirectories(work.resolve("spec"));
        Path bundle = bundle(work.resolve("bundle"), FULL_CONFIG);
        Path bundleMin = bundle(work.resolve("bundle-min"), null);
        Path broken = bundle(work.resolve("bundle-broken"), "{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [1]}");
        String r = root.toString();
        List<String[]> cmds = new ArrayList<>();
        cmds.add(new String[] {"--version"});
        cmds.add(new String[] {"--help"});
        cmds.add(new String[] {"help", "run"});
        cmds.add(new String[] {"create", "--help"});
        cmds.add(new String[] {"features"});
        cmds.add(new String[] {"--root", r, "list"});
        cmds.add(new String[] {"--root", r, "list", "--format", "json"});
        cmds.add(new String[] {"--root", r, "list", "-q"});
        cmds.add(new String[] {"--root", r, "state", "no-such-container"});
        cmds.add(new String[] {"--root", r, "kill", "no-such-container", "KILL"});
        cmds.add(new String[] {"--root", r, "start", "no-such-container"});
        cmds.add(new String[] {"--root", r, "delete", "no-such-container"});
        cmds.add(new String[] {"--root", r, "delete", "--force", "no-such-container"});
        cmds.add(new String[] {"--root", r, "exec", "no-such-container", "true"});
        cmds.add(new String[] {"--root", r, "--no-such-flag"});
        cmds.add(new String[] {"--root", r, "create", "--bundle", broken.toString(), "aot-training-1"});
        cmds.add(new String[] {"--root", r, "create", "--bundle", work.resolve("missing").toString(), "aot-training-2"});
        for (Path b : List.of(bundle, bundleMin)) {
            cmds.add(new String[] {"--root", blocked.toString(), "create", "--bundle", b.toString(), "--pid-file",
                    work.resolve("pid").toString(), "aot-training-3"});
            cmds.add(new String[] {"--root", blocked.toString(), "run", "--bundle", b.toString(), "aot-training-4"});
            cmds.add(new String[] {"--root", blocked.toString(), "--log-format", "json", "--log",
                    work.resolve("log.json").toString(), "run", "-d", "--bundle", b.toString(), "aot-training-5"});
        }
        int i = 0;
        for (String[] c : cmds) {
            Path cwd = c[0].equals("spec") ? specDir : work;
            run(c, env, cwd);
            if (i++ == 3) {
                run(new String[] {"spec"}, env, Files.createDirectories(work.resolve("spec1")));
                run(new String[] {"spec", "--rootless"}, env, Files.createDirectories(work.resolve("spec2")));
            }
        }
    }

    private static void front(Path work, Map<String, String> env) {
        // a store and runtime root of its own in the scratch dir, nothing run
        String store = work.resolve("front-store").toString(), run = work.resolve("front-run").toString();
        List<String[]> front = new ArrayList<>();
        front.add(new String[] {"--version"});
        front.add(new String[] {"--help"});
        front.add(new String[] {"run", "--help"});
        front.add(new String[] {"--root", store, "--runroot", run, "ps", "-a"});
        front.add(new String[] {"--root", store, "--runroot", run, "images"});
        front.add(new String[] {"--root", store, "--runroot", run, "inspect", "no-such-thing"});
        front.add(new String[] {"--root", store, "--runroot", run, "rm", "-f", "no-such-container"});
        front.add(new String[] {"--root", store, "--runroot", run, "run", "--rm", "--pull", "never", "-m", "64m",
                "-e", "A=1", "localhost/no-such-image", "true"});
        for (String[] c : front) runFront(c, env, work);
    }

    /**
     * Real containers (root only): the lifecycle an engine drives, each command as its own command line.
     * Everything is deleted after, also when a command fails.
     */
    private static void realRuntime(Path work, Path bundles, Map<String, String> env) throws IOException {
        String r = Files.createDirectories(work.resolve("state")).toString();
        Path life = bundles.resolve("life"), once = bundles.resolve("once"), detached = bundles.resolve("detached");
        try {
            run(new String[] {"--root", r, "create", "--bundle", life.toString(), "--pid-file",
                    work.resolve("life.pid").toString(), "real-1"}, env, work);
            run(new String[] {"--root", r, "state", "real-1"}, env, work);
            run(new String[] {"--root", r, "list"}, env, work);
            run(new String[] {"--root", r, "start", "real-1"}, env, work);
            run(new String[] {"--root", r, "state", "real-1"}, env, work);
            run(new String[] {"--root", r, "kill", "real-1", "KILL"}, env, work);
            waitStopped(work.resolve("life.pid"));
            run(new String[] {"--root", r, "state", "real-1"}, env, work);
            run(new String[] {"--root", r, "delete", "real-1"}, env, work);
            run(new String[] {"--root", r, "run", "--bundle", once.toString(), "real-2"}, env, work);
            run(new String[] {"--root", r, "run", "-d", "--bundle", detached.toString(), "real-3"}, env, work);
            run(new String[] {"--root", r, "exec", "real-3", "/bin/true"}, env, work);
            run(new String[] {"--root", r, "kill", "real-3", "TERM"}, env, work);
            run(new String[] {"--root", r, "delete", "--force", "real-3"}, env, work);
        } finally {
            for (String id : new String[] {"real-1", "real-2", "real-3"}) {
                if (Files.exists(Path.of(r, id))) run(new String[] {"--root", r, "delete", "--force", id}, env, work);
            }
        }
    }

    /** The front end on real containers (root only): load the busybox image, run it, look at it, remove it. */
    private static void realFront(Path work, String cgroupParent, Path imageTar, Map<String, String> env) {
        String store = work.resolve("front-store").toString(), runroot = work.resolve("front-run").toString();
        String[] g = {"--root", store, "--runroot", runroot};
        try {
            runFront(concat(g, "load", "-i", imageTar.toString()), env, work);
            runFront(concat(g, "run", "--rm", "--cgroup-parent", cgroupParent + "/front", "localhost/busybox:latest",
                    "true"), env, work);
            runFront(concat(g, "run", "--cgroup-parent", cgroupParent + "/front", "--name", "real-4",
                    "localhost/busybox:latest", "true"), env, work);
            runFront(concat(g, "ps", "-a"), env, work);
            runFront(concat(g, "images"), env, work);
            runFront(concat(g, "inspect", "real-4"), env, work);
            runFront(concat(g, "rm", "real-4"), env, work);
            runFront(concat(g, "rmi", "localhost/busybox:latest"), env, work);
        } finally {
            if (Files.exists(Path.of(runroot))) runFront(concat(g, "rm", "-f", "real-4"), env, work);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Waits (up to 10 s) until the process of the pid file has exited (or is a zombie). */
    private static void waitStopped(Path pidFile) {
        try {
            String pid = Files.readString(pidFile).strip();
            for (int i = 0; i < 1000; i++) {
                Path stat = Path.of("/proc", pid, "stat");
                if (!Files.exists(stat)) return;
                String s = Files.readString(stat);
                char state = s.charAt(s.lastIndexOf(')') + 2);
                if (state == 'Z' || state == 'X') return;
                Thread.sleep(10);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("  aot training: waiting for the process of " + pidFile + ": " + e);
        }
    }

    private static void run(String[] cmd, Map<String, String> env, Path cwd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = RuntimeMain.execute(cmd, env, cwd, o, e);
        } catch (RuntimeException | Error e) {
            System.err.println("  aot training: " + String.join(" ", cmd) + ": threw " + e);
            return;
        }
        String firstErr = err.toString(StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
        System.err.printf("  aot training: exit %d: %s%s%n", rc, String.join(" ", cmd),
                firstErr.isEmpty() ? "" : "  (" + (firstErr.length() > 100 ? firstErr.substring(0, 100) + "..." : firstErr) + ")");
    }

    private static void runFront(String[] cmd, Map<String, String> env, Path cwd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = CapsaMain.execute(cmd, env, cwd, java.io.InputStream.nullInputStream(), o, e);
        } catch (RuntimeException | Error e) {
            System.err.println("  aot training: capsa " + String.join(" ", cmd) + ": threw " + e);
            return;
        }
        System.err.printf("  aot training: exit %d: capsa %s%n", rc, String.join(" ", cmd));
    }

    /** A bundle dir with an (empty) rootfs holding /bin/sh, and config.json (the spec command's default if null). */
    private static Path bundle(Path dir, String config) throws IOException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Path sh = Files.writeString(rootfs.resolve("bin/sh"), "");
        sh.toFile().setExecutable(true);
        if (config == null) { // the spec command's default, without a terminal (that needs --console-socket)
            RuntimeMain.execute(new String[] {"spec"}, System.getenv(), dir, System.out, System.err);
            Path c = dir.resolve("config.json");
            if (Files.exists(c)) Files.writeString(c, Files.readString(c).replaceFirst("\"terminal\"\\s*:\\s*true", "\"terminal\": false"));
        } else {
            Files.writeString(dir.resolve("config.json"), config);
        }
        return dir;
    }

    /** A config using most of the spec: every namespace, mounts, devices, hooks, rlimits, resources, seccomp. */
    private static final String FULL_CONFIG = """
            {
              "ociVersion": "1.2.0",
              "process": {
                "terminal": false,
                "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": [5, 10]},
                "args": ["sh", "-c", "echo hello"],
                "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "HOME=/root"],
                "cwd": "/tmp",
                "capabilities": {
                  "bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID"],
                  "effective": ["CAP_KILL"], "inheritable": [], "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]
                },
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}, {"type": "RLIMIT_NPROC", "hard": 512, "soft": 256}],
                "noNewPrivileges": true,
                "oomScoreAdj": 100
              },
              "root": {"path": "rootfs", "readonly": true},
              "hostname": "training",
              "domainname": "capsa.test",
              "mounts": [
                {"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
                {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
                {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
                {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
                {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
                {"destination": "/data", "type": "bind", "source": "/tmp", "options": ["rbind", "ro", "nosuid", "nodev", "rprivate"]},
                {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "noexec", "rro"]}
              ],
              "hooks": {
                "prestart": [{"path": "/bin/true", "args": ["true"], "env": ["A=1"], "timeout": 5}],
                "createRuntime": [{"path": "/bin/true"}],
                "createContainer": [{"path": "/bin/true"}],
                "startContainer": [{"path": "/bin/true"}],
                "poststart": [{"path": "/bin/true"}],
                "poststop": [{"path": "/bin/true"}]
              },
              "annotations": {"io.capsa.training": "true"},
              "linux": {
                "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"},
                "cgroupsPath": "/capsa-aot-training/c1",
                "resources": {
                  "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}],
                  "memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728},
                  "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0"},
                  "pids": {"limit": 64},
                  "blockIO": {"weight": 500}
                },
                "namespaces": [
                  {"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                  {"type": "user"}, {"type": "cgroup"}, {"type": "time"}
                ],
                "timeOffsets": {"monotonic": {"secs": 10, "nanosecs": 0}, "boottime": {"secs": 20, "nanosecs": 0}},
                "devices": [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0}],
                "seccomp": {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "architectures": ["SCMP_ARCH_X86_64"],
                  "syscalls": [{"names": ["kexec_load", "open_by_handle_at"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                               {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_NE"}]}]
                },
                "rootfsPropagation": "rslave",
                "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
                "readonlyPaths": ["/proc/bus", "/proc/sys", "/proc/sysrq-trigger"]
              }
            }
            """;
}
