package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.TestBundle;
import io.capsa.testing.TestCgroups;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The container's root, mounts, /dev, masked and read-only paths and sysctls, from its own /proc/self/mountinfo. */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class FilesystemTest extends ContainerTestSupport {

    @Test
    void maskedPathsAreUnreadableAndReadonlyPathsReadOnly() {
        // runc's default masked and read-only paths
        String out = output("""
                for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f=$(cat $f | wc -c)"; done
                echo firmware=$(ls -A /sys/firmware | wc -l)
                touch /sys/firmware/x 2>/dev/null && echo firmware-writable
                echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable
                cat /proc/self/mountinfo
                """);
        assertThat(out).contains("firmware=0\n").doesNotContain("firmware-writable", "sys-writable");
        // the masked files that exist in this kernel read as empty (/dev/null is bound on them)
        for (String f : new String[] {"/proc/kcore", "/proc/keys", "/proc/timer_list"}) {
            if (Files.exists(Path.of(f))) {
                assertThat(out).contains(f + "=0\n");
                mountLine(out, f);
            }
        }
        assertThat(mountType(mountLine(out, "/sys/firmware"))).isEqualTo("tmpfs");
        assertThat(mountOptions(mountLine(out, "/sys/firmware"))).contains("ro");
        for (String p : new String[] {"/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sysrq-trigger"}) {
            if (Files.exists(Path.of(p))) assertThat(mountOptions(mountLine(out, p))).as(p).contains("ro");
        }
    }

    @Test
    void readonlyRootfs() {
        String out = output(sh("""
                touch /newfile 2>/dev/null && echo root-writable
                touch /dev/shm/ok && echo shm-writable
                cat /proc/self/mountinfo
                """).readonlyRoot(true));
        assertThat(out).doesNotContain("root-writable").contains("shm-writable");
        assertThat(mountOptions(mountLine(out, "/"))).contains("ro");
    }

    @Test
    void writableRootfsByDefaultOfTheTestBundle() {
        TestBundle b = sh("touch /newfile && echo written");
        assertThat(output(b)).isEqualTo("written\n");
        assertThat(b.rootfs().resolve("newfile")).exists();
    }

    @Test
    void mountsArePresentWithTheirOptions() throws Exception {
        Path ro = sharedDir();
        Files.writeString(ro.resolve("hello"), "from the host\n");
        Path rw = sharedDir();
        String out = output(sh("""
                cat /ro/hello
                touch /ro/x 2>/dev/null && echo ro-writable
                touch /rw/made && echo rw-ok
                cp /bin/busybox /data/bb && /data/bb true 2>/dev/null && echo data-exec
                cat /proc/self/mountinfo
                """)
                .addMount("/data", "tmpfs", "tmpfs", "size=1m", "mode=0700", "nosuid", "nodev", "noexec")
                .bind(ro.toString(), "/ro", "ro", "nosuid", "nodev", "noexec")
                .bind(rw.toString(), "/deep/er/rw")
                .addMount("/rw", "bind", rw.toString(), "bind"));
        assertThat(out).contains("from the host\n", "rw-ok\n").doesNotContain("ro-writable", "data-exec");
        assertThat(rw.resolve("made")).exists();

        String data = mountLine(out, "/data");
        assertThat(mountType(data)).isEqualTo("tmpfs");
        assertThat(mountOptions(data)).contains("rw", "nosuid", "nodev", "noexec", "size=1024k", "mode=700");
        String roLine = mountLine(out, "/ro");
        assertThat(mountOptions(roLine)).contains("ro", "nosuid", "nodev", "noexec");
        assertThat(roLine.split(" ")[3]).isEqualTo(ro.toString()); // the mount's root: the host directory
        assertThat(mountOptions(mountLine(out, "/rw"))).contains("rw").doesNotContain("ro");
        mountLine(out, "/deep/er/rw"); // missing parents created inside the rootfs
        assertThat(mountType(mountLine(out, "/proc"))).isEqualTo("proc");
        assertThat(mountOptions(mountLine(out, "/sys"))).contains("ro", "nosuid", "nodev", "noexec");
        assertThat(mountType(mountLine(out, "/sys"))).isEqualTo("sysfs");
        assertThat(mountType(mountLine(out, "/dev/mqueue"))).isEqualTo("mqueue");
    }

    @Test
    void devIsPopulatedLikeRunc() {
        TestBundle b = sh("""
                echo x > /dev/null && echo null-ok
                echo zero=$(head -c 5 /dev/zero | wc -c) urandom=$(head -c 7 /dev/urandom | wc -c)
                stat -c '%n %F %t,%T %a %u:%g' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/mydev
                echo mydev=$(head -c 3 /dev/mydev | wc -c)
                for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done
                [ -e /dev/console ] && echo has-console
                echo shm > /dev/shm/f && cat /dev/shm/f
                cat /proc/self/mountinfo
                """);
        b.linux().putArray("devices").addObject().put("path", "/dev/mydev").put("type", "c").put("major", 1)
                .put("minor", 7).put("fileMode", 0604).put("uid", 1000).put("gid", 1000);
        String out = output(b);
        assertThat(out).contains("null-ok\n", "zero=5 urandom=7\n",
                "/dev/null character special file 1,3 666 0:0\n",
                "/dev/zero character special file 1,5 666 0:0\n",
                "/dev/full character special file 1,7 666 0:0\n",
                "/dev/random character special file 1,8 666 0:0\n",
                "/dev/urandom character special file 1,9 666 0:0\n",
                "/dev/tty character special file 5,0 666 0:0\n",
                "/dev/mydev character special file 1,7 604 1000:1000\n",
                "mydev=3\n",
                "fd -> /proc/self/fd\n", "stdin -> /proc/self/fd/0\n", "stdout -> /proc/self/fd/1\n",
                "stderr -> /proc/self/fd/2\n", "ptmx -> pts/ptmx\n", "shm\n");
        assertThat(out).doesNotContain("has-console"); // only with a terminal
        String dev = mountLine(out, "/dev");
        assertThat(mountType(dev)).isEqualTo("tmpfs");
        assertThat(mountOptions(dev)).contains("nosuid", "mode=755");
        String pts = mountLine(out, "/dev/pts");
        assertThat(mountType(pts)).isEqualTo("devpts");
        assertThat(mountOptions(pts)).contains("nosuid", "noexec", "ptmxmode=666", "mode=620", "gid=5");
        String shm = mountLine(out, "/dev/shm");
        assertThat(mountType(shm)).isEqualTo("tmpfs");
        assertThat(mountOptions(shm)).contains("nosuid", "nodev", "noexec", "size=65536k");
    }

    @Test
    void ptysCanBeOpenedInTheContainersDevpts() {
        // a new devpts instance: the host's ptys are not visible, ptmx works
        String out = output("ls /dev/pts; exec 3<>/dev/ptmx && echo ptmx-ok && ls /dev/pts");
        assertThat(out).startsWith("ptmx\n").contains("ptmx-ok\n0\nptmx\n");
    }

    @Test
    void sysctlsAreAppliedInTheContainersNamespaces() throws Exception {
        String hostShmmax = Files.readString(Path.of("/proc/sys/kernel/shmmax"));
        String hostForward = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));
        String out = output(sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax")
                .sysctl("net.ipv4.ip_forward", hostForward.strip().equals("1") ? "0" : "1")
                .sysctl("kernel.shmmax", "123456789"));
        assertThat(out).isEqualTo((hostForward.strip().equals("1") ? "0" : "1") + "\n123456789\n");
        assertThat(Files.readString(Path.of("/proc/sys/kernel/shmmax"))).isEqualTo(hostShmmax);
        assertThat(Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"))).isEqualTo(hostForward);
    }

    @Test
    void mountTargetsBehindSymlinksStayInsideTheRootfs() throws Exception {
        Path outside = sharedDir();
        String rel = outside.toString().substring(1);
        TestBundle b = sh("cat /proc/self/mountinfo; ls -d /escape/inner && echo inside-ok")
                .addMount("/escape/inner", "tmpfs", "tmpfs", "size=64k")
                .addMount("/climb/inner2", "tmpfs", "tmpfs", "size=64k");
        // an absolute symlink naming a host directory, and a relative one climbing out of the rootfs: both resolve
        // inside the root, to <rootfs>/<outside>, which exists there; the mount targets are created there
        Files.createSymbolicLink(b.rootfs().resolve("escape"), outside);
        Files.createSymbolicLink(b.rootfs().resolve("climb"), Path.of("../".repeat(outside.getNameCount() + 5) + rel));
        Files.createDirectories(b.rootfs().resolve(rel));
        String out = output(b);
        assertThat(out).contains("inside-ok");
        assertThat(outside).isEmptyDirectory();
        mountLine(out, outside + "/inner");
        mountLine(out, outside + "/inner2");
        assertThat(b.rootfs().resolve(rel).resolve("inner")).isDirectory();
        assertThat(b.rootfs().resolve(rel).resolve("inner2")).isDirectory();
    }

    @Test
    void aDanglingSymlinkOnTheWayToAMountTargetIsNeverCreatedThrough() throws Exception {
        Path outside = sharedDir();
        TestBundle b = sh("true").addMount("/escape/inner", "tmpfs", "tmpfs", "size=64k");
        Files.createSymbolicLink(b.rootfs().resolve("escape"), outside); // <rootfs>/<outside> does not exist
        String id = capsa.newId();
        var r = capsa.run("run", "--bundle", b.dir().toString(), id);
        // runc creates the missing directories inside the rootfs; refusing is as safe. Never on the host.
        if (!r.ok()) {
            assertThat(r.stderr()).contains("mounts[7]", "/escape/inner");
            assertNothingLeft(id, b);
        }
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void cgroupMountShowsTheContainersOwnCgroups() {
        TestBundle b = sh("ls /sys/fs/cgroup; cat /proc/self/mountinfo");
        String out = output(b);
        List<String> listed = out.lines().takeWhile(l -> !l.contains(" - ")).toList();
        for (Path h : TestCgroups.hierarchies()) {
            String name = h.getFileName().toString();
            if (h.toString().equals("/sys/fs/cgroup")) continue; // a pure v2 host: the mount is the hierarchy
            assertThat(listed).as("hierarchies under /sys/fs/cgroup").contains(name);
            String line = mountLine(out, "/sys/fs/cgroup/" + name);
            assertThat(line.split(" ")[3]).as(line).endsWith(b.cgroupsPath());
            assertThat(mountOptions(line)).contains("ro", "nosuid", "nodev", "noexec");
        }
        assertThat(mountType(mountLine(out, "/sys/fs/cgroup"))).isEqualTo("tmpfs");
    }

    @Test
    void noPivotRunsInTheRootfsToo() {
        TestBundle b = sh("echo pid=$$; ls /; cat /proc/self/mountinfo");
        b.dir();
        String out = run(b, "--no-pivot").assertOk().stdout();
        assertThat(out).contains("pid=1\n", "bin\n", "proc\n");
        assertThat(mountType(mountLine(out, "/proc"))).isEqualTo("proc");
    }
}
