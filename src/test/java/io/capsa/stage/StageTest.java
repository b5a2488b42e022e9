package io.capsa.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the built native stage (target/classes/io/capsa/stage/capsa-stage) directly, the way J
 * does: ProcessBuilder, a plan frame on its stdin, framed messages on its stdout, J's fds named by
 * number. Needs root and busybox-static. Every plan that mounts first clones into a new mount
 * namespace, so nothing outlives the test.
 */
@Tag("integration")
class StageTest {
    // Linux constants (x86_64 / aarch64)
    static final long NEWNS = 0x20000, NEWUTS = 0x04000000, NEWPID = 0x20000000;
    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_BIND = 4096, MS_REC = 16384;
    static final long MS_PRIVATE = 1 << 18;
    static final long CAP_KILL = 5, CAP_NET_BIND_SERVICE = 10;
    static final Path BUSYBOX = Path.of("/bin/busybox");

    static Path stage;

    @TempDir Path tmp;

    @BeforeAll
    static void locateStage() throws URISyntaxException {
        assumeTrue(isRoot(), "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static");
        URL url = StageTest.class.getResource("/io/capsa/stage/capsa-stage");
        assertThat(url).as("the build puts the stage next to the classes").isNotNull();
        stage = Path.of(url.toURI());
        assertThat(Files.isExecutable(stage)).isTrue();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void runsFromSealedMemfdAndTalksTheSyncProtocol() throws Exception {
        PlanWriter p = new PlanWriter();
        p.op(Op.NOTIFY, "n").str("hello");
        p.op(Op.SYNC, "s").str("look");
        p.op(Op.CLONE, "clone").num(0).num(Op.CLONE_DETACH);
        p.op(Op.SYNC, "child").str("child");
        String[] exe = new String[1];
        Result r = run(p, (name, msgs) -> {
            if (name.equals("look")) exe[0] = readLink(Path.of("/proc/" + current.pid() + "/exe"));
            return "OK";
        });
        assertThat(exe[0]).isEqualTo("/memfd:capsa-stage (deleted)");
        assertThat(r.messages()).hasSize(4);
        assertThat(r.messages().subList(0, 2)).containsExactly("NOTIFY hello", "SYNC look");
        assertThat(r.messages().get(2)).matches("PID \\d+"); // always before the child's messages
        assertThat(r.messages().get(3)).isEqualTo("SYNC child");
        assertThat(r.exit()).isZero();

        PlanWriter abort = new PlanWriter();
        abort.op(Op.SYNC, "s").str("x");
        abort.op(Op.NOTIFY, "never").str("never");
        Result a = run(abort, (name, msgs) -> "ABORT");
        assertThat(a.messages()).containsExactly("SYNC x");
        assertThat(a.exit()).isEqualTo(1);
    }

    @Test
    void detachedCloneParentLastsUntilTheChildExecs() throws Exception {
        PlanWriter p = new PlanWriter();
        p.op(Op.CLONE, "clone").num(0).num(Op.CLONE_DETACH);
        p.op(Op.SYNC, "created").str("created"); // answered although the parent may be done
        shell(p, "exec sleep 60");
        long t0 = System.nanoTime();
        Result r = run(p, (name, msgs) -> {
            try {
                Thread.sleep(300); // the child is parked in SYNC: the parent must still be there
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(current.isAlive()).isTrue();
            return "OK";
        });
        long child = Long.parseLong(r.messages().getFirst().substring(4));
        try {
            assertThat(r.messages()).containsExactly("PID " + child, "SYNC created");
            assertThat(r.exit()).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
            // the child has exec'd: it is the shell of the plan's exec, or already the sleep that shell execs
            // (the parent's exit only waits for the stage's own exec, not for the shell's)
            assertThat(Files.readString(Path.of("/proc/" + child + "/cmdline"))).matches("(sh\\x00-c\\x00exec sleep 60|sleep\\x0060)\\x00");
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void reportsOpFailuresWithErrnoLabelStepAndDetail() throws Exception {
        PlanWriter p = new PlanWriter();
        p.op(Op.NOTIFY, "first").str("ran");
        p.op(Op.SETNS, "linux.namespaces[2]").str("/nonexistent/ns").num(0);
        p.op(Op.NOTIFY, "never").str("never");
        Result r = run(p);
        assertThat(r.messages()).containsExactly("NOTIFY ran", "ERR 2 linux.namespaces[2]\topen\t/nonexistent/ns");
        assertThat(r.exit()).isEqualTo(1);
    }

    @Test
    void rejectsCorruptPlansBeforeRunningAnyOp() throws Exception {
        PlanWriter p = new PlanWriter();
        p.op(Op.NOTIFY, "first").str("must not run");
        p.op(Op.UNSHARE, "process").num(0);
        byte[] plan = p.toBytes();

        for (int cut = 0; cut < plan.length; cut += 7) {
            Result r = runRaw(Arrays.copyOf(plan, cut));
            assertThat(r.messages()).as("cut at %d", cut).hasSize(1);
            assertThat(r.messages().getFirst()).as("cut at %d", cut).matches("ERR 22 [^\t]+\tplan\t.+");
            assertThat(r.exit()).isEqualTo(1);
        }
        byte[] trailing = Arrays.copyOf(plan, plan.length + 1);
        assertThat(runRaw(trailing).messages()).containsExactly("ERR 22 plan\tplan\t1 bytes after the last op");

        PlanWriter wrongType = new PlanWriter();
        wrongType.op(Op.UNSHARE, "u").str("not a number");
        assertThat(run(wrongType).messages())
                .containsExactly("ERR 22 u\tplan\tUNSHARE: argument 0: an integer must have 8 bytes, not 12");

        PlanWriter tooMany = new PlanWriter();
        tooMany.op(Op.UNSHARE, "u").num(1).num(2);
        assertThat(run(tooMany).messages()).containsExactly("ERR 22 u\tplan\tUNSHARE: 2 arguments, 1 expected");

        byte[] unknown = new PlanWriter().toBytes();
        ByteBuffer b = ByteBuffer.allocate(unknown.length + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.put("CAPSAPL1".getBytes(StandardCharsets.US_ASCII)).putInt(1).putShort((short) 99).putShort((short) 0).putInt(1)
                .put((byte) 'L').put((byte) 0);
        assertThat(runRaw(Arrays.copyOf(b.array(), b.position())).messages())
                .containsExactly("ERR 22 L\tplan\tunknown opcode 99");
    }

    @Test
    void mountTargetsResolveInsideTheRoot() throws Exception {
        Path root = rootfs();
        Path host = Files.createDirectories(tmp.resolve("host-target"));
        Path inRoot = Files.createDirectories(root.resolve(host.toString().substring(1))); // where host's name leads in the root
        Files.createSymbolicLink(root.resolve("mnt/abs"), host); // absolute, names the host path
        Files.createSymbolicLink(root.resolve("mnt/rel"), Path.of("../../../../../../../.." + host));

        PlanWriter p = container(root);
        mount(p, "mounts[0]", "tmpfs", "/mnt/abs", "tmpfs", 0, Op.MNT_MKDIR);
        mount(p, "mounts[1]", "tmpfs", "/mnt/rel/sub", "tmpfs", 0, Op.MNT_MKDIR);
        mount(p, "mounts[2]", "tmpfs", "/../../new/dir", "tmpfs", 0, Op.MNT_MKDIR);
        p.op(Op.SYNC, "look").str("look");
        List<String> mountPoints = new ArrayList<>();
        Result r = run(p, (name, msgs) -> {
            mountPoints.addAll(mountPoints(msgs));
            return "OK";
        });
        assertThat(r.messages()).noneMatch(m -> m.startsWith("ERR"));
        assertThat(mountPoints).contains(inRoot.toString(), inRoot.resolve("sub").toString(), root.resolve("new/dir").toString());
        assertThat(mountPoints).noneMatch(mp -> mp.startsWith(host.toString()));
        assertThat(host).isEmptyDirectory();
    }

    @Test
    void refusesSymlinkAndMagicLinkEscapes() throws Exception {
        Path root = rootfs();
        Path host = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("mnt/evil"), host); // dangling inside the root
        Files.createSymbolicLink(root.resolve("mnt/magic"), Path.of("/proc/self/root" + host));

        PlanWriter p = container(root);
        mount(p, "mounts[3] /mnt/evil", "tmpfs", "/mnt/evil", "tmpfs", 0, Op.MNT_MKDIR);
        Result r = run(p);
        assertThat(r.messages().getLast())
                .isEqualTo("ERR 2 mounts[3] /mnt/evil\topenat2\tmnt/evil (a symlink there leads to nothing inside the rootfs)");
        assertThat(host).isEmptyDirectory();

        PlanWriter m = container(root);
        mount(m, "mounts[0] /proc", "proc", "/proc", "proc", 0, Op.MNT_MKDIR);
        mount(m, "mounts[4] /mnt/magic/x", "tmpfs", "/mnt/magic/x", "tmpfs", 0, Op.MNT_MKDIR);
        Result rm = run(m);
        assertThat(rm.messages().getLast()).startsWith("ERR 40 mounts[4] /mnt/magic/x\topenat2\t"); // ELOOP
        assertThat(host).isEmptyDirectory();
    }

    @Test
    void mknodCreatesNodesWithExactModeAndOwnerWhateverTheUmask() throws Exception {
        Path root = rootfs();
        Files.writeString(Files.createDirectories(root.resolve("dev")).resolve("null"), "a regular file to replace");
        PlanWriter p = container(root, NEWNS);
        p.op(Op.MKNOD, "linux.devices[0]").str("/dev/null").num('c').num(1).num(3).num(0666).num(0).num(0);
        p.op(Op.MKNOD, "linux.devices[1]").str("/dev/sub/dir/fifo").num('p').num(0).num(0).num(0640).num(1000).num(1001);
        p.op(Op.SYMLINK, "dev symlink").str("/dev/ptmx").str("pts/ptmx");
        assertThat(run(p).messages()).noneMatch(m -> m.startsWith("ERR"));

        Map<String, Object> dev = Files.readAttributes(root.resolve("dev/null"), "unix:mode,uid,gid,rdev",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        assertThat((int) dev.get("mode")).isEqualTo(0020666); // S_IFCHR | 0666, though the umask is 022
        assertThat((long) dev.get("rdev")).isEqualTo((1L << 8) | 3);
        Map<String, Object> fifo = Files.readAttributes(root.resolve("dev/sub/dir/fifo"), "unix:mode,uid,gid",
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        assertThat((int) fifo.get("mode")).isEqualTo(0010640);
        assertThat(fifo.get("uid")).isEqualTo(1000);
        assertThat(fifo.get("gid")).isEqualTo(1001);
        assertThat(Files.readSymbolicLink(root.resolve("dev/ptmx"))).isEqualTo(Path.of("pts/ptmx"));
    }

    @Test
    void setsUserGroupsUmaskAndCapabilities() throws Exception {
        long keep = 1L << CAP_NET_BIND_SERVICE;
        PlanWriter p = new PlanWriter();
        p.op(Op.CAPS_BOUNDING, "process.capabilities.bounding").num(keep | 1L << CAP_KILL);
        p.op(Op.NO_NEW_PRIVS, "process.noNewPrivileges");
        p.op(Op.USER, "process.user").num(1000).num(1001).num(027).nums(10, 20);
        p.op(Op.CAPS, "process.capabilities").num(keep).num(keep).num(keep).num(keep);
        shell(p, "grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs):' /proc/self/status; umask");
        Result r = run(p);
        assertThat(r.messages()).isEmpty();
        assertThat(r.out()).contains("Uid:\t1000\t1000\t1000\t1000", "Gid:\t1001\t1001\t1001\t1001", "Groups:\t10 20",
                "CapInh:\t0000000000000400", "CapPrm:\t0000000000000400", "CapEff:\t0000000000000400",
                "CapBnd:\t0000000000000420", "CapAmb:\t0000000000000400", "NoNewPrivs:\t1", "0027");
    }

    @Test
    void chdirRefusesACwdOutsideTheRoot() throws Exception {
        Path root = rootfs();
        // a host directory fd leaked into the container (CVE-2024-21626)
        try (FileChannel unused = FileChannel.open(tmp)) {
            int leaked = fdOf(tmp);
            PlanWriter p = container(root);
            mount(p, "mounts[0] /proc", "proc", "/proc", "proc", 0, Op.MNT_MKDIR);
            p.op(Op.PIVOT_ROOT, "pivot");
            p.op(Op.CHDIR, "process.cwd").str("/proc/self/fd/3");
            shell(p, "pwd");
            Result r = run(p, String.valueOf(leaked), null);
            // a magic link is refused before it is followed (ELOOP), whatever it points to
            assertThat(r.messages().getLast()).startsWith("ERR 40 process.cwd\tchdir\t/proc/self/fd/3");
            assertThat(r.exit()).isEqualTo(1);
        }
        // an ordinary symlink, absolute or climbing, is followed inside the root
        Files.createSymbolicLink(root.resolve("etc-link"), Path.of("/../../etc"));
        PlanWriter ok = container(root);
        ok.op(Op.PIVOT_ROOT, "pivot");
        ok.op(Op.CHDIR, "process.cwd").str("/etc-link");
        shell(ok, "pwd -P");
        assertThat(run(ok).out()).isEqualTo("/etc\n");
    }

    @Test
    void closeFdsLeavesOnlyStdioAndPreservedFds() throws Exception {
        Path extra = Files.createFile(tmp.resolve("preserved"));
        try (FileOutputStream keep = new FileOutputStream(extra.toFile())) {
            PlanWriter p = new PlanWriter();
            p.op(Op.OPEN_FIFO, "exec fifo").str(tmp.resolve("exec.fifo").toString()); // a stage fd
            p.op(Op.CLOSE_FDS, "preserveFds").num(4);
            p.op(Op.FIND_EXEC, "process.args[0]").str(BUSYBOX.toString()).str("");
            p.op(Op.EXEC, "process").list(List.of("ls", "-l", "/proc/self/fd/")).list(List.of());
            Result r = run(p, String.valueOf(fdOf(extra)), null);
            Matcher m = Pattern.compile("(\\d+) -> (.*)").matcher(r.out());
            List<String> fds = new ArrayList<>();
            while (m.find()) {
                if (!m.group(2).startsWith("/proc/")) fds.add(m.group(1) + " " + m.group(2)); // not ls's own dir fd
            }
            assertThat(fds).containsExactly("0 " + r.in(), "1 " + r.outPath(), "2 " + r.outPath(), "3 " + extra);
        }
    }

    @Test
    void hooksGetTheStateAndAreKilledOnTimeout() throws Exception {
        Path got = tmp.resolve("state");
        PlanWriter p = new PlanWriter();
        p.op(Op.SYNC, "created").str("created");
        p.op(Op.HOOK, "hooks.createRuntime[0]").str(BUSYBOX.toString()).num(5)
                .list(List.of("sh", "-c", "cat > " + got)).list(List.of());
        Result r = run(p, (name, msgs) -> "OK\n{\"id\":\"c1\"}");
        assertThat(r.messages()).containsExactly("SYNC created");
        assertThat(got).hasContent("{\"id\":\"c1\"}");

        Path pidFile = tmp.resolve("hook.pid");
        PlanWriter slow = new PlanWriter();
        slow.op(Op.HOOK, "hooks.prestart[1]").str(BUSYBOX.toString()).num(1)
                .list(List.of("sh", "-c", "echo $$ > " + pidFile + "; exec sleep 60")).list(List.of());
        long t0 = System.nanoTime();
        Result s = run(slow);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
        assertThat(s.messages()).containsExactly("ERR 110 hooks.prestart[1]\thook\ttimed out after 1 s");
        assertThat(Path.of("/proc/" + Files.readString(pidFile).trim())).doesNotExist();

        PlanWriter failing = new PlanWriter();
        failing.op(Op.HOOK, "hooks.poststart[0]").str(BUSYBOX.toString()).num(0)
                .list(List.of("sh", "-c", "exit 3")).list(List.of());
        assertThat(run(failing).messages()).containsExactly("ERR 0 hooks.poststart[0]\thook\texit status 3");
    }

    @Test
    void runsAContainerInNewNamespaces() throws Exception {
        Path root = rootfs();
        PlanWriter p = container(root, NEWNS | NEWPID | NEWUTS);
        mount(p, "mounts[0] /proc", "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, Op.MNT_MKDIR);
        p.op(Op.MOUNT, "mounts[1] /ro").str(tmp.toString()).str("/ro").str("").num(MS_BIND | MS_REC | MS_RDONLY).str("")
                .num(Op.MNT_MKDIR | Op.MNT_BIND_REMOUNT).nums(MS_PRIVATE).num(0).num(0);
        p.op(Op.BIND_DEV, "linux.devices /dev/null").str("/dev/null").str("/dev/null");
        p.op(Op.SETHOSTNAME, "hostname").str("capsa-box");
        p.op(Op.PIVOT_ROOT, "pivot");
        p.op(Op.READONLY, "linux.readonlyPaths[0]").str("/proc/sys");
        p.op(Op.MASK, "linux.maskedPaths[0]").str("/proc/timer_list");
        p.op(Op.MASK, "linux.maskedPaths[1]").str("/proc/does-not-exist");
        p.op(Op.FIND_EXEC, "process.args[0]").str("sh").str("/usr/bin:/bin");
        p.op(Op.EXEC, "process").list(List.of("sh", "-c",
                "echo pid=$$; hostname; wc -c < /proc/timer_list; touch /ro/x 2>&1; grep -E ' /proc/sys | /ro ' /proc/self/mountinfo"))
                .list(List.of("PATH=/bin"));
        Result r = run(p);
        assertThat(r.messages()).hasSize(1).allMatch(m -> m.startsWith("PID "));
        assertThat(r.out()).contains("pid=1\n", "capsa-box\n", "0\n", "Read-only file system");
        assertThat(r.out()).containsPattern(" /proc/sys ro,nosuid,nodev,noexec");
        assertThat(r.out()).containsPattern(" /ro ro,");
        assertThat(r.exit()).isZero();
    }

    // ------------------------------------------------------------------ plans

    /** A container skeleton: clone into new namespaces (waiting for the child), private mounts, the root. */
    static PlanWriter container(Path root) {
        return container(root, NEWNS | NEWPID);
    }

    static PlanWriter container(Path root, long flags) {
        PlanWriter p = new PlanWriter();
        p.op(Op.CLONE, "clone").num(flags).num(Op.CLONE_WAIT);
        p.op(Op.MOUNT_PROPAGATION, "rootfsPropagation").str("/").num(MS_PRIVATE | MS_REC);
        p.op(Op.ROOTFS, "root.path").str(root.toString());
        return p;
    }

    static void mount(PlanWriter p, String label, String source, String target, String type, long flags, long ext) {
        p.op(Op.MOUNT, label).str(source).str(target).str(type).num(flags).str("").num(ext).nums().num(0).num(0);
    }

    static void shell(PlanWriter p, String script) {
        p.op(Op.FIND_EXEC, "process.args[0]").str(BUSYBOX.toString()).str("");
        p.op(Op.EXEC, "process").list(List.of("sh", "-c", script)).list(List.of("PATH=/bin"));
    }

    /** A busybox root: bin/ with the applets, and empty proc, dev, tmp, mnt, etc. */
    Path rootfs() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String applet : List.of("sh", "ls", "cat", "grep", "pwd", "hostname", "touch", "wc", "echo", "sleep")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("proc", "dev", "tmp", "mnt", "etc")) Files.createDirectories(root.resolve(d));
        return root;
    }

    // ------------------------------------------------------------------ driving the stage like J

    record Result(List<String> messages, int exit, String out, Path in, Path outPath) {}

    static Process current;

    Result run(PlanWriter p) throws Exception {
        return run(p, "", null);
    }

    Result run(PlanWriter p, BiFunction<String, List<String>, String> onSync) throws Exception {
        return run(p, "", onSync);
    }

    Result runRaw(byte[] plan) throws Exception {
        return run(plan, "", null);
    }

    Result run(PlanWriter p, String extraFds, BiFunction<String, List<String>, String> onSync) throws Exception {
        return run(p.toBytes(), extraFds, onSync);
    }

    /**
     * Runs the stage with FDS = (an empty input file, an output file twice) + extraFds (a J fd number
     * for slot 3, or ""), J's own fds
     * found by number in /proc/self/fd. SYNC is answered by onSync (default OK). Returns the
     * messages, the exit status of the stage and what the container wrote.
     */
    Result run(byte[] plan, String extraFds, BiFunction<String, List<String>, String> onSync) throws Exception {
        Path in = Files.createTempFile(tmp, "in", "");
        Path out = Files.createTempFile(tmp, "out", "");
        List<String> messages = new ArrayList<>();
        // J keeps the fds it names open until the stage is done with them
        try (FileInputStream inStream = new FileInputStream(in.toFile());
                FileOutputStream outStream = new FileOutputStream(out.toFile())) {
            String fds = fdOf(in) + "," + fdOf(out) + "," + fdOf(out) + (extraFds.isEmpty() ? "" : "," + extraFds);
            Process proc = new ProcessBuilder(stage.toString(), fds).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            current = proc;
            try (OutputStream toStage = proc.getOutputStream();
                    DataInputStream fromStage = new DataInputStream(proc.getInputStream())) {
                writeFrame(toStage, plan);
                for (;;) {
                    byte[] msg = readFrame(fromStage);
                    if (msg == null) break;
                    String m = new String(msg, StandardCharsets.UTF_8);
                    messages.add(m);
                    if (m.startsWith("SYNC ")) {
                        String reply = onSync == null ? "OK" : onSync.apply(m.substring(5), messages);
                        try {
                            writeFrame(toStage, reply.getBytes(StandardCharsets.UTF_8));
                        } catch (IOException gone) {
                            // the stage went away (e.g. after ABORT)
                        }
                    }
                }
            } finally {
                if (!proc.waitFor(30, TimeUnit.SECONDS)) {
                    proc.destroyForcibly();
                    throw new AssertionError("stage did not finish; messages " + messages);
                }
            }
            return new Result(messages, proc.exitValue(), Files.readString(out), in, out);
        }
    }

    static void writeFrame(OutputStream o, byte[] b) throws IOException {
        o.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.write(b);
        o.flush();
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        int len;
        try {
            len = Integer.reverseBytes(in.readInt());
        } catch (EOFException e) {
            return null;
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** The number of one of this JVM's fds open on `path` (read from /proc/self/fd). */
    static int fdOf(Path path) throws IOException {
        String want = path.toAbsolutePath().toString();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                if (want.equals(readLink(fd))) return Integer.parseInt(fd.getFileName().toString());
            }
        }
        throw new IllegalStateException("no fd open on " + path);
    }

    static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** Mount points of the stage child named in the "PID n" message, from its own mountinfo. */
    static List<String> mountPoints(List<String> messages) {
        String pid = messages.stream().filter(m -> m.startsWith("PID ")).findFirst().orElseThrow().substring(4);
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo"))) {
                points.add(line.split(" ")[4]);
            }
            return points;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static boolean isRoot() {
        try (InputStream s = Files.newInputStream(Path.of("/proc/self/status"))) {
            for (String line : new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
