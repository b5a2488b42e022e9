package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** process.*: capabilities, no_new_privs, rlimits, oom score, env, cwd, user, umask, as the container sees them. */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class ProcessTest extends ContainerTestSupport {
    private static final String CAPS = "grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status";

    @Test
    void runcDefaultCapabilitiesAndNoNewPrivs() {
        // runc's default: AUDIT_WRITE (29), KILL (5), NET_BIND_SERVICE (10) in bounding/effective/permitted; ambient
        // listed but not inheritable, so not raised (as runc); inheritable empty
        String out = output(CAPS);
        assertThat(out).contains("CapInh:\t0000000000000000", "CapPrm:\t0000000020000420", "CapEff:\t0000000020000420",
                "CapBnd:\t0000000020000420", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1");
    }

    @Test
    void allFiveCapabilitySetsAsConfiguredForANonRootUser() {
        // CHOWN (0) and NET_RAW (13) = 0x2001 in every set: a non-root process keeps them through exec only as ambient
        String out = output(sh(CAPS).capabilities("CAP_CHOWN", "CAP_NET_RAW").user(1000, 1000).noNewPrivileges(false));
        assertThat(out).contains("CapInh:\t0000000000002001", "CapPrm:\t0000000000002001", "CapEff:\t0000000000002001",
                "CapBnd:\t0000000000002001", "CapAmb:\t0000000000002001", "NoNewPrivs:\t0");
    }

    @Test
    void nonRootUserWithoutAmbientCapabilitiesHasNone() {
        TestBundle b = sh(CAPS).user(1000, 1000);
        b.config().with("process").with("capabilities").putArray("ambient");
        String out = output(b);
        assertThat(out).contains("CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
                "CapBnd:\t0000000020000420", "CapAmb:\t0000000000000000");
    }

    @Test
    void rlimitsAreSet() {
        String out = output(sh("echo n=$(ulimit -n) hn=$(ulimit -Hn); cat /proc/self/limits")
                .rlimit("RLIMIT_NOFILE", 321, 654).rlimit("RLIMIT_CORE", 4096, 8192).rlimit("RLIMIT_NPROC", 777, 888));
        assertThat(out).contains("n=321 hn=654");
        assertThat(out).containsPattern("Max open files\\s+321\\s+654\\s+files")
                .containsPattern("Max core file size\\s+4096\\s+8192\\s+bytes")
                .containsPattern("Max processes\\s+777\\s+888\\s+processes");
    }

    @Test
    void raisingAHardRlimitNeedsCapSysResource() throws Exception {
        long hostHard = hardNofile();
        TestBundle b = sh("ulimit -Hn").rlimit("RLIMIT_NOFILE", 1024, hostHard + 1);
        if (hasCapSysResource()) {
            assertThat(output(b)).isEqualTo((hostHard + 1) + "\n");
            return;
        }
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("process.rlimits[0]", "RLIMIT_NOFILE");
        assertNothingLeft(id, b);
    }

    @Test
    void oomScoreAdjCanBeRaised() {
        TestBundle b = sh("cat /proc/self/oom_score_adj");
        b.config().with("process").put("oomScoreAdj", 321);
        assertThat(output(b)).isEqualTo("321\n");
    }

    @Test
    void loweringOomScoreAdjNeedsCapSysResource() throws Exception {
        TestBundle b = sh("cat /proc/self/oom_score_adj");
        int ours = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        int lower = Math.max(-1000, ours - 100);
        b.config().with("process").put("oomScoreAdj", lower);
        if (hasCapSysResource()) {
            assertThat(output(b)).isEqualTo(lower + "\n");
            return;
        }
        // root here lacks CAP_SYS_RESOURCE: the write is refused, with the field named
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("process.oomScoreAdj");
        assertNothingLeft(id, b);
    }

    @Test
    void environmentIsPassedExactly() {
        TestBundle b = bundle().args("env");
        b.config().with("process").putArray("env").add("PATH=/bin:/usr/bin").add("FOO=bar baz").add("EMPTY=")
                .add("WITH_EQ=a=b");
        assertThat(output(b).lines().sorted().toList()).containsExactly("EMPTY=", "FOO=bar baz", "PATH=/bin:/usr/bin", "WITH_EQ=a=b");
    }

    @Test
    void cwdIsHonoured() {
        assertThat(output(sh("pwd").cwd("/home/user"))).isEqualTo("/home/user\n");
    }

    @Test
    void userGroupsAndUmask() {
        TestBundle b = sh("""
                grep -E '^(Uid|Gid|Groups):' /proc/self/status
                umask
                touch /tmp/f && mkdir /tmp/d && stat -c '%a %u %g' /tmp/f /tmp/d
                """).user(1000, 1000, 10, 20, 1000);
        b.config().with("process").with("user").put("umask", 027);
        String out = output(b);
        assertThat(out).contains("Uid:\t1000\t1000\t1000\t1000", "Gid:\t1000\t1000\t1000\t1000");
        assertThat(out.lines().filter(l -> l.startsWith("Groups:")).findFirst().orElseThrow().substring(7).strip().split(" "))
                .containsExactlyInAnyOrder("10", "20", "1000");
        assertThat(out).contains("0027\n", "640 1000 1000\n", "750 1000 1000\n");
    }

    @Test
    void rootWithoutAdditionalGidsHasNoSupplementaryGroups() {
        String out = output("grep -E '^(Uid|Gid|Groups):' /proc/self/status; umask");
        assertThat(out).contains("Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0");
        assertThat(out.lines().filter(l -> l.startsWith("Groups:")).findFirst().orElseThrow().substring(7).strip()).isEmpty();
        assertThat(out).contains("0022\n");
    }

    @Test
    void argsAreFoundOnThePathOfTheProcessEnvironment() {
        // "busybox" lives in /bin only; PATH lists a missing dir first
        TestBundle b = bundle().args("busybox", "echo", "found", "it");
        b.config().with("process").putArray("env").add("PATH=/nonexistent:/bin");
        assertThat(output(b)).isEqualTo("found it\n");
    }

    static boolean hasCapSysResource() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("CapEff:")) return (Long.parseUnsignedLong(l.substring(7).strip(), 16) >> 24 & 1) == 1;
        }
        return false;
    }

    private static long hardNofile() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (l.startsWith("Max open files")) {
                List<String> f = List.of(l.substring("Max open files".length()).strip().split("\\s+"));
                return Long.parseLong(f.get(1));
            }
        }
        throw new AssertionError("no Max open files in /proc/self/limits");
    }
}
