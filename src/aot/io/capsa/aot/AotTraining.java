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
 * The AOT cache's training run (bin/train-aot.sh; not part of capsa.jar). Runs capsa-runtime command lines in
 * one JVM through {@link RuntimeMain#execute}, as an engine would, without root and without side effects:
 * --version, help, spec, features, list/state/kill/delete of unknown containers, and create/run of real bundles
 * that are loaded, validated and planned in full but then fail where the state directory would be made (their
 * --root lies below a regular file), before anything exists on the host.
 *
 * <p>Usage: {@code AotTraining WORKDIR} (an empty scratch directory). Prints one line per command to stderr.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] a) throws IOException {
        Path work = Path.of(a[0]).toAbsolutePath();
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
        // the front end (bin/capsa): a store and runtime root of its own in the scratch dir, nothing run
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
        Map<String, String> env = System.getenv();
        for (String[] c : front) runFront(c, env, work);
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
