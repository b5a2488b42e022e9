package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CVE-2024-21626: a host fd (a directory) leaked into the container's process, used as its working directory or
 * reached through /proc/self/fd, gives the container the host's filesystem. The runtime is started with host
 * directories open at fds 3 and 4 (as a caller of runc may have): only stdio and the fds asked for with
 * --preserve-fds reach the container, for create/run and exec; and a cwd of /proc/self/fd/N, whatever fd N is in
 * the stage at that point (a pipe, the exec fifo, the rootfs, a preserved host directory), is refused.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class FdLeakEscapeTest extends EscapeTestSupport {

    @Test
    void execGetsNoFdOfTheRuntimeButThoseAskedFor() {
        Path d3 = sharedDir(), d4 = sharedDir();
        TestBundle b = attackBundle().args("sleep", "600");
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        CapsaRun.Result none = capsa.cmd("exec", id, "/attack", "fds")
                .env("TEST_FD3", d3.toString()).env("TEST_FD4", d4.toString()).exec().assertOk();
        assertThat(none.stdout()).startsWith("fds=0 1 2\n");
        CapsaRun.Result two = capsa.cmd("exec", "--preserve-fds", "2", id, "sh", "-c", "/attack fds; ls /proc/self/fd/3/")
                .env("TEST_FD3", d3.toString()).env("TEST_FD4", d4.toString()).exec().assertOk();
        assertThat(two.stdout()).startsWith("fds=0 1 2 3 4\n");
        // a detached exec too (its first stage process exits before the container's process runs)
        Path shared = sharedDir();
        TestBundle b2 = attackBundle().args("sleep", "600").bind(shared.toString(), "/shared");
        String id2 = capsa.newId();
        capsa.run("run", "-d", "--bundle", b2.dir().toString(), id2).assertOk();
        capsa.cmd("exec", "-d", id2, "sh", "-c", "/attack fds >/shared/fds")
                .env("TEST_FD3", d3.toString()).env("TEST_FD4", d4.toString()).exec().assertOk();
        assertThat(awaitFile(shared.resolve("fds"), "done", CapsaRun.DEFAULT_TIMEOUT)).startsWith("fds=0 1 2\n");
        capsa.run("delete", "-f", id).assertOk();
        capsa.run("delete", "-f", id2).assertOk();
        assertNothingLeft(id, b);
        assertNothingLeft(id2, b2);
    }

    @Test
    void createGetsNoFdOfTheRuntimeButThoseAskedFor() {
        Path d3 = sharedDir(), d4 = sharedDir();
        TestBundle b = attackBundle().args("/attack", "fds");
        CapsaRun.Result r = capsa.cmd("run", "--preserve-fds", "1", "--bundle", b.dir().toString(), capsa.newId())
                .env("TEST_FD3", d3.toString()).env("TEST_FD4", d4.toString()).exec().assertOk();
        assertThat(r.stdout()).startsWith("fds=0 1 2 3\n");
    }

    @ParameterizedTest(name = "cwd /proc/self/fd/{0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 8, 9, 10})
    void aCwdThroughProcSelfFdIsRefused(int n) throws Exception {
        Path host = sharedDir();
        Files.writeString(host.resolve("host-file"), "host\n");
        TestBundle b = bundle().args("sh", "-c", "pwd; ls").cwd("/proc/self/fd/" + n);
        String id = capsa.newId();
        CapsaRun.Result r = capsa.cmd("create", "--preserve-fds", "2", "--bundle", b.dir().toString(), id)
                .env("TEST_FD3", host.toString()).env("TEST_FD4", host.toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).as(r.toString()).contains("process.cwd", "/proc/self/fd/" + n);
        assertThat(r.stdout()).doesNotContain("host-file");
        assertNothingLeft(id, b);
    }

    @Test
    void execWithACwdThroughProcSelfFdIsRefused() {
        Path host = sharedDir();
        TestBundle b = bundle().args("sleep", "600");
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        for (int n = 3; n <= 8; n++) {
            CapsaRun.Result r = capsa.cmd("exec", "--preserve-fds", "1", "--cwd", "/proc/self/fd/" + n, id, "pwd")
                    .env("TEST_FD3", host.toString()).exec();
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.stderr()).as(r.toString()).contains("process.cwd", "/proc/self/fd/" + n);
        }
        capsa.run("exec", id, "true").assertOk(); // the container is unharmed
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }
}
