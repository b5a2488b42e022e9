package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Capabilities a container must not get (runc CVE-2022-29162: inheritable capabilities left set; CVE-2016-8867 /
 * the ambient set; setuid binaries regaining privileges): inheritable and ambient are empty unless the config asks,
 * the bounding set is exactly the config's (dropped before exec, also for exec), and with noNewPrivileges a setuid
 * root binary run by uid 1000 gains nothing.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class CapabilityEscapeTest extends EscapeTestSupport {
    private static final String CHOWN = "CAP_CHOWN", KILL = "CAP_KILL", SETUID = "CAP_SETUID", SYS_ADMIN = "CAP_SYS_ADMIN";

    private static void caps(TestBundle b, Map<String, List<String>> sets) {
        var c = b.config().withObjectProperty("process").putObject("capabilities");
        sets.forEach((set, names) -> names.forEach(c.withArrayProperty(set)::add));
    }

    private static Map<String, String> status(String out) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String l : out.split("\n")) {
            int c = l.indexOf(":\t");
            if (c > 0) m.put(l.substring(0, c), l.substring(c + 2).strip());
        }
        return m;
    }

    @Test
    void inheritableAndAmbientAreEmptyUnlessAskedAndTheBoundingSetIsTheConfigs() {
        // bounding CHOWN (0), KILL (5), SETUID (7) = 0xa1; effective and permitted KILL only; no inheritable, no
        // ambient keys at all; as root and as uid 1000
        for (long uid : new long[] {0, 1000}) {
            TestBundle b = attackBundle().args("/attack", "ids").user(uid, uid).noNewPrivileges(false);
            caps(b, Map.of("bounding", List.of(CHOWN, KILL, SETUID), "effective", List.of(KILL), "permitted", List.of(KILL)));
            Map<String, String> s = status(output(b));
            // execve(2) gives root (no SECBIT_NOROOT, as runc) its whole bounding set as permitted and effective;
            // uid 1000 keeps none through exec
            String kill = uid == 0 ? "00000000000000a1" : "0000000000000000";
            assertThat(s).as("uid " + uid).containsEntry("CapBnd", "00000000000000a1").containsEntry("CapInh", "0000000000000000")
                    .containsEntry("CapAmb", "0000000000000000").containsEntry("CapPrm", kill).containsEntry("CapEff", kill);
        }
    }

    @Test
    void theBoundingSetIsDroppedForExecToo() {
        TestBundle b = attackBundle().args("sleep", "600").noNewPrivileges(false);
        caps(b, Map.of("bounding", List.of(CHOWN, KILL), "effective", List.of(KILL), "permitted", List.of(KILL)));
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        Map<String, String> s = status(capsa.run("exec", id, "/attack", "ids").assertOk().stdout());
        assertThat(s).containsEntry("CapBnd", "0000000000000021").containsEntry("CapInh", "0000000000000000")
                .containsEntry("CapAmb", "0000000000000000").containsEntry("CapEff", "0000000000000021"); // root: = bounding
        // a process run as uid 1000 by exec: no capability at all, the same bounding set
        Map<String, String> u = status(capsa.run("exec", "--user", "1000:1000", id, "/attack", "ids").assertOk().stdout());
        assertThat(u).containsEntry("CapBnd", "0000000000000021").containsEntry("CapInh", "0000000000000000")
                .containsEntry("CapAmb", "0000000000000000").containsEntry("CapPrm", "0000000000000000")
                .containsEntry("CapEff", "0000000000000000");
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void aSetuidRootBinaryGainsNothingWithNoNewPrivileges() throws Exception {
        // uid 1000 runs setuid-root copies of busybox and of the attacker (which reports its euid and caps)
        TestBundle b = attackBundle().user(1000, 1000)
                .args("sh", "-c", "/suid/busybox id -u; /suid/attack ids");
        setuidCopies(b);
        caps(b, Map.of("bounding", List.of(CHOWN, KILL, SETUID, SYS_ADMIN)));
        CapsaRun.Result nnp = run(b.noNewPrivileges(true)).assertOk();
        assertThat(nnp.stdout()).startsWith("1000\nuid=1000 euid=1000 ");
        assertThat(status(nnp.stdout())).containsEntry("CapEff", "0000000000000000").containsEntry("CapPrm", "0000000000000000")
                .containsEntry("NoNewPrivs", "1");
        // the control: without noNewPrivileges the same binary does become root, with the bounding set
        CapsaRun.Result plain = run(b.noNewPrivileges(false)).assertOk();
        assertThat(plain.stdout()).contains("uid=1000 euid=0 ");
        assertThat(status(plain.stdout())).containsEntry("CapEff", "00000000002000a1").containsEntry("NoNewPrivs", "0");
    }

    private static void setuidCopies(TestBundle b) {
        try {
            Path dir = Files.createDirectories(b.rootfs().resolve("suid"));
            Files.copy(b.rootfs().resolve("bin/busybox"), dir.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.copy(b.rootfs().resolve("attack"), dir.resolve("attack"), StandardCopyOption.COPY_ATTRIBUTES);
            host("chmod", "4755", dir.resolve("busybox").toString(), dir.resolve("attack").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
