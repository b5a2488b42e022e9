package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Symlink escapes (runc CVE-2021-30465, CVE-2019-19921, CVE-2023-27561, CVE-2025-31133, ...): a rootfs (an image:
 * untrusted) whose mount targets, /dev, its entries, masked or read-only paths, /proc or the files behind a sysctl
 * are symlinks pointing out of the rootfs (absolute, climbing with "..", or through a /proc magic link). Capsa must
 * never mount, create, chmod or chown anything outside the rootfs: every host target is compared (content, mode,
 * owner, times, entries) before and after, and the host's mount table must show no mount on or below it. The
 * container may then run (with everything inside its rootfs) or fail with an error naming the field; a failure
 * leaves nothing behind.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class SymlinkEscapeTest extends EscapeTestSupport {

    /** The host side of an attack: files and directories the rootfs's symlinks point at, with their facts. */
    private static final class Targets {
        final Map<Path, FileFacts> facts = new LinkedHashMap<>();
        final Path dir = TestPaths.newDir("host-target-");

        Path file(String name) {
            try {
                Path f = Files.writeString(dir.resolve(name), "host content of " + name + "\n");
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path dir(String name) {
            try {
                Path d = Files.createDirectory(dir.resolve(name));
                Files.writeString(d.resolve("inside"), "x\n");
                return d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Records the facts of every host path now (after creating them, before the attack). */
        void snapshot() {
            facts.clear();
            facts.putAll(factsNow());
        }

        void assertUntouched() {
            assertThat(factsNow()).as("host files the rootfs's symlinks point at").isEqualTo(facts);
            assertThat(hostMountsUnder(dir)).as("host mounts on the targets").isEmpty();
        }

        private Map<Path, FileFacts> factsNow() {
            Map<Path, FileFacts> now = new LinkedHashMap<>();
            try (Stream<Path> s = Files.walk(dir)) {
                s.forEach(p -> now.put(p, FileFacts.of(p)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return now;
        }
    }

    /** Replaces {@code rootfs/rel} (file, empty dir or nothing) with a symlink to {@code to}. */
    private static void link(TestBundle b, String rel, Path to) {
        try {
            Path l = b.rootfs().resolve(rel);
            Files.createDirectories(l.getParent());
            if (Files.isDirectory(l, LinkOption.NOFOLLOW_LINKS)) Files.delete(l);
            else Files.deleteIfExists(l);
            Files.createSymbolicLink(l, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A relative symlink value that climbs out of {@code rootfs/rel}'s directory to the host path {@code to}. */
    private static Path climbing(String rel, Path to) {
        int depth = Path.of(rel).getNameCount() - 1;
        return Path.of("../".repeat(depth + 12) + to.toString().substring(1));
    }

    /** {@link #link} to {@code to} as it is ("absolute") or {@link #climbing} to it ("climbing"). */
    private static void link(TestBundle b, String rel, Path to, String style) {
        link(b, rel, style.equals("absolute") ? to : climbing(rel, to));
    }

    /** The bundle without its /dev, /dev/pts, /dev/shm and /dev/mqueue mounts: /dev is the rootfs's own. */
    private static TestBundle withoutDevMounts(TestBundle b) {
        return b.removeMount("/dev").removeMount("/dev/pts").removeMount("/dev/shm").removeMount("/dev/mqueue");
    }

    /** Runs the bundle: either it works (stdout returned) or it fails naming {@code field} and leaves nothing. */
    private CapsaRun.Result runOrFailClearly(TestBundle b, String... fields) {
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        System.out.println("outcome: " + (r.ok() ? "ran: " + r.stdout().strip() : "refused: " + r.stderr().strip()));
        if (!r.ok()) {
            assertThat(r.stderr()).as(r.toString()).contains(fields);
        }
        assertNothingLeft(id, b);
        return r;
    }

    @ParameterizedTest(name = "{0} symlink")
    @ValueSource(strings = {"absolute", "climbing"})
    void devIsASymlinkToAHostDirectory(String style) throws Exception {
        Targets t = new Targets();
        Path dev = t.dir("dev");
        t.snapshot();
        TestBundle b = sh("stat -c '%n %F %t,%T' /dev/null");
        link(b, "dev", dev, style);
        runOrFailClearly(b, "mounts[1] /dev");
        t.assertUntouched();

        // where the symlink's target exists *inside* the rootfs, /dev is made there
        TestBundle b2 = sh("stat -c '%n %F %t,%T' /dev/null");
        link(b2, "dev", dev, style);
        Files.createDirectories(b2.rootfs().resolve(dev.toString().substring(1)));
        CapsaRun.Result r = runOrFailClearly(b2, "mounts[1] /dev");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("/dev/null character special file 1,3\n");
        t.assertUntouched();
    }

    @Test
    void devEntriesAreSymlinksToHostFiles() {
        Targets t = new Targets();
        Path nul = t.file("null"), zero = t.file("zero"), tty = t.dir("tty"), ptmx = t.file("ptmx");
        t.snapshot();
        // no tmpfs on /dev: the devices are made in the rootfs's own /dev, over what the image put there
        TestBundle b = withoutDevMounts(sh("stat -c '%n %F %t,%T %a' /dev/null /dev/zero /dev/tty"));
        link(b, "dev/null", nul);
        link(b, "dev/zero", climbing("dev/zero", zero));
        link(b, "dev/tty", tty);
        link(b, "dev/ptmx", ptmx);
        CapsaRun.Result r = runOrFailClearly(b, "/dev/");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("""
                /dev/null character special file 1,3 666
                /dev/zero character special file 1,5 666
                /dev/tty character special file 5,0 666
                """);
        t.assertUntouched();
    }

    @Test
    void devEntriesAreSymlinksToHostFilesInAUserNamespace() throws Exception {
        // in a user namespace the host's nodes are bind-mounted onto files made in the rootfs
        Targets t = new Targets();
        Path nul = t.file("null"), zero = t.file("zero");
        t.snapshot();
        TestBundle b = withoutDevMounts(sh("stat -c '%n %F %t,%T' /dev/null /dev/zero")).userns(100000, 65536);
        b.linux().remove("maskedPaths");
        b.linux().remove("readonlyPaths");
        NamespacesTest.openForUserns(b);
        host("chown", "100000:100000", b.rootfs().resolve("dev").toString()); // root inside may write /dev
        link(b, "dev/null", nul);
        link(b, "dev/zero", climbing("dev/zero", zero));
        runOrFailClearly(b, "default device /dev/null");
        t.assertUntouched();
    }

    @Test
    void aLinuxDeviceBehindASymlinkedDirectory() {
        Targets t = new Targets();
        Path sub = t.dir("sub");
        t.snapshot();
        TestBundle b = withoutDevMounts(sh("stat -c '%n %F %t,%T %a %u' /dev/sub/mydev"));
        b.linux().withArrayProperty("devices").addObject().put("path", "/dev/sub/mydev").put("type", "c")
                .put("major", 1).put("minor", 3).put("fileMode", 0666).put("uid", 1000).put("gid", 1000);
        link(b, "dev/sub", sub);
        runOrFailClearly(b, "linux.devices[0]", "/dev/sub/mydev");
        t.assertUntouched();
    }

    @Test
    void maskedAndReadonlyPathsAreSymlinksToHostFiles() {
        Targets t = new Targets();
        Path file = t.file("secret"), dir = t.dir("secrets"), ro = t.dir("writable");
        t.snapshot();
        TestBundle b = sh("cat /etc/masked-file; ls /etc/masked-dir; touch /etc/ro-dir/new; echo ran");
        b.maskedPaths("/proc/kcore", "/etc/masked-file", "/etc/masked-dir");
        b.readonlyPaths("/proc/sys", "/etc/ro-dir");
        link(b, "etc/masked-file", file);
        link(b, "etc/masked-dir", climbing("etc/masked-dir", dir));
        link(b, "etc/ro-dir", ro);
        CapsaRun.Result r = runOrFailClearly(b, "linux.");
        assertThat(r.stdout()).doesNotContain("host content");
        t.assertUntouched();
    }

    @Test
    void maskedAndReadonlyPathsThroughAProcMagicLinkToTheHost() {
        // no pid namespace: the container's /proc shows the host's processes, and /proc/<a host pid>/root is the
        // host's root directory
        Targets t = new Targets();
        Path file = t.file("secret"), dir = t.dir("secrets");
        t.snapshot();
        String hostRoot = "/proc/" + ProcessHandle.current().pid() + "/root";
        TestBundle b = sh("cat /etc/masked-file; echo ran").removeNamespace("pid");
        b.maskedPaths("/etc/masked-file");
        link(b, "etc/masked-file", Path.of(hostRoot + file));
        CapsaRun.Result masked = runOrFailClearly(b, "linux.maskedPaths[0] /etc/masked-file", "magic link");
        assertThat(masked.ok()).as(masked.toString()).isFalse();
        TestBundle c = sh("touch /etc/ro-dir/new; echo ran").removeNamespace("pid");
        c.readonlyPaths("/etc/ro-dir");
        link(c, "etc/ro-dir", Path.of(hostRoot + dir));
        CapsaRun.Result ro = runOrFailClearly(c, "linux.readonlyPaths[0] /etc/ro-dir", "magic link");
        assertThat(ro.ok()).as(ro.toString()).isFalse();
        t.assertUntouched();
    }

    @ParameterizedTest(name = "{0} symlink")
    @ValueSource(strings = {"absolute", "magic"})
    void devConsoleIsASymlinkToAHostFile(String style) {
        // a terminal: the pty's slave is bind-mounted on /dev/console (runc CVE-2025-52565)
        Targets t = new Targets();
        Path console = t.file("console");
        t.snapshot();
        TestBundle b = sh("stat -c '%n %F' /dev/console").terminal(true).removeMount("/dev");
        Path to = style.equals("absolute") ? console : Path.of("/proc/" + ProcessHandle.current().pid() + "/root" + console);
        if (style.equals("magic")) b.removeNamespace("pid");
        link(b, "dev/console", to);
        CapsaRun.Result r = runOrFailClearly(b, "process.terminal", "/dev/console");
        if (r.ok()) assertThat(r.stdout()).contains("/dev/console character special file");
        t.assertUntouched();
    }

    @Test
    void aMaskedFileIsNeverCoveredByWhatADevNullSymlinkPointsTo() throws Exception {
        // runc CVE-2025-31133: /dev comes from a volume another container controls, whose "null" is a symlink to
        // /proc/sys/kernel/core_pattern; masking a file by binding "/dev/null" on it (/proc/timer_list) would bind core_pattern there,
        // writable, outside the read-only /proc/sys
        Path volume = sharedDir();
        Files.createSymbolicLink(volume.resolve("null"), Path.of("/proc/sys/kernel/core_pattern"));
        TestBundle b = withoutDevMounts(sh("stat -c '%n %F %t,%T' /proc/timer_list")).bind(volume.toString(), "/dev");
        b.maskedPaths("/proc/timer_list");
        CapsaRun.Result r = runOrFailClearly(b, "linux.maskedPaths[0] /proc/timer_list", "not the null device");
        assertThat(r.ok()).as(r.toString()).isFalse();
        assertThat(Files.readSymbolicLink(volume.resolve("null"))).isEqualTo(Path.of("/proc/sys/kernel/core_pattern"));
    }

    @ParameterizedTest(name = "{0} symlink")
    @ValueSource(strings = {"absolute", "climbing"})
    void procIsASymlinkOutOfTheRootfs(String style) throws Exception {
        Targets t = new Targets();
        Path proc = t.dir("proc");
        t.snapshot();
        String hostTtl = Files.readString(Path.of("/proc/sys/net/ipv4/ip_default_ttl")).strip();
        String ttl = hostTtl.equals("42") ? "43" : "42";
        TestBundle b = sh("cat /proc/sys/net/ipv4/ip_default_ttl").sysctl("net.ipv4.ip_default_ttl", ttl);
        link(b, "proc", proc, style);
        Files.createDirectories(b.rootfs().resolve(proc.toString().substring(1)));
        CapsaRun.Result r = runOrFailClearly(b, "mounts[0] /proc");
        if (r.ok()) assertThat(r.stdout()).isEqualTo(ttl + "\n");
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_default_ttl")).strip()).isEqualTo(hostTtl);
        t.assertUntouched();
    }

    @ParameterizedTest(name = "{0} symlink")
    @ValueSource(strings = {"absolute", "climbing"})
    void theFileBehindASysctlIsASymlinkToAHostFile(String style) throws Exception {
        // no proc mounted: /proc/sys/... is the image's, and the sysctl's file a symlink to a host file
        Targets t = new Targets();
        Path ttlFile = t.file("ip_default_ttl");
        t.snapshot();
        TestBundle b = sh("echo ran").removeMount("/proc").sysctl("net.ipv4.ip_default_ttl", "42");
        b.linux().remove("maskedPaths");
        b.linux().remove("readonlyPaths");
        String rel = "proc/sys/net/ipv4/ip_default_ttl";
        link(b, rel, ttlFile, style);
        runOrFailClearly(b, "linux.sysctl");
        t.assertUntouched();
    }
}
