package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.Attack;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * CVE-2019-5736: overwriting the runtime's binary through /proc/PID/exe of a runtime process that a container can
 * reach. Every stage process runs from a sealed memfd copy of the stage, so what /proc/PID/exe names is never the
 * binary on disk and cannot be written; and while it sets up it is non-dumpable, so a container process cannot
 * even open it. Each test lets the attacker (src/test/c/attack.c) hold /proc/PID/exe, try to open it for writing,
 * and, once the stage process has gone on (exec'd or died), reopen the held file for writing and write to it (the
 * bytes it read: a success would not corrupt anything, the test fails on it).
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class ExeOverwriteEscapeTest extends EscapeTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aContainerProcessCannotOpenTheExeOfTheStageWaitingForStart() {
        FileFacts before = FileFacts.of(stageBinary());
        Path shared = sharedDir();
        TestBundle b = attackBundle().args("sleep", "1").bind(shared.toString(), "/shared");
        String id = capsa.newId();
        create(b, id);
        // the container's init is still the stage (pid 1 in the container), waiting for start
        capsa.run("exec", "-d", id, "sh", "-c", "/attack exe 1 change 40 >/shared/report 2>&1").assertOk();
        Path report = shared.resolve("report");
        awaitFile(report, "open-exe=", WAIT);
        capsa.run("start", id).assertOk();
        String out = awaitFile(report, "done", WAIT);
        Map<String, String> r = results(out);
        assertThat(r.get("open-exe")).as("the stage is not dumpable: " + out).isIn("EACCES", "EPERM");
        assertThat(r).as(out).doesNotContainEntry("write", "ok").doesNotContainEntry("reopen-write", "ok");
        assertThat(FileFacts.of(stageBinary())).isEqualTo(before);
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void evenTheHostsRootCannotWriteTheStageThroughProcPidExe() {
        // a createRuntime hook runs on the host as root (CAP_SYS_PTRACE: it may open anything of the stage)
        FileFacts before = FileFacts.of(stageBinary());
        Path shared = sharedDir();
        Path report = shared.resolve("report");
        TestBundle b = bundle().args("sleep", "1").shellHook("createRuntime", """
                PATH=/usr/sbin:/usr/bin:/sbin:/bin
                pid=$(sed -n 's/.*"pid": *\\([0-9]*\\).*/\\1/p')
                setsid %s exe "$pid" change 40 >%s 2>&1 </dev/null &
                """.formatted(Attack.binary(), report));
        String id = capsa.newId();
        create(b, id);
        awaitFile(report, "open-exe=", WAIT);
        capsa.run("start", id).assertOk();
        String out = awaitFile(report, "done", WAIT);
        Map<String, String> r = results(out);
        assertThat(r.get("open-exe")).as(out).isEqualTo("ok");
        assertThat(r.get("exe")).as("runs from a memfd copy: " + out).startsWith("/memfd:capsa-stage");
        assertThat(Integer.parseInt(r.get("seals")) & 0xF).as("F_SEAL_SEAL|SHRINK|GROW|WRITE: " + out).isEqualTo(0xF);
        assertThat(r.get("open-exe-write")).as(out).isNotEqualTo("ok");
        assertThat(r.get("released")).as("the stage exec'd the container's process: " + out).isEqualTo("ok");
        assertThat(r).as(out).containsKey("reopen-write").doesNotContainEntry("write", "ok");
        assertThat(FileFacts.of(stageBinary())).isEqualTo(before);
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void execOfAShebangToProcSelfExeRunsOnlyASealedCopyOfTheStage() throws Exception {
        // The original attack: the container's /evil is "#!/proc/self/exe", so exec makes the runtime run *itself*
        // as the container's process, which the container then holds by /proc/PID/exe and overwrites once it
        // exited. The stage run that way stops at its usage error; its stdout is made a full pipe so that it
        // blocks writing that error, long enough for the attacker to find it.
        FileFacts before = FileFacts.of(stageBinary());
        Path shared = sharedDir();
        Path report = shared.resolve("report");
        TestBundle b = attackBundle().bind(shared.toString(), "/shared")
                .args("sh", "-c", "/attack exe scan:capsa-stage kill 50 >/shared/report 2>&1; sleep 60");
        Path evil = Files.writeString(b.rootfs().resolve("evil"), "#!/proc/self/exe\n");
        Files.setPosixFilePermissions(evil, PosixFilePermissions.fromString("rwxr-xr-x"));
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        Path fifo = shared.resolve("full-stdout");
        host("mkfifo", fifo.toString());
        CapsaRun.Result exec = capsa.cmd("exec", id, "/evil").env("TEST_FULL_STDOUT", fifo.toString()).timeout(WAIT).exec();
        String out = awaitFile(report, "done", WAIT);
        Map<String, String> r = results(out);
        if (r.get("open-exe") != null) {
            // the attacker reached the stage's executable: it is a sealed memfd copy, not writable
            assertThat(r.get("exe")).as(out).startsWith("/memfd:capsa-stage");
            assertThat(Integer.parseInt(r.get("seals")) & 0xF).as(out).isEqualTo(0xF);
            assertThat(r.get("open-exe-write")).as(out).isNotEqualTo("ok");
            assertThat(r).as(out).containsEntry("released", "ok").doesNotContainEntry("write", "ok");
            assertThat(exec.exitCode()).as(exec.toString()).isEqualTo(137); // killed by the attacker
        } else {
            // the stage is non-dumpable while it sets up: /proc/PID/exe cannot even be opened
            assertThat(r.get("found")).as("the attacker found the stage run as /evil: " + out).isEqualTo("EACCES");
            assertThat(r).as(out).doesNotContainEntry("write", "ok");
        }
        assertThat(FileFacts.of(stageBinary())).isEqualTo(before);
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }
}
