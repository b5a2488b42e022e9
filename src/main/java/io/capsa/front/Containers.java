package io.capsa.front;

import io.capsa.image.Image;
import io.capsa.image.rootfs.RootfsManager;
import io.capsa.image.store.ImageStore;
import io.capsa.plan.Planner;
import io.capsa.runtime.ContainerRuntime;
import io.capsa.spec.Json;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.State;
import io.capsa.spec.User;
import io.capsa.stage.StageException;
import io.capsa.sys.Errno;
import io.capsa.sys.FsCalls;
import io.capsa.sys.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The front end's container operations over the image store ({@code storeRoot}, default /var/lib/capsa) and the
 * runtime's state root ({@code runRoot}, default /run/capsa-front): run, stop, kill, rm, exec, and the live status
 * of each container. The runtime ({@link ContainerRuntime}) does the work; this keeps the records.
 *
 * <p>A run's first stage process stays behind the container as its monitor (the EXIT_MONITOR op): it writes the
 * exit status to {@code containers/ID/exitcode} when the container exits and, for {@code --rm -d}, runs the
 * cleanup command. Stopped detached containers are noticed lazily (ps, stop, rm, ...): their exit status is
 * recorded and their runtime state (and cgroup) released; the root filesystem stays until rm.
 */
public final class Containers {
    private final Path storeRoot;
    private final Path runRoot;
    private final Consumer<String> warn;
    private final Consumer<String> debug;
    private final ContainerStore store;
    private ContainerRuntime runtime;
    private ImageStore images;

    public Containers(Path storeRoot, Path runRoot, Consumer<String> warn, Consumer<String> debug) {
        this.storeRoot = storeRoot;
        this.runRoot = runRoot;
        this.warn = warn;
        this.debug = debug;
        this.store = new ContainerStore(storeRoot);
    }

    public ContainerStore store() { return store; }

    public ContainerRuntime runtime() {
        if (runtime == null) runtime = new ContainerRuntime(runRoot, warn, debug);
        return runtime;
    }

    public ImageStore images() {
        if (images == null) images = ImageStore.open(storeRoot);
        return images;
    }

    // ---- status ----

    /** The live state: created, running, paused or exited (with the exit code if known, and the pid if running). */
    public record Status(String state, Integer exitCode, long pid) {
        public boolean running() { return state.equals("running") || state.equals("paused"); }
    }

    /** The container's live status; an exit not recorded yet is recorded (see {@link #refresh}). */
    public Status status(ContainerRecord r) {
        if (r.status.equals(ContainerRecord.EXITED)) return new Status("exited", r.exitCode, 0);
        State s = runtimeState(r.id);
        if (s != null) {
            switch (s.status()) {
                case "running" -> { return new Status("running", null, s.pid()); }
                case "paused" -> { return new Status("paused", null, s.pid()); }
                case "created", "creating" -> { return new Status(r.status.equals(ContainerRecord.RUNNING) ? "running" : "created", null, s.pid()); }
                default -> { } // stopped
            }
        } else if (r.status.equals(ContainerRecord.CREATED)) {
            return new Status("created", null, 0);
        }
        refresh(r, 0);
        return new Status("exited", r.exitCode, 0);
    }

    /** The runtime's state of id, or null if the runtime has none (never created, or deleted). */
    private State runtimeState(String id) {
        if (!runtime().store().exists(id)) return null;
        try {
            return runtime().state(id);
        } catch (RuntimeException e) {
            return null; // deleted meanwhile
        }
    }

    /**
     * If a container recorded as running has exited: records its exit status (from the monitor's exitcode file,
     * waiting up to {@code waitMillis} for it) and releases its runtime state and cgroup.
     */
    public void refresh(ContainerRecord r, long waitMillis) {
        if (!r.status.equals(ContainerRecord.RUNNING)) return;
        State s = runtimeState(r.id);
        if (s != null && !s.status().equals("stopped")) return;
        Integer code = readExitCode(r.id);
        long end = System.nanoTime() + waitMillis * 1_000_000;
        while (code == null && System.nanoTime() < end) {
            sleep(20);
            code = readExitCode(r.id);
        }
        if (code == null && waitMillis == 0) {
            r.exitCode = null; // the monitor has not written it yet: show it exited, record it later
            return;
        }
        r.status = ContainerRecord.EXITED;
        r.exitCode = code == null ? -1 : code;
        r.finishedAt = finishedAt(r.id);
        try {
            if (s != null) runtime().delete(r.id, true);
        } catch (RuntimeException e) {
            warn.accept("releasing the runtime state of " + r.shortId() + ": " + e.getMessage());
        }
        try {
            store.save(r);
        } catch (FrontException e) {
            // removed meanwhile
        }
    }

    private Integer readExitCode(String id) {
        try {
            return Integer.parseInt(Files.readString(store.exitFile(id), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException | NumberFormatException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String finishedAt(String id) {
        try {
            return Files.getLastModifiedTime(store.exitFile(id)).toInstant().toString();
        } catch (IOException e) {
            return Instant.now().toString();
        }
    }

    // ---- run ----

    /**
     * Creates a container from an image: its record (a generated name unless {@code o.name}), root filesystem and
     * bundle. Nothing is left behind if this fails.
     */
    public ContainerRecord create(RunOptions o, Image img, Map<String, String> callerEnv, Path cwd) {
        ContainerRecord r = new ContainerRecord();
        r.id = ContainerStore.newId();
        r.image = o.image;
        r.imageId = img.id().toString();
        r.created = Instant.now().toString();
        r.detached = o.detach;
        r.interactive = o.interactive;
        r.tty = o.tty;
        r.autoRemove = o.remove;
        r.stopTimeout = o.stopTimeout;
        for (String l : o.labels) {
            int eq = l.indexOf('=');
            r.labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        try (ContainerStore.Lock lock = store.lock()) {
            if (o.name != null) {
                r.name = o.name.startsWith("/") ? o.name.substring(1) : o.name;
            } else {
                Set<String> taken = new HashSet<>();
                for (ContainerRecord c : store.list()) taken.add(c.name);
                r.name = Names.generate(taken);
            }
            store.create(r);
        }
        RootfsManager rootfs = new RootfsManager(images());
        List<String> anon = List.of();
        try {
            Path dir = store.dir(r.id);
            RootfsManager.Rootfs fs = rootfs.create(img, r.id);
            r.rootfs = fs.path().toString();
            SpecBuilder.Built b = new SpecBuilder(o, img.runConfig(), r.id, fs.path(), dir, storeRoot, callerEnv, cwd, warn).build();
            anon = b.anonymousVolumes();
            r.anonymousVolumes = new ArrayList<>(anon);
            r.command = new ArrayList<>(b.args());
            r.stopSignal = b.stopSignal();
            r.hostname = b.hostname();
            r.network = b.network();
            r.mounts = new ArrayList<>(b.mounts());
            r.exposedPorts = new ArrayList<>(b.exposedPorts());
            r.cgroupsPath = b.spec().linux().cgroupsPath();
            for (var f : b.files().entrySet()) write(dir.resolve(f.getKey()), f.getValue());
            Path bundle = store.bundle(r.id);
            Files.createDirectories(bundle);
            Path tmp = bundle.resolve("config.json.tmp");
            write(tmp, Json.toIndentedJson(b.spec()));
            Files.move(tmp, bundle.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE);
            r.bundle = bundle.toString();
            if (o.detach) r.logPath = store.logFile(r.id).toString();
            store.save(r);
            return r;
        } catch (IOException | RuntimeException e) {
            try {
                rootfs.remove(r.id);
                for (String v : anon) ImageStore.deleteTree(Path.of(v));
                store.delete(r.id);
            } catch (RuntimeException e2) {
                e.addSuppressed(e2);
            }
            if (e instanceof IOException io) throw new UncheckedIOException(io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    /** Writes a file of a container being created; a failure names the file ("writing F: No space left on device"). */
    private static void write(Path f, String content) throws IOException {
        try {
            Files.writeString(f, content);
        } catch (IOException e) {
            throw new IOException("writing " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a created container. Attached: the container has our stdin (with -i; else /dev/null), stdout and
     * stderr, and this returns its exit status once it has exited (recorded; removed with --rm). Detached: stdout
     * and stderr go to the log file, and this returns 0 once the container's process runs.
     *
     * @param cleanup the command the monitor of a detached --rm container execs when it exits (argv, env)
     */
    public int start(ContainerRecord r, List<String> cleanup, List<String> cleanupEnv) {
        int devNull = -1, log = -1, in = -1;
        try {
            devNull = FsCalls.open(Path.of("/dev/null"), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0);
            int[] stdio;
            if (r.detached) {
                log = FsCalls.open(store.logFile(r.id), FsCalls.O_WRONLY | FsCalls.O_CREAT | FsCalls.O_APPEND
                        | FsCalls.O_CLOEXEC | FsCalls.O_NOFOLLOW, 0640);
                if (r.interactive) {
                    // -d -i: stdin stays open with nobody writing (a FIFO the container holds both ends of)
                    Path fifo = store.dir(r.id).resolve("stdin");
                    FsCalls.mknod(fifo, FsCalls.S_IFIFO | 0600, 0, 0);
                    in = FsCalls.open(fifo, FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0);
                }
                stdio = new int[] {in >= 0 ? in : devNull, log, log};
            } else {
                stdio = new int[] {r.interactive ? 0 : devNull, 1, 2};
            }
            Planner.ExitMonitor monitor = new Planner.ExitMonitor(store.exitFile(r.id),
                    r.detached && r.autoRemove ? cleanup : null, cleanupEnv, r.detached);
            r.status = ContainerRecord.RUNNING;
            r.startedAt = Instant.now().toString();
            store.save(r);
            int rc;
            try {
                rc = runtime().run(r.id, Path.of(r.bundle), new ContainerRuntime.CreateOptions(null, null, false, 0,
                        List.of(), r.detached, stdio, monitor));
            } catch (RuntimeException e) {
                failedStart(r, e);
                throw new FrontException(e.getMessage(), exitCodeOf(e));
            }
            if (r.detached) return 0;
            r.status = ContainerRecord.EXITED;
            r.exitCode = rc;
            r.finishedAt = Instant.now().toString();
            try {
                if (r.autoRemove) remove(r, true, true);
                else store.save(r);
            } catch (FrontException e) {
                // removed meanwhile (rm -f from elsewhere)
            }
            return rc;
        } finally {
            FsCalls.close(devNull);
            FsCalls.close(log);
            FsCalls.close(in);
        }
    }

    /** docker run's exit codes for a container that could not start: 127 not found, 126 not executable, else 125. */
    static int exitCodeOf(RuntimeException e) {
        if (e instanceof StageException se && se.label().startsWith("process.args")) {
            if (se.errno() == Errno.ENOENT) return 127;
            if (se.errno() == Errno.EACCES || se.errno() == Errno.ENOEXEC || se.errno() == Errno.EISDIR) return 126;
        }
        if (e instanceof StageException se && se.label().startsWith("process.cwd")) return 126;
        return e instanceof FrontException fe ? fe.exitCode() : 125;
    }

    private void failedStart(ContainerRecord r, RuntimeException e) {
        r.status = ContainerRecord.EXITED;
        r.exitCode = exitCodeOf(e);
        r.error = e.getMessage();
        r.finishedAt = Instant.now().toString();
        try {
            if (r.autoRemove) remove(r, true, true);
            else store.save(r);
        } catch (RuntimeException e2) {
            e.addSuppressed(e2);
        }
    }

    // ---- stop, kill, rm ----

    /** Sends the stop signal, waits up to {@code timeoutSeconds}, then SIGKILL. Quiet if it is not running. */
    public void stop(ContainerRecord r, int timeoutSeconds) {
        Status s = status(r);
        if (!s.running()) return;
        int sig = Proc.signal(r.stopSignal == null ? "SIGTERM" : r.stopSignal);
        if (s.state().equals("paused")) {
            runtime().kill(r.id, 9, true); // a frozen container cannot handle a signal: as docker, kill it
        } else {
            try {
                runtime().kill(r.id, sig, false);
            } catch (RuntimeException e) {
                debug.accept("stop signal: " + e.getMessage());
            }
        }
        if (!waitStopped(r.id, timeoutSeconds * 1000L)) {
            try {
                runtime().kill(r.id, 9, true);
            } catch (RuntimeException e) {
                debug.accept("SIGKILL: " + e.getMessage());
            }
            if (!waitStopped(r.id, 10_000)) throw new FrontException("container " + r.name + " did not stop after SIGKILL");
        }
        refresh(r, 3000);
    }

    /** Sends a signal to the container's process (it must be running). */
    public void kill(ContainerRecord r, int signal) {
        Status s = status(r);
        if (!s.running()) throw new FrontException("Cannot kill container: " + r.name + ": Container " + r.id + " is not running", 1);
        runtime().kill(r.id, signal, false);
        if (signal == 9) {
            waitStopped(r.id, 5000);
            refresh(r, 1000);
        }
    }

    private boolean waitStopped(String id, long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (true) {
            State s = runtimeState(id);
            if (s == null || s.status().equals("stopped")) return true;
            if (System.nanoTime() > end) return false;
            sleep(20);
        }
    }

    /** Removes a container: a running one only with {@code force} (killed). Anonymous volumes go with {@code volumes}. */
    public void remove(ContainerRecord r, boolean force, boolean volumes) {
        Status s = status(r);
        if (s.running() && !force)
            throw new FrontException("cannot remove container \"/" + r.name + "\": container is running: stop the container "
                    + "before removing or force remove", 1);
        if (runtime().store().exists(r.id)) {
            runtime().delete(r.id, true);
            // the monitor writes the exit status once the container is gone: let it, before the directory goes
            if (r.status.equals(ContainerRecord.RUNNING)) {
                long end = System.nanoTime() + 2_000_000_000L;
                while (readExitCode(r.id) == null && System.nanoTime() < end) sleep(20);
            }
        }
        new RootfsManager(images()).remove(r.id);
        if (volumes || r.autoRemove)
            for (String v : r.anonymousVolumes) ImageStore.deleteTree(Path.of(v));
        try (ContainerStore.Lock lock = store.lock()) {
            store.delete(r.id);
        }
    }

    /** The monitor's cleanup when a detached container exits: record the exit; remove it if it was run with --rm. */
    public void cleanup(String id) {
        ContainerRecord r;
        try {
            r = store.load(id);
        } catch (IllegalArgumentException e) {
            return;
        }
        if (r == null) return;
        refresh(r, 3000);
        if (r.autoRemove && !status(r).running()) remove(r, true, true);
    }

    // ---- exec ----

    /** The flags of {@code capsa exec}. */
    public record ExecRequest(List<String> command, List<String> env, String user, String workdir, boolean interactive,
                              boolean tty, boolean detach, boolean privileged) {}

    /** Runs another process in a running container; its exit status (0 when detached). */
    public int exec(ContainerRecord r, ExecRequest x) {
        Status s = status(r);
        if (!s.state().equals("running"))
            throw new FrontException("container " + r.id + " is not running", 1);
        if (x.command().isEmpty()) throw new FrontException("exec: a command is required", 1);
        if (x.tty() && x.detach()) throw new FrontException("exec: -t with -d is not supported (there is nothing to attach to)", 1);
        ProcessSpec base = runtime().containerProcess(r.id);
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : base.env() == null ? List.<String>of() : base.env()) put(env, e);
        if (x.tty()) env.put("TERM", "xterm");
        for (String e : x.env()) {
            if (e.indexOf('=') > 0) put(env, e);
        }
        List<String> envList = new ArrayList<>();
        for (var e : env.entrySet()) envList.add(e.getKey() + "=" + e.getValue());
        User user = base.user();
        if (x.user() != null && !x.user().isEmpty()) {
            ImageUsers.Resolved u = ImageUsers.resolve(Path.of(r.rootfs), x.user());
            user = new User(u.uid(), u.gid(), null, u.additionalGids().isEmpty() ? null : u.additionalGids(), null);
        }
        String cwd = x.workdir() != null && !x.workdir().isEmpty() ? x.workdir() : base.cwd();
        if (cwd != null && !cwd.startsWith("/")) throw new FrontException("exec: the working directory '" + cwd + "' must be absolute", 1);
        var caps = base.capabilities();
        if (x.privileged()) {
            List<String> all = SpecBuilder.hostCapabilities();
            caps = new io.capsa.spec.Capabilities(all, all, null, all, null);
        }
        ProcessSpec p = new ProcessSpec(x.tty(), null, user, x.command(), null, envList, cwd, caps, base.rlimits(),
                base.noNewPrivileges(), base.apparmorProfile(), null, base.scheduler(), base.selinuxLabel(), base.ioPriority(), null);
        int devNull = FsCalls.open(Path.of("/dev/null"), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0);
        try {
            int[] stdio = x.detach() ? new int[] {devNull, devNull, devNull} : new int[] {x.interactive() ? 0 : devNull, 1, 2};
            try {
                return runtime().exec(r.id, new ContainerRuntime.ExecOptions(p, null, null, x.detach(), 0, List.of(), false, stdio));
            } catch (RuntimeException e) {
                throw new FrontException(e.getMessage(), exitCodeOf(e) == 125 ? 126 : exitCodeOf(e));
            }
        } finally {
            FsCalls.close(devNull);
        }
    }

    private static void put(Map<String, String> env, String e) {
        int eq = e.indexOf('=');
        if (eq < 0) env.put(e, "");
        else env.put(e.substring(0, eq), e.substring(eq + 1));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FrontException("interrupted");
        }
    }
}
