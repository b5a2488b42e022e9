package io.capsa.cli;

import io.capsa.testing.TestCgroups;
import io.capsa.testing.TestPaths;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Runs the real front end ({@code bin/capsa}) as a subprocess with a private store ({@code --root}), runtime state
 * ({@code --runroot}) and cgroup parent (give {@link #cgroupParent()} to {@code run --cgroup-parent}). The launcher
 * gets this JVM's class path and java, so the code under test is the one just compiled.
 *
 * <p>{@link #close()} removes every container ({@code rm -f -v}), kills what {@link #start} left running, removes
 * the cgroup parent and the directory, and fails (after all of it) if anything was left: a container, a mount
 * under the store, a cgroup.
 */
final class FrontCli implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final AtomicInteger OUTS = new AtomicInteger();
    /**
     * With {@code -Dcapsa.test.useJar=true} (the pom's package-phase integration run; the cgroup v2 script when the
     * jar is fresh) bin/capsa runs target/capsa.jar with its AOT cache, as it ships, as {@code CapsaRun} does;
     * else the code just compiled (this JVM's class path).
     */
    static final boolean USE_JAR = Boolean.getBoolean("capsa.test.useJar");
    /** This JVM's class path with absolute entries (capsa runs in the fixture's directory). */
    private static final String CLASSPATH = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(e -> e.isEmpty() ? e : Path.of(System.getProperty("user.dir")).resolve(e).toString())
            .collect(Collectors.joining(File.pathSeparator));

    private final Path dir;
    private final Path root;
    private final Path runRoot;
    private final Path io;
    private final String cgroupParent;
    private final List<Process> started = new ArrayList<>();
    private final Duration timeout;

    FrontCli() {
        this(TestPaths.newDir("front-"), TIMEOUT);
    }

    /**
     * A fixture in {@code dir} (new and empty; removed at close), e.g. on a tmpfs where the overlay rootfs works,
     * whose commands may each take up to {@code timeout} (the cgroup2 VM is slow).
     */
    FrontCli(Path dir, Duration timeout) {
        this.dir = dir;
        this.timeout = timeout;
        root = dir.resolve("store");
        runRoot = dir.resolve("run");
        io = dir.resolve("io");
        cgroupParent = TestCgroups.child("front-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24)));
        try {
            Files.createDirectories(io);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path root() { return root; }

    Path runRoot() { return runRoot; }

    Path dir() { return dir; }

    String cgroupParent() { return cgroupParent; }

    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        Result assertOk() {
            if (exitCode != 0) throw new AssertionError("command failed: " + this);
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\n  exit " + exitCode + "\n  stdout: " + stdout.strip() + "\n  stderr: " + stderr.strip();
        }
    }

    /** Runs {@code capsa --root R --runroot S args...} with stdin from /dev/null. */
    Result run(String... args) {
        return withStdin(null, args);
    }

    /** Runs it with {@code stdin} as its standard input. */
    Result withStdin(String stdin, String... args) {
        ProcessBuilder.Redirect in = ProcessBuilder.Redirect.from(new File("/dev/null"));
        if (stdin != null) {
            Path f = io.resolve(OUTS.incrementAndGet() + ".in");
            try {
                Files.writeString(f, stdin);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            in = ProcessBuilder.Redirect.from(f.toFile());
        }
        return await(launch(in, args));
    }

    private Result await(Launched l) {
        try {
            if (!l.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                l.process.descendants().forEach(ProcessHandle::destroyForcibly);
                l.process.destroyForcibly();
                throw new AssertionError("timed out: " + l.result(-1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        return l.result(l.process.exitValue());
    }

    /**
     * Runs it with {@code input} written into a pipe on its standard input, which is then closed
     * ({@code echo hi | capsa ...}).
     */
    Result piped(String input, String... args) {
        Launched l = launch(ProcessBuilder.Redirect.PIPE, args);
        try (var in = l.process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command exited without reading it all: its result says why
        }
        return await(l);
    }

    /**
     * Builds the busybox image ({@code bin/busybox-image.sh}) as {@code name}, with {@code config} (JSON, null for
     * the script's default) as its image config's "config", into this fixture's directory, and loads it.
     */
    Path loadBusybox(String name, String config) {
        // the default image built beforehand (-Dcapsa.test.busyboxTar: the cgroup v2 script builds it outside the VM)
        String prebuilt = System.getProperty("capsa.test.busyboxTar");
        if (config == null && name.equals("localhost/busybox:latest") && prebuilt != null && Files.isRegularFile(Path.of(prebuilt))) {
            Result r = run("load", "-i", prebuilt).assertOk();
            if (!r.stdout().contains("Loaded image: " + name)) throw new AssertionError("load: " + r);
            return Path.of(prebuilt);
        }
        Path tar = dir.resolve(name.replaceAll("[^a-zA-Z0-9]", "_") + ".tar");
        ProcessBuilder pb = new ProcessBuilder(TestPaths.repo().resolve("bin/busybox-image.sh").toString(), tar.toString(), name)
                .redirectErrorStream(true);
        if (config != null) pb.environment().put("BUSYBOX_IMAGE_CONFIG", config);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new AssertionError("busybox-image.sh: " + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        Result r = run("load", "-i", tar.toString()).assertOk();
        if (!r.stdout().contains("Loaded image: " + name)) throw new AssertionError("load: " + r);
        return tar;
    }

    /** Starts a command in the background (killed at close if still running). */
    Launched start(String... args) {
        Launched l = launch(ProcessBuilder.Redirect.from(new File("/dev/null")), args);
        synchronized (started) {
            started.add(l.process);
        }
        return l;
    }

    final class Launched {
        final List<String> command;
        final Process process;
        final Path out, err;

        Launched(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        Result result(int rc) {
            return new Result(command, rc, read(out), read(err));
        }

        String stdout() {
            return read(out);
        }
    }

    private Launched launch(ProcessBuilder.Redirect stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(TestPaths.repo().resolve("bin/capsa").toString(),
                "--root", root.toString(), "--runroot", runRoot.toString()));
        cmd.addAll(List.of(args));
        int n = OUTS.incrementAndGet();
        Path out = io.resolve(n + ".out"), err = io.resolve(n + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(stdin);
        // credentials of this fixture's own: never the user's ~/.config/capsa/auth.json or ~/.docker/config.json
        pb.environment().put("CAPSA_AUTH_FILE", dir.resolve("auth.json").toString());
        pb.environment().put("DOCKER_CONFIG", dir.resolve("docker-config").toString());
        if (!USE_JAR) pb.environment().put("CAPSA_CLASSPATH", CLASSPATH);
        pb.environment().put("CAPSA_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        try {
            return new Launched(List.copyOf(cmd), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + cmd, e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The cgroup directories of a container's cgroupsPath in every hierarchy. */
    List<Path> cgroupDirs(String cgroupsPath) {
        return TestCgroups.dirs(cgroupsPath);
    }

    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (Files.isDirectory(root)) {
            Result ps = run("ps", "-aq", "--no-trunc");
            for (String id : ps.stdout().lines().filter(l -> !l.isBlank()).toList()) {
                Result r = run("rm", "-f", "-v", id);
                if (r.exitCode() != 0) problems.add("rm -f " + id + ": " + r.stderr().strip());
            }
        }
        synchronized (started) {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
        List<Path> mounts = TestPaths.mountsUnder(dir);
        if (!mounts.isEmpty()) problems.add("mounts left: " + mounts);
        List<Path> left = TestCgroups.remove(cgroupParent);
        if (!left.isEmpty()) problems.add("cgroups not removable: " + left);
        try {
            TestPaths.deleteTree(dir);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) throw new AssertionError("FrontCli cleanup: " + String.join("; ", problems));
    }
}
