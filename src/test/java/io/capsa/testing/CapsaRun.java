package io.capsa.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs the real runtime ({@code bin/capsa-runtime}) as a subprocess with {@code --root <private state dir>}.
 *
 * <p>The launcher is given the test JVM's class path (CAPSA_CLASSPATH) and java (CAPSA_JAVA), so the code under
 * test is the one just compiled, also before the jar is packaged. With {@code -Dcapsa.test.useJar=true} (set by the
 * pom's package-phase integration test run, after the jar and its AOT cache are built) the launcher runs the
 * packaged target/capsa.jar with its AOT cache instead, as it ships. {@code -Dcapsa.test.runtime=/usr/sbin/runc}
 * (or the constructor argument) runs the same tests against another runtime, e.g. to check a test itself.
 *
 * <p>{@link #close()} cleans up everything the commands may have created: {@code delete --force} of every
 * container in the state dir, then the cgroups of the bundles it ran (processes still in them are killed),
 * the test cgroup parent if it is empty, and the state dir; it throws AssertionError (after all of it) if a
 * {@code delete --force} failed or something could not be removed. Output goes to files, so a detached container
 * holding stdout open never blocks a command.
 *
 * <pre>{@code
 * try (CapsaRun capsa = new CapsaRun(); TestBundle b = TestBundle.create().args("true")) {
 *     CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
 *     assertThat(r.exitCode()).isZero();
 * }
 * }</pre>
 */
public final class CapsaRun implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final AtomicInteger OUTS = new AtomicInteger();
    /** Run the packaged jar (and its AOT cache) rather than this JVM's class path. */
    static final boolean USE_JAR = Boolean.getBoolean("capsa.test.useJar");
    /** CapsaRun instances not yet closed: the shared cgroup parent is only removed when none is left (parallel tests). */
    private static final AtomicInteger OPEN = new AtomicInteger();

    private final Path runtime;
    private final boolean isCapsa;
    private final Path root;
    private final Path io;
    private final Set<String> cgroups = new LinkedHashSet<>();
    private final List<Started> started = new ArrayList<>();
    private boolean closed;

    /** Runs {@code -Dcapsa.test.runtime} if set, else the repository's bin/capsa-runtime. */
    public CapsaRun() {
        this(defaultRuntime());
    }

    public CapsaRun(Path runtime) {
        this.runtime = runtime.toAbsolutePath();
        this.isCapsa = this.runtime.equals(TestPaths.repo().resolve("bin/capsa-runtime"));
        Path d = TestPaths.newDir("capsa-");
        this.root = d.resolve("state");
        this.io = d.resolve("io");
        OPEN.incrementAndGet();
        try {
            Files.createDirectories(io);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path defaultRuntime() {
        String p = System.getProperty("capsa.test.runtime");
        if (p != null && !p.isBlank()) return Path.of(p);
        return TestPaths.repo().resolve("bin/capsa-runtime");
    }

    /** The runtime executable being run. */
    public Path runtime() {
        return runtime;
    }

    /** The private state directory passed as {@code --root} (created by the runtime on first use). */
    public Path root() {
        return root;
    }

    /** A fresh container id: {@code ct<n>-<random>}. */
    public String newId() {
        return "ct" + IDS.incrementAndGet() + "-" + TestPaths.randomHex(3);
    }

    /** Runs {@code runtime --root R args...} with no stdin and the default timeout. */
    public Result run(String... args) {
        return cmd(args).exec();
    }

    /** A command to configure (stdin, timeout, env, cwd) before {@link Command#exec()} or {@link Command#start()}. */
    public Command cmd(String... args) {
        return new Command(List.of(args));
    }

    /** Result of one finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Throws an AssertionError naming the command and its output unless the exit code is 0. */
        public Result assertOk() {
            if (exitCode != 0) throw new AssertionError("command failed: " + this);
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\n  exit " + exitCode + "\n  stdout: " + stdout.strip()
                    + "\n  stderr: " + stderr.strip();
        }
    }

    /** A command running in the background (e.g. {@code run} of a long-lived container). */
    public final class Started {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;

        Started(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        /** Output so far. */
        public String stdout() {
            return read(out);
        }

        public String stderr() {
            return read(err);
        }

        /** Waits for the command to end; on timeout kills it (and its children) and throws AssertionError. */
        public Result waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree(process.toHandle());
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + timeout.toSeconds() + " s: "
                            + new Result(command, -1, stdout(), stderr()));
                }
            } catch (InterruptedException e) {
                killTree(process.toHandle());
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted: " + String.join(" ", command));
            }
            return new Result(command, process.exitValue(), stdout(), stderr());
        }

        /** Waits until stdout contains {@code text} (polling), or fails after {@code timeout}. */
        public Started awaitStdout(String text, Duration timeout) {
            long end = System.nanoTime() + timeout.toNanos();
            while (!stdout().contains(text)) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("no '" + text + "' on stdout after " + timeout.toSeconds() + " s: "
                            + String.join(" ", command) + "\n  stdout: " + stdout() + "\n  stderr: " + stderr());
                }
                if (!process.isAlive() && !stdout().contains(text)) {
                    throw new AssertionError("ended without '" + text + "' on stdout: "
                            + new Result(command, process.exitValue(), stdout(), stderr()));
                }
                sleep(20);
            }
            return this;
        }
    }

    /** One command being set up. */
    public final class Command {
        private final List<String> args;
        private byte[] stdin;
        private Duration timeout = DEFAULT_TIMEOUT;
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path cwd;
        private boolean withRoot = true;

        Command(List<String> args) {
            this.args = args;
        }

        public Command stdin(String text) {
            this.stdin = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Command timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        public Command env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Working directory of the runtime process (default: the repository). */
        public Command cwd(Path dir) {
            this.cwd = dir;
            return this;
        }

        /** Do not pass {@code --root} (for tests of the default root or of global-flag parsing). */
        public Command withoutRoot() {
            this.withRoot = false;
            return this;
        }

        /** Runs to the end (killing it after the timeout: AssertionError). */
        public Result exec() {
            return start().waitFor(timeout);
        }

        /** Starts in the background; {@link CapsaRun#close()} kills it if still running. */
        public Started start() {
            List<String> cmd = new ArrayList<>();
            cmd.add(runtime.toString());
            if (withRoot) {
                cmd.add("--root");
                cmd.add(root.toString());
            }
            cmd.addAll(args);
            Path dir = cwd != null ? cwd : TestPaths.repo();
            noteCgroup(args, dir);
            int n = OUTS.incrementAndGet();
            Path out = io.resolve(n + ".out");
            Path err = io.resolve(n + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin != null) {
                Path in = io.resolve(n + ".in");
                try {
                    Files.write(in, stdin);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(TestPaths.DEV_NULL);
            }
            if (isCapsa && !USE_JAR) {
                // the code under test: this JVM's class path (target/classes + dependencies) and JDK
                pb.environment().put("CAPSA_CLASSPATH", System.getProperty("java.class.path"));
                pb.environment().put("CAPSA_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            }
            pb.environment().putAll(env);
            try {
                Started s = new Started(List.copyOf(cmd), pb.start(), out, err);
                synchronized (started) {
                    started.add(s);
                }
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException("starting " + cmd, e);
            }
        }
    }

    /** Remembers the cgroupsPath of the bundle a create/run uses, to remove it at close. */
    private void noteCgroup(List<String> args, Path cwd) {
        if (args.isEmpty()) return;
        Path bundle = cwd;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("--bundle") || a.equals("-b")) && i + 1 < args.size()) bundle = cwd.resolve(args.get(i + 1));
            else if (a.startsWith("--bundle=")) bundle = cwd.resolve(a.substring(9));
        }
        try {
            JsonNode cfg = new ObjectMapper().readTree(bundle.resolve("config.json").toFile());
            String cg = cfg.path("linux").path("cgroupsPath").asText("");
            if (cg.startsWith(TestCgroups.PARENT + "/")) {
                synchronized (cgroups) {
                    cgroups.add(cg);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no or bad config.json (bad-input tests): nothing to remember
        }
    }

    /**
     * What an (expected failed or deleted) container left behind: its state directory, its cgroup directories in
     * any hierarchy, mounts below the bundle. Empty when clean.
     */
    public List<String> leftovers(String id, TestBundle bundle) {
        List<String> out = new ArrayList<>();
        if (Files.exists(root.resolve(id))) out.add("state dir " + root.resolve(id));
        if (bundle != null) {
            String cg = bundle.cgroupsPath();
            if (cg != null && cg.startsWith("/")) {
                for (Path d : TestCgroups.dirs(cg)) out.add("cgroup " + d);
            }
            for (Path m : TestPaths.mountsUnder(bundle.rootfs())) out.add("mount " + m);
        }
        return out;
    }

    /** Force-deletes every container in the state dir, removes the cgroups used and the state dir. */
    @Override
    public void close() {
        List<String> problems = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                // only container dirs: the runtime keeps other things there under names that are not valid ids
                // (e.g. "@seccomp-cache")
                for (Path c : s.filter(Files::isDirectory)
                        .filter(d -> d.getFileName().toString().matches("[A-Za-z0-9_+\\-.]+")).toList()) {
                    String id = c.getFileName().toString();
                    try {
                        Result r = cmd("delete", "--force", id).timeout(Duration.ofSeconds(30)).exec();
                        if (!r.ok()) problems.add("delete --force " + id + ": " + r.stderr().strip());
                    } catch (AssertionError e) {
                        problems.add(e.getMessage());
                    }
                }
            } catch (IOException e) {
                problems.add(e.toString());
            }
        }
        synchronized (started) {
            for (Started s : started) {
                if (s.process.isAlive()) killTree(s.process.toHandle());
            }
        }
        synchronized (cgroups) {
            for (String cg : cgroups) {
                List<Path> left = TestCgroups.remove(cg);
                if (!left.isEmpty()) problems.add("cgroups not removable: " + left);
            }
        }
        if (!closed) {
            closed = true;
            if (OPEN.decrementAndGet() == 0) removeParentIfEmpty();
        }
        try {
            TestPaths.deleteTree(root.getParent());
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) throw new AssertionError("CapsaRun cleanup: " + String.join("; ", problems));
    }

    private static void removeParentIfEmpty() {
        for (Path d : TestCgroups.dirs(TestCgroups.PARENT)) {
            try {
                Files.deleteIfExists(d); // rmdir: fails if another run's cgroups are still below
            } catch (IOException e) {
                // still in use
            }
        }
    }

    private static void killTree(ProcessHandle h) {
        h.descendants().forEach(ProcessHandle::destroyForcibly);
        h.destroyForcibly();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
