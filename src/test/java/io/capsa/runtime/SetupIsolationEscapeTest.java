package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The container cannot reach the runtime while it sets up (runc CVE-2016-9962: a container process ptracing the
 * runtime's init before it dropped its fds): the stage processes are non-dumpable until they exec the container's
 * process, so a process of the container (same uid, same capabilities) cannot ptrace them nor open their
 * /proc/PID/{mem,environ,exe}; the waiting init ignores the container's signals; the runtime's own processes are
 * not visible from the container. And the runtime's stdio, when it is a host file such as /dev/null, is handed to
 * the container as it is, never chowned to the container's user (runc CVE-2016-3697-like /dev/null chown).
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class SetupIsolationEscapeTest extends EscapeTestSupport {

    @Test
    void aContainerProcessCannotPtraceNorSignalTheStageWaitingForStart() {
        Path shared = sharedDir();
        TestBundle b = attackBundle().args("sh", "-c", "echo started >/shared/started").bind(shared.toString(), "/shared");
        String id = capsa.newId();
        create(b, id);
        // pid 1 of the container is the stage, waiting for start, with the container's uid and capabilities by now
        String out = capsa.run("exec", id, "/attack", "probe", "1").assertOk().stdout();
        Map<String, String> r = results(out);
        assertThat(r.get("ptrace-attach")).as(out).isIn("EPERM", "EACCES");
        assertThat(r.get("open-mem")).as(out).isIn("EPERM", "EACCES");
        assertThat(r.get("open-environ")).as(out).isIn("EPERM", "EACCES");
        assertThat(r.get("readlink-exe")).as(out).isIn("EPERM", "EACCES");
        assertThat(r.get("open-exe-write")).as(out).isNotEqualTo("ok");
        // signals from inside the container do not stop it either
        capsa.run("exec", id, "sh", "-c", "kill -KILL 1; kill -TERM 1; kill -INT 1; kill -HUP 1; true").assertOk();
        assertThat(capsa.run("state", id).assertOk().stdout()).contains("\"created\"");
        capsa.run("start", id).assertOk();
        awaitFile(shared.resolve("started"), "started", CapsaRun.DEFAULT_TIMEOUT);
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void theRuntimesProcessesAreNotVisibleFromTheContainer() {
        // run in the foreground: the runtime (java) and the stage waiting for the container are alive meanwhile
        String out = output(sh("for p in /proc/[0-9]*; do echo \"$(tr '\\0' ' ' <$p/cmdline)\"; done"));
        assertThat(out).doesNotContain("java", "capsa");
    }

    @Test
    void stdioThatIsDevNullIsNeverChowned() throws Exception {
        Path devNull = Path.of("/dev/null");
        FileFacts before = FileFacts.of(devNull);
        Path shared = sharedDir();
        for (boolean terminal : new boolean[] {false, true}) {
            TestBundle b = sh("id -u >/shared/id-" + terminal + "; echo to-stdout; echo to-stderr >&2")
                    .bind(shared.toString(), "/shared").user(1000, 1000).terminal(terminal);
            CapsaRun.Result r = capsa.cmd("run", "--bundle", b.dir().toString(), capsa.newId())
                    .env("TEST_STDIO", devNull.toString()).exec();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(read(shared.resolve("id-" + terminal))).isEqualTo("1000\n");
            FileFacts after = FileFacts.of(devNull);
            assertThat(after.owner()).isEqualTo(0);
            assertThat(after.group()).isEqualTo(0);
            assertThat(after.mode()).isEqualTo("20666");
            assertThat(after.mode()).isEqualTo(before.mode());
        }
    }

    @Test
    void stdioThatIsAHostFileIsNeverChowned() throws Exception {
        Path file = TestPaths.newDir("stdio-").resolve("stdio");
        Files.writeString(file, "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        TestBundle b = sh("echo written-by-$(id -u)").user(1000, 1000);
        CapsaRun.Result r = capsa.cmd("run", "--bundle", b.dir().toString(), capsa.newId())
                .env("TEST_STDIO", file.toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(read(file)).contains("written-by-1000\n");
        FileFacts after = FileFacts.of(file);
        assertThat(after.owner()).isEqualTo(0);
        assertThat(after.group()).isEqualTo(0);
        assertThat(after.mode()).isEqualTo("100600");
    }
}
