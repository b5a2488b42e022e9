package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * File descriptors into the container: --preserve-fds, LISTEN_FDS, nothing else leaking, and the pty master sent
 * to --console-socket. The runtime is started through a small shell wrapper that opens fds 3 and 4 first
 * ($TEST_FD3, $TEST_FD4), as a caller of runc would.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class FdsAndConsoleTest extends ContainerTestSupport {
    @Override
    protected CapsaRun newRuntime() {
        return new CapsaRun(RuntimeWrapper.get("runtime-with-fds", """
                # socket activation names the runtime's pid (the exec below keeps it)
                if [ -n "$LISTEN_FDS" ]; then export LISTEN_PID=$$; fi
                """));
    }

    /** The fd numbers of {@code ls -l /proc/self/fd} output that have a target (ls's own dir fd is closed by then). */
    private static Set<Integer> fds(String lsOutput) {
        Set<Integer> out = new TreeSet<>();
        for (String l : lsOutput.split("\n")) {
            int arrow = l.indexOf(" -> ");
            if (arrow < 0) continue;
            String[] f = l.substring(0, arrow).trim().split("\\s+");
            out.add(Integer.parseInt(f[f.length - 1]));
        }
        return out;
    }

    private static Path file(String name, String content) throws IOException {
        Path d = sharedDir();
        return Files.writeString(d.resolve(name), content);
    }

    @Test
    void preservedFdsPassInAndNoOtherFdLeaks() throws Exception {
        TestBundle b = sh("cat <&3; cat <&4; ls -l /proc/self/fd");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.cmd("run", "--preserve-fds", "2", "--bundle", b.dir().toString(), id)
                .env("TEST_FD3", file("three", "fd3 content\n").toString())
                .env("TEST_FD4", file("four", "fd4 content\n").toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("fd3 content\nfd4 content\n");
        assertThat(fds(r.stdout())).as(r.stdout()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void fdsOfTheRuntimeDoNotLeakWithoutPreserveFds() throws Exception {
        TestBundle b = sh("ls -l /proc/self/fd");
        CapsaRun.Result r = capsa.cmd("run", "--bundle", b.dir().toString(), capsa.newId())
                .env("TEST_FD3", file("three", "x").toString()).env("TEST_FD4", file("four", "y").toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(fds(r.stdout())).as(r.stdout()).containsExactly(0, 1, 2);
    }

    @Test
    void listenFdsPassSocketActivatedFds() throws Exception {
        TestBundle b = sh("echo $LISTEN_FDS $LISTEN_PID; cat <&3; ls -l /proc/self/fd");
        CapsaRun.Result r = capsa.cmd("run", "--bundle", b.dir().toString(), capsa.newId())
                .env("LISTEN_FDS", "1").env("TEST_FD3", file("three", "listening\n").toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).startsWith("1 1\nlistening\n");
        assertThat(fds(r.stdout())).as(r.stdout()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aCwdOutsideTheRootThroughAnInheritedFdIsRefused() throws Exception {
        // CVE-2024-21626: a host directory open in the runtime must not become the container's cwd
        Path hostDir = sharedDir();
        TestBundle b = sh("pwd; ls").cwd("/proc/self/fd/3");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.cmd("create", "--preserve-fds", "1", "--bundle", b.dir().toString(), id)
                .env("TEST_FD3", hostDir.toString()).exec();
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("process.cwd");
        assertNothingLeft(id, b);
    }

    @Test
    void consoleSocketReceivesThePtyMaster() throws Exception {
        Path dir = sharedDir();
        Path sock = dir.resolve("console.sock");
        Path helper = Files.writeString(dir.resolve("console.py"), """
                import os, socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind(sys.argv[1])
                s.listen(1)
                c, _ = s.accept()
                msg, fds, _, _ = socket.recv_fds(c, 1024, 1)
                print("received=%d name=%s" % (len(fds), msg.decode()), flush=True)
                out = b""
                while True:
                    try:
                        d = os.read(fds[0], 4096)
                    except OSError:  # EIO: the container side closed
                        break
                    if not d:
                        break
                    out += d
                sys.stdout.write(out.decode(errors="replace"))
                """);
        Process py = new ProcessBuilder("python3", helper.toString(), sock.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("py.out").toFile()).start();
        atEnd(py::destroyForcibly);
        assertThat(await(() -> Files.exists(sock), Duration.ofSeconds(20))).as("python helper listening").isTrue();

        TestBundle b = sh("""
                [ -t 0 ] && [ -t 1 ] && echo is-a-tty
                tty
                stat -c 'console %F %t' /dev/console
                echo done-$((6*7))
                """).terminal(true);
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--console-socket", sock.toString(), "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(py.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("py.out"), StandardCharsets.UTF_8).replace("\r\n", "\n");
        assertThat(out).startsWith("received=1 name=/dev/pts/");
        assertThat(out).contains("is-a-tty\n", "/dev/pts/0\n", "console character special file 88\n", "done-42\n");
        assertNothingLeft(id, b);
    }
}
