package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestCgroups;
import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the runtime integration tests share: one {@link CapsaRun} (private --root) per test, bundles closed after
 * it, and the checks that a container (or a failed create) left nothing behind. Subclasses run concurrently
 * (ids, bundles, cgroups and state dirs are all private to a test).
 */
abstract class ContainerTestSupport {
    protected CapsaRun capsa;
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    @BeforeEach
    void openRuntime() {
        capsa = newRuntime();
    }

    /** The runtime the tests of a class run (default: bin/capsa-runtime, or -Dcapsa.test.runtime). */
    protected CapsaRun newRuntime() {
        return new CapsaRun();
    }

    @AfterEach
    void closeRuntime() throws Exception {
        AssertionError failure = null;
        try {
            capsa.close();
        } catch (AssertionError e) {
            failure = e;
        }
        for (AutoCloseable c : closeLast.reversed()) {
            try {
                c.close();
            } catch (RuntimeException | AssertionError e) {
                if (failure == null) failure = new AssertionError(e.getMessage(), e);
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }

    /** A new busybox bundle, removed after the test (after every container is gone). */
    protected TestBundle bundle() {
        TestBundle b = TestBundle.create();
        closeLast.add(b);
        return b;
    }

    /** Runs something at the end of the test (after the containers are deleted), e.g. removing a netns. */
    protected void atEnd(AutoCloseable c) {
        closeLast.add(c);
    }

    /** A bundle whose process is {@code sh -c script}. */
    protected TestBundle sh(String script) {
        return bundle().args("sh", "-c", script);
    }

    /** {@code run} of the bundle in the foreground; the container is gone when this returns. */
    protected CapsaRun.Result run(TestBundle b, String... flags) {
        List<String> a = new ArrayList<>(List.of("run", "--bundle", b.dir().toString()));
        a.addAll(List.of(flags));
        a.add(capsa.newId());
        return capsa.run(a.toArray(String[]::new));
    }

    /** Runs the bundle, asserts exit 0, returns its stdout. */
    protected String output(TestBundle b) {
        CapsaRun.Result r = run(b);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.stdout();
    }

    /** Runs {@code sh -c script} in a default bundle, asserts exit 0 and returns stdout. */
    protected String output(String script) {
        return output(sh(script));
    }

    /** {@code create} of the bundle with id {@code id}; asserts success. */
    protected CapsaRun.Started create(TestBundle b, String id, String... flags) {
        List<String> a = new ArrayList<>(List.of("create", "--bundle", b.dir().toString()));
        a.addAll(List.of(flags));
        a.add(id);
        CapsaRun.Started s = capsa.cmd(a.toArray(String[]::new)).start();
        CapsaRun.Result r = s.waitFor(CapsaRun.DEFAULT_TIMEOUT);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return s;
    }

    /**
     * stderr without the runtime's warnings (runc's default spec, the fixture's, draws "can't raise ambient
     * capability" warnings): the container's own stderr, or the error message.
     */
    protected static String errors(CapsaRun.Result r) {
        StringBuilder b = new StringBuilder();
        for (String l : r.stderr().split("\n", -1)) {
            if (!l.contains(" level=warning ")) b.append(l).append('\n');
        }
        return b.substring(0, b.length() - 1);
    }

    /** A host directory everyone may write to (bind-mounted into containers to pass files out). */
    protected static Path sharedDir() {
        Path d = TestPaths.newDir("shared-");
        try {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    protected static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code cond} every 20 ms until true or {@code timeout}; returns the last value. */
    protected static boolean await(BooleanSupplier cond, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until the container of the {@code run} command {@code s} has created {@code marker} (a file in a bind
     * mount); fails with the command's output if it ends first or after a minute.
     */
    protected static void awaitMarker(Path marker, CapsaRun.Started s) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(marker)) {
            if (!s.process().isAlive() && !Files.exists(marker)) {
                throw new AssertionError("ended before " + marker + " appeared: exit " + s.process().exitValue()
                        + "\n  stdout: " + s.stdout() + "\n  stderr: " + s.stderr());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no " + marker + " after 60 s\n  stdout: " + s.stdout() + "\n  stderr: " + s.stderr());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** The line of /proc/self/mountinfo (as printed by the container) whose mount point is {@code mp}. */
    protected static String mountLine(String mountinfo, String mp) {
        String found = null;
        for (String l : mountinfo.split("\n")) {
            String[] f = l.split(" ");
            if (f.length > 4 && f[4].equals(mp)) found = l; // the last one is the visible one
        }
        assertThat(found).as("mount at " + mp + " in\n" + mountinfo).isNotNull();
        return found;
    }

    /** The per-mount options (field 6) and the super block options (after " - type source ") of a mountinfo line. */
    protected static List<String> mountOptions(String line) {
        String[] f = line.split(" ");
        List<String> out = new ArrayList<>(List.of(f[5].split(",")));
        String[] post = line.substring(line.indexOf(" - ") + 3).split(" ");
        if (post.length > 2) out.addAll(List.of(post[2].split(",")));
        return out;
    }

    /** The filesystem type of a mountinfo line. */
    protected static String mountType(String line) {
        return line.substring(line.indexOf(" - ") + 3).split(" ")[0];
    }

    /**
     * Asserts that the container {@code id} of bundle {@code b} left nothing: no state directory (nor anything else)
     * under --root, no cgroup directory in any hierarchy, no mount below the bundle in our mount namespace, no
     * process in its cgroup, and no process anywhere whose mount namespace still holds the bundle's rootfs.
     */
    protected void assertNothingLeft(String id, TestBundle b) {
        // the cleanup of a failed create happens before the command exits; a short grace for the kernel to reap
        await(() -> capsa.leftovers(id, b).isEmpty() && processesHolding(b.rootfs()).isEmpty(), Duration.ofSeconds(3));
        assertThat(capsa.leftovers(id, b)).as("left behind by " + id).isEmpty();
        assertThat(stateEntries()).as("entries under --root " + capsa.root()).isEmpty();
        if (b.cgroupsPath() != null) assertThat(TestCgroups.pids(b.cgroupsPath())).as("processes in " + b.cgroupsPath()).isEmpty();
        assertThat(processesHolding(b.rootfs())).as("processes with a mount of " + b.rootfs()).isEmpty();
    }

    private List<String> stateEntries() {
        if (!Files.isDirectory(capsa.root())) return List.of();
        try (Stream<Path> s = Files.list(capsa.root())) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pids (other than ours) whose mount namespace has a mount whose source or mount point is below {@code dir}. */
    protected static List<Long> processesHolding(Path dir) {
        String d = dir.toAbsolutePath().normalize().toString();
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit) || Long.parseLong(n) == self) continue;
                try {
                    String mi = Files.readString(p.resolve("mountinfo"));
                    if (mi.contains(" " + d + " ") || mi.contains(" " + d + "/")) out.add(Long.parseLong(n));
                } catch (IOException | UncheckedIOException e) {
                    // gone meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Runs a host command to the end; returns stdout; fails the test on a non-zero exit. */
    protected static String host(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) throw new AssertionError(String.join(" ", cmd) + ": exit " + rc + ": " + out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
