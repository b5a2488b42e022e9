package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Every namespace, seen from inside the container and compared with the host's. */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class NamespacesTest extends ContainerTestSupport {

    @Test
    void processIsPid1OfItsOwnPidNamespaceWithHostnameAndDomainname() throws Exception {
        String out = output(sh("""
                echo pid=$$
                echo ppid=$PPID
                echo host=$(cat /proc/sys/kernel/hostname) uname=$(hostname)
                echo dom=$(cat /proc/sys/kernel/domainname)
                echo procs=$(ls /proc | grep -c '^[0-9][0-9]*$')
                for ns in pid uts ipc mnt; do readlink /proc/self/ns/$ns; done
                """).hostname("box-1").domainname("example.test"));
        assertThat(out).contains("pid=1\n", "ppid=0\n", "host=box-1 uname=box-1\n", "dom=example.test\n");
        // sh (1), and the subshell, ls and grep of that line: nothing of the host's
        assertThat(Integer.parseInt(out.replaceAll("(?s).*procs=(\\d+).*", "$1"))).isLessThanOrEqualTo(5);
        for (String ns : List.of("pid", "uts", "ipc", "mnt")) {
            assertThat(out).contains(ns + ":[").doesNotContain(hostNs(ns));
        }
    }

    @Test
    void newNetworkNamespaceHasOnlyLoopback() throws Exception {
        String out = output("cat /proc/net/dev; ip -o link; readlink /proc/self/ns/net");
        List<String> ifaces = out.lines().filter(l -> l.contains(":") && !l.contains("|") && !l.contains("net:["))
                .filter(l -> !l.matches("^\\d+: .*")).map(l -> l.substring(0, l.indexOf(':')).strip()).toList();
        assertThat(ifaces).containsExactly("lo");
        assertThat(out.lines().filter(l -> l.matches("^\\d+: .*"))).singleElement().asString().startsWith("1: lo:");
        assertThat(out).doesNotContain(hostNs("net"));
    }

    /** runc (specconv's "loopback" network) and crun bring lo up in a new network namespace: so do we. */
    @Test
    void newNetworkNamespaceHasLoopbackUp() throws Exception {
        String out = output("cat /sys/class/net/lo/flags /sys/class/net/lo/operstate; ip -o link show lo; ip -o addr show lo");
        List<String> lines = out.lines().toList();
        // IFF_UP (0x1) | IFF_LOOPBACK (0x8) (sysfs shows dev->flags: IFF_RUNNING is not among them)
        assertThat(Long.decode(lines.get(0).strip()) & 0x9).as(out).isEqualTo(0x9);
        assertThat(lines.get(1)).as(out).isIn("unknown", "up");
        assertThat(lines.get(2)).as(out).containsPattern("<[^>]*\\bUP\\b[^>]*>");
        assertThat(out).contains("inet 127.0.0.1/8");
    }

    @Test
    void sysvIpcObjectsOfTheHostAreNotVisible() throws Exception {
        // a segment of 4099 bytes (a size nothing else uses) created on the host
        String shmid = host("ipcmk", "-M", "4099", "-p", "0600").replaceAll("\\D+", "");
        atEnd(() -> host("ipcrm", "-m", shmid));
        assertThat(Files.readString(Path.of("/proc/sysvipc/shm"))).containsPattern("\\s" + shmid + "\\s+600\\s+4099\\s");
        String out = output("cat /proc/sysvipc/shm; echo end");
        assertThat(out.lines().count()).as(out).isEqualTo(2); // header + end: no segment at all
    }

    @Test
    void joinsANetworkNamespaceByPath() throws Exception {
        String name = "capsa-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        host("ip", "netns", "add", name);
        atEnd(() -> host("ip", "netns", "del", name));
        host("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        host("ip", "netns", "exec", name, "ip", "addr", "add", "127.0.0.42/8", "dev", "lo");
        Path nsFile = Path.of("/run/netns", name);
        long ino = (long) Files.getAttribute(nsFile, "unix:ino");
        String out = output(sh("readlink /proc/self/ns/net; ip -o addr show lo")
                .namespace("network", nsFile.toString()));
        assertThat(out).contains("net:[" + ino + "]", "127.0.0.42");
    }

    @Test
    void joinsAUtsNamespaceOfAnotherProcessByPath() throws Exception {
        String host = "joined-" + ThreadLocalRandom.current().nextInt(1000);
        Process sleeper = new ProcessBuilder("unshare", "--uts", "sh", "-c", "hostname " + host + " && exec sleep 60")
                .redirectErrorStream(true).start();
        atEnd(() -> {
            sleeper.destroyForcibly();
            sleeper.waitFor();
        });
        // wait until the sleeper runs in its own uts namespace with the name set
        Path uts = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "uts");
        assertThat(await(() -> {
            try {
                return !Files.readSymbolicLink(uts).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")))
                        && ProcessHandle.of(sleeper.pid()).flatMap(h -> h.info().command()).orElse("").endsWith("sleep");
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(10))).isTrue();
        TestBundle b = sh("hostname; readlink /proc/self/ns/uts").namespace("uts", uts.toString());
        b.config().remove("hostname"); // setting one needs a uts namespace of our own
        String out = output(b);
        assertThat(out).isEqualTo(host + "\n" + Files.readSymbolicLink(uts) + "\n");
    }

    @Test
    void userNamespaceMapsRootToTheConfiguredHostIds() throws Exception {
        Path shared = sharedDir();
        TestBundle b = sh("""
                cat /proc/self/uid_map /proc/self/gid_map
                echo id=$(id -u):$(id -g)
                touch /shared/made-inside
                grep -E '^Cap(Eff|Bnd)' /proc/self/status
                """).userns(100000, 65536).bind(shared.toString(), "/shared");
        openForUserns(b);
        Files.createDirectory(b.rootfs().resolve("shared")); // root inside may not write the host-owned rootfs
        String out = output(b);
        assertThat(out.lines().limit(2).map(l -> Arrays.asList(l.strip().split("\\s+"))))
                .containsExactly(List.of("0", "100000", "65536"), List.of("0", "100000", "65536"));
        assertThat(out).contains("id=0:0");
        Path made = shared.resolve("made-inside");
        assertThat(Files.getAttribute(made, "unix:uid")).isEqualTo(100000);
        assertThat(Files.getAttribute(made, "unix:gid")).isEqualTo(100000);
        assertThat(out).contains("CapEff:\t00000000200004");
    }

    @Test
    void cgroupNamespaceShowsTheContainerCgroupAsRoot() {
        String out = output(sh("cat /proc/self/cgroup").addNamespace("cgroup"));
        // every hierarchy's path is "/" inside a new cgroup namespace created after joining the cgroup
        for (String l : out.strip().split("\n")) assertThat(l).as(out).endsWith(":/");
    }

    @Test
    void timeNamespaceAppliesTheBoottimeOffset() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/ns/time")), "no time namespaces in this kernel");
        TestBundle b = sh("cut -d' ' -f1 /proc/uptime; cat /proc/self/timens_offsets").addNamespace("time");
        b.linux().putObject("timeOffsets").putObject("boottime").put("secs", 1_000_000).put("nanosecs", 0);
        String out = output(b);
        double up = Double.parseDouble(out.lines().findFirst().orElseThrow());
        double hostUp = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertThat(up).isGreaterThan(hostUp + 999_000);
        assertThat(out).containsPattern("boottime\\s+1000000\\s+0");
    }

    /** The test directories are 0700 (root's): a container whose root is another host uid must traverse them. */
    static void openForUserns(TestBundle b) throws Exception {
        for (Path p = b.dir(); p.startsWith(io.capsa.testing.TestPaths.runDir()); p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(p, perms);
        }
    }

    private static String hostNs(String ns) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/ns", ns)).toString();
    }
}
