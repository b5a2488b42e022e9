package io.capsa.runtime;

import io.capsa.cgroup.Cgroup;
import io.capsa.plan.CgroupView;
import io.capsa.plan.DeviceRules;
import io.capsa.plan.Plan;
import io.capsa.plan.Planner;
import io.capsa.seccomp.SeccompListener;
import io.capsa.spec.Hook;
import io.capsa.spec.Json;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.Spec;
import io.capsa.spec.SpecLoader;
import io.capsa.spec.SpecValidator;
import io.capsa.spec.State;
import io.capsa.stage.Op;
import io.capsa.stage.PlanWriter;
import io.capsa.stage.StageException;
import io.capsa.stage.StageProcess;
import io.capsa.state.ContainerState;
import io.capsa.state.StateException;
import io.capsa.state.StateStore;
import io.capsa.sys.Proc;
import io.capsa.sys.Syscall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The OCI lifecycle (create, start, state, kill, delete, run) over a state root. Every method is a function of
 * its arguments and the machine: no hidden global state, so one JVM could serve many commands.
 */
public final class ContainerRuntime {
    public static final String OCI_VERSION = "1.2.1";

    private final StateStore store;
    private final Consumer<String> warn;
    private final Consumer<String> debug;

    private final boolean systemdCgroup;

    public ContainerRuntime(Path root, Consumer<String> warn, Consumer<String> debug) {
        this(root, warn, debug, false);
    }

    /** @param systemdCgroup runc's --systemd-cgroup: cgroupsPath is "slice:prefix:name" for the systemd driver */
    public ContainerRuntime(Path root, Consumer<String> warn, Consumer<String> debug, boolean systemdCgroup) {
        this.store = new StateStore(root);
        this.warn = warn;
        this.debug = debug;
        this.systemdCgroup = systemdCgroup;
    }

    public StateStore store() { return store; }

    /**
     * Options of create and run, as runc's flags.
     * @param stdio this process's fds that become the container's fds 0, 1, 2 (null: our own 0, 1, 2)
     * @param monitor for {@link #run}: what the waiting stage process does when the container exits; with
     *                {@code detach}, run returns once the container runs and the monitor stays behind it
     */
    public record CreateOptions(String consoleSocket, Path pidFile, boolean noPivot, int preserveFds,
                                List<String> extraEnv, boolean detach, int[] stdio, Planner.ExitMonitor monitor) {
        public CreateOptions(String consoleSocket, Path pidFile, boolean noPivot, int preserveFds,
                             List<String> extraEnv, boolean detach) {
            this(consoleSocket, pidFile, noPivot, preserveFds, extraEnv, detach, null, null);
        }

        public CreateOptions {
            if (stdio != null && stdio.length != 3) throw new IllegalArgumentException("stdio: three fds expected");
        }

        public static CreateOptions defaults() { return new CreateOptions(null, null, false, 0, List.of(), true); }
    }

    /** The fds the stage takes: the plan's, with stdio replaced by {@code stdio} if given. */
    private static int[] fds(Plan plan, int[] stdio) {
        int[] fds = plan.parentFds().clone();
        if (stdio != null) System.arraycopy(stdio, 0, fds, 0, Math.min(3, fds.length));
        return fds;
    }

    /** A created container whose first stage process may still be running (run waits on it). */
    private record Created(ContainerState state, StageProcess stage) {}

    /** Creates the container: it then waits in "created" until {@link #start}. */
    public void create(String id, Path bundle, CreateOptions o) {
        release(createInternal(id, bundle, o, false).stage());
    }

    /** Lets the first stage process of a detached create or exec go (it waits for our end of its pipe). */
    private static void release(StageProcess stage) {
        stage.close();
        stage.waitFor();
    }

    private Created createInternal(String id, Path bundle, CreateOptions o, boolean waitForExit) {
        StateStore.checkId(id);
        if (store.exists(id)) throw new StateException("container with id exists: " + id);
        Path b = bundle.toAbsolutePath().normalize();
        Spec spec = SpecLoader.load(b);
        for (String w : SpecValidator.validate(spec, b)) warn.accept(w);
        String cgroupsPath = spec.linux() == null ? null : spec.linux().cgroupsPath();
        Cgroup cgroup = Cgroup.open(cgroupsPath, id, systemdCgroup);
        debug.accept("config loaded and validated");
        Plan plan = Planner.create(new Planner.Request(spec, b, store.fifo(id), o.consoleSocket(), o.preserveFds(),
                o.noPivot(), waitForExit, new CgroupView(cgroup.version() == 2, cgroup.paths()), o.extraEnv(),
                seccompCache(), waitForExit ? o.monitor() : null));
        debug.accept("planned " + plan.ops().labels().size() + " ops");
        plan.warnings().forEach(debug); // accepted as runc does: only worth a word under --debug

        ContainerState st = new ContainerState(id, "creating", b.toString(), plan.rootfs().toString(), null, null,
                Instant.now().toString(), "", cgroup.describe(), spec.annotations(), Json.toJson(spec));
        StageProcess stage = null;
        long pid = 0;
        try (StateStore.Lock lock = store.createDir(id)) {
            store.save(st);
            cgroup.create();
            stage = StageProcess.start(plan.ops(), fds(plan, o.stdio()));
            debug.accept("stage started");
            while (true) {
                StageProcess.Message m = stage.next();
                debug.accept("stage: " + m);
                if (m == null) throw new RuntimeException("container init exited before it was ready (see its output above)");
                switch (m) {
                    case StageProcess.Message.Pid p -> pid = p.pid();
                    case StageProcess.Message.Sync s when s.name().equals(Plan.SYNC_PID) -> {
                        while (pid == 0) {
                            if (!(stage.next() instanceof StageProcess.Message.Pid p)) throw new IllegalStateException("stage protocol: expected the pid");
                            pid = p.pid();
                        }
                        Proc.Stat ps = Proc.stat(pid);
                        st = st.withPid(pid, ps == null ? 0 : ps.startTime());
                        store.save(st);
                        if (plan.uidMap() != null) writeProc(pid, "uid_map", plan.uidMap(), "linux.uidMappings");
                        if (plan.gidMap() != null) writeProc(pid, "gid_map", plan.gidMap(), "linux.gidMappings");
                        cgroup.join(pid);
                        cgroup.apply(DeviceRules.complete(spec.linux() == null ? null : spec.linux().resources(),
                                spec.linux() == null ? null : spec.linux().devices()));
                        stage.ok(stateJson(st, "creating"));
                    }
                    case StageProcess.Message.Sync s when s.name().equals(Plan.SYNC_SECCOMP) -> {
                        SeccompListener.send(pid, spec.linux().seccomp(), pid, stateJson(st, "creating"));
                        stage.ok(null);
                    }
                    case StageProcess.Message.Sync s when s.name().equals(Plan.SYNC_HOOKS) -> {
                        runHooks("hooks.createRuntime", plan.runtimeHooks(), stateJson(st, "creating"), true);
                        stage.ok(null);
                    }
                    case StageProcess.Message.Sync s -> throw new IllegalStateException("stage protocol: unknown sync " + s.name());
                    case StageProcess.Message.Notify n -> {
                        if (!n.name().equals(Plan.NOTIFY_READY)) throw new IllegalStateException("stage protocol: unknown notify " + n.name());
                    }
                }
                if (m instanceof StageProcess.Message.Notify) break;
            }
            st = st.withPhase("created");
            store.save(st);
            if (o.pidFile() != null) writePidFile(o.pidFile(), pid);
            return new Created(st, stage);
        } catch (RuntimeException e) {
            cleanupFailedCreate(id, stage, pid, cgroup, e);
            throw e;
        }
    }

    private void cleanupFailedCreate(String id, StageProcess stage, long pid, Cgroup cgroup, RuntimeException cause) {
        try {
            if (stage != null) {
                stage.abort();
                if (pid > 0) killAndWait(pid);
                stage.destroy(true);
                stage.waitFor();
                stage.close();
            }
            if (cgroup.exists()) {
                cgroup.killAll(9);
                cgroup.destroy();
            }
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        } finally {
            try {
                store.remove(id);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Lets a created container run its process. */
    public void start(String id) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = load(id);
            String status = status(st);
            if (!status.equals("created")) throw new RuntimeException("cannot start a container that is " + status + ": " + id);
            // read before the container runs: engines act when start returns (ctr sets the tty's size then), so
            // as little as possible happens between the fifo write and the exit
            List<Hook> poststart = hooks(st, "poststart");
            Path fifo = store.fifo(id);
            try (FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}));
            } catch (IOException e) {
                throw new UncheckedIOException("starting " + id + ": writing " + fifo + ": " + e.getMessage(), e);
            }
            try {
                Files.deleteIfExists(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException("removing " + fifo + ": " + e.getMessage(), e);
            }
            if (poststart != null) runHooks("hooks.poststart", poststart, stateJson(st, "running"), false);
        }
    }

    /** runc's run: create, start, and unless detached wait for the exit status, then delete. */
    public int run(String id, Path bundle, CreateOptions o) {
        if (o.detach() && o.monitor() != null) return runMonitored(id, bundle, o);
        Created c = createInternal(id, bundle, o, !o.detach());
        if (o.detach()) {
            release(c.stage());
            start(id);
            return 0;
        }
        StageProcess stage = c.stage();
        SignalForwarder fwd = SignalForwarder.install(stage.pid());
        try {
            try {
                start(id);
                // Until the container execs, the stage may still report a failure (a startContainer hook, exec).
                while (stage.next() != null) {
                    // nothing else is expected here
                }
            } catch (StageException e) {
                stage.waitFor();
                throw e;
            }
            return stage.waitFor();
        } finally {
            fwd.uninstall();
            stage.close();
            try {
                delete(id, true);
            } catch (RuntimeException e) {
                warn.accept("deleting " + id + ": " + e.getMessage());
            }
        }
    }

    /**
     * A detached run whose first stage process stays as the container's monitor ({@link CreateOptions#monitor}):
     * created in wait mode and started; returns 0 once the container's process has exec'd (a failure before,
     * such as a missing executable, is thrown). The container keeps its state (as a detached runc run).
     */
    private int runMonitored(String id, Path bundle, CreateOptions o) {
        Created c = createInternal(id, bundle, o, true);
        StageProcess stage = c.stage();
        try {
            start(id);
            while (stage.next() != null) {
                // until the container execs, the stage may still report a failure
            }
            return 0;
        } catch (RuntimeException e) {
            stage.waitFor();
            try {
                delete(id, true);
            } catch (RuntimeException e2) {
                e.addSuppressed(e2);
            }
            throw e;
        } finally {
            stage.close();
        }
    }

    /**
     * Options of exec, as runc's flags; {@code process} is complete (built from --process or the flags).
     * @param stdio this process's fds that become the process's fds 0, 1, 2 (null: our own 0, 1, 2)
     */
    public record ExecOptions(ProcessSpec process, String consoleSocket, Path pidFile, boolean detach,
                              int preserveFds, List<String> extraEnv, boolean ignorePaused, int[] stdio) {
        public ExecOptions(ProcessSpec process, String consoleSocket, Path pidFile, boolean detach,
                           int preserveFds, List<String> extraEnv, boolean ignorePaused) {
            this(process, consoleSocket, pidFile, detach, preserveFds, extraEnv, ignorePaused, null);
        }

        public ExecOptions {
            if (stdio != null && stdio.length != 3) throw new IllegalArgumentException("stdio: three fds expected");
        }
    }

    /** Runs another process in a running container; returns its exit status (0 when detached). */
    public int exec(String id, ExecOptions o) {
        ContainerState st;
        String status;
        try (StateStore.Lock lock = store.lock(id)) {
            st = load(id);
            status = status(st);
        }
        if (status.equals("stopped")) throw new RuntimeException("cannot exec in a stopped container");
        if (status.equals("paused") && !o.ignorePaused()) throw new RuntimeException("cannot exec in a paused container (use --ignore-paused to override)");
        if (status.equals("creating")) throw new RuntimeException("cannot exec in a container that is being created");
        Spec spec = spec(st);
        boolean ownUserNs = false;
        if (spec.linux() != null && spec.linux().namespaces() != null)
            for (var ns : spec.linux().namespaces()) ownUserNs |= ns.type().equals("user");
        Plan plan = Planner.exec(new Planner.ExecRequest(st.pid(), spec, o.process(), o.consoleSocket(), o.preserveFds(),
                !o.detach(), ownUserNs, o.extraEnv(), seccompCache()));
        plan.warnings().forEach(debug); // accepted as runc does: only worth a word under --debug
        Cgroup cgroup = Cgroup.restore(st.cgroupsPath());
        long pid = 0;
        try (StageProcess stage = StageProcess.start(plan.ops(), fds(plan, o.stdio()))) {
            SignalForwarder fwd = o.detach() ? null : SignalForwarder.install(stage.pid());
            try {
                StageProcess.Message m;
                while ((m = stage.next()) != null) {
                    switch (m) {
                        case StageProcess.Message.Pid p -> pid = p.pid();
                        case StageProcess.Message.Sync s when s.name().equals(Plan.SYNC_SECCOMP) -> {
                            SeccompListener.send(pid, spec.linux().seccomp(), pid, stateJson(st, status));
                            stage.ok(null);
                        }
                        case StageProcess.Message.Sync s -> {
                            while (pid == 0) {
                                if (!(stage.next() instanceof StageProcess.Message.Pid p)) throw new IllegalStateException("stage protocol: expected the pid");
                                pid = p.pid();
                            }
                            if (cgroup.exists()) cgroup.join(pid);
                            if (o.pidFile() != null) writePidFile(o.pidFile(), pid);
                            stage.ok(stateJson(st, status));
                        }
                        case StageProcess.Message.Notify n -> { }
                    }
                }
            } catch (RuntimeException e) {
                stage.abort();
                if (pid > 0) killAndWait(pid);
                stage.close();
                stage.waitFor();
                throw e;
            } finally {
                if (fwd != null) fwd.uninstall();
            }
            stage.close(); // a detached exec's first stage process waits for this
            int rc = stage.waitFor();
            return o.detach() ? 0 : rc;
        }
    }

    /** The process of the container's config, the base an exec without --process starts from. */
    public ProcessSpec containerProcess(String id) {
        ContainerState st = load(id);
        Spec spec = spec(st);
        if (spec.process() == null) throw new RuntimeException("container " + id + " has no process in its config");
        return spec.process();
    }

    /** The state JSON of the runtime spec. */
    public State state(String id) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = store.load(id);
            if (st == null) return new State(OCI_VERSION, id, "creating", 0, null, null);
            return toState(st, status(st));
        }
    }

    /** Every container's state, for list. */
    public List<Listed> list() {
        List<Listed> out = new ArrayList<>();
        for (String id : store.ids()) {
            ContainerState st;
            try {
                st = store.load(id);
            } catch (StateException e) {
                continue; // deleted meanwhile
            }
            if (st == null) {
                out.add(new Listed(new State(OCI_VERSION, id, "creating", 0, null, null), null, null, ""));
                continue;
            }
            out.add(new Listed(toState(st, status(st)), st.rootfs(), st.created(), st.owner()));
        }
        return out;
    }

    /** A row of list: the state and the extra columns runc shows. */
    public record Listed(State state, String rootfs, String created, String owner) {}

    /** Sends a signal to the container's init, or with {@code all} to every process in its cgroup. */
    public void kill(String id, int signal, boolean all) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = load(id);
            String status = status(st);
            if (status.equals("stopped") && !all) throw new RuntimeException("container not running");
            if (all) {
                Cgroup.restore(st.cgroupsPath()).killAll(signal);
                return;
            }
            signal(st.pid(), signal);
        }
    }

    /** Removes a container; a running one only with {@code force}. Poststop hooks run after. */
    public void delete(String id, boolean force) {
        if (!store.exists(id)) {
            if (force) return;
            throw new StateException("container does not exist: " + id);
        }
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = store.load(id);
            if (st == null) { // a create that died before writing its state
                store.remove(id);
                return;
            }
            String status = status(st);
            if ((status.equals("running") || status.equals("paused")) && !force)
                throw new RuntimeException("cannot delete container " + id + " that is not stopped: " + status);
            Cgroup cgroup = Cgroup.restore(st.cgroupsPath());
            if (!status.equals("stopped") || cgroup.exists()) {
                if (cgroup.exists()) {
                    if (cgroup.isFrozen()) cgroup.thaw();
                    cgroup.killAll(9);
                }
                if (st.pid() != null && Proc.alive(st.pid(), st.pidStartTime())) killAndWait(st.pid());
                waitEmpty(cgroup);
            }
            cgroup.destroy();
            List<Hook> poststop = hooks(st, "poststop");
            store.remove(id);
            if (poststop != null) runHooks("hooks.poststop", poststop, stateJson(st, "stopped"), false);
        }
    }

    // ---- helpers ----

    /**
     * Where compiled seccomp filters are cached: in the root, under a name that is not a valid container id (so
     * list never shows it and no container can take it).
     */
    private Path seccompCache() {
        return store.root().resolve("@seccomp-cache");
    }

    private ContainerState load(String id) {
        ContainerState st = store.load(id);
        if (st == null) throw new StateException("container " + id + " is still being created");
        return st;
    }

    /** created, running, paused or stopped, derived from the process and the exec fifo. */
    public String status(ContainerState st) {
        if (st.phase().equals("creating")) return "creating";
        if (st.pid() == null || !Proc.alive(st.pid(), st.pidStartTime())) return "stopped";
        if (Files.exists(store.fifo(st.id()))) return "created";
        try {
            if (Cgroup.restore(st.cgroupsPath()).isFrozen()) return "paused";
        } catch (RuntimeException ignored) {
            // no freezer: cannot be paused
        }
        return "running";
    }

    private State toState(ContainerState st, String status) {
        long pid = status.equals("stopped") ? 0 : (st.pid() == null ? 0 : st.pid());
        return new State(OCI_VERSION, st.id(), status, (int) pid, st.bundle(), st.annotations());
    }

    private String stateJson(ContainerState st, String status) {
        return Json.toJson(new State(OCI_VERSION, st.id(), status, st.pid() == null ? 0 : st.pid().intValue(), st.bundle(), st.annotations()));
    }

    private static Spec spec(ContainerState st) {
        return st.configJson() == null ? null : SpecLoader.parse(st.configJson(), Spec.class, "state.json config");
    }

    /**
     * The config's hooks of one kind ("poststart", "poststop"), or null if it has none. The config is parsed only
     * when its text names the kind: binding the whole Spec costs a cold JVM tens of milliseconds, and start and
     * delete need nothing else from it. The text is our own serialization (create stores Json.toJson(spec)), so
     * a property name is never written with escapes.
     */
    private static List<Hook> hooks(ContainerState st, String kind) {
        if (st.configJson() == null || !st.configJson().contains("\"" + kind + "\"")) return null;
        Spec spec = spec(st);
        if (spec.hooks() == null) return null;
        return kind.equals("poststart") ? spec.hooks().poststart() : spec.hooks().poststop();
    }

    /**
     * Runs hooks in the runtime's namespaces through the native stage (one HOOK op each: argv[0] as given,
     * the state on stdin, the timeout enforced). A failure stops the remaining hooks when {@code fatal}, and is
     * only warned about otherwise (poststart, poststop), as the runtime spec says.
     */
    private void runHooks(String field, List<Hook> hooks, String state, boolean fatal) {
        if (hooks == null || hooks.isEmpty()) return;
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            PlanWriter w = new PlanWriter();
            w.op(Op.SYNC, "state").str("state");
            w.op(Op.HOOK, field + "[" + i + "] " + h.path()).str(h.path()).num(h.timeout() == null ? 0 : h.timeout())
                    .list(h.args() == null || h.args().isEmpty() ? List.of(h.path()) : h.args()).list(h.env());
            try (StageProcess s = StageProcess.start(w, new int[] {0, 1, 2})) {
                while (true) {
                    StageProcess.Message m = s.next();
                    if (m == null) break;
                    if (m instanceof StageProcess.Message.Sync) s.ok(state);
                }
                s.waitFor();
            } catch (StageException e) {
                if (fatal) throw new RuntimeException("error running hook: " + e.getMessage(), e);
                warn.accept("error running hook: " + e.getMessage());
            }
        }
    }

    private static void writeProc(long pid, String file, String content, String field) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/" + file), content);
        } catch (IOException e) {
            throw new RuntimeException(field + ": writing /proc/" + pid + "/" + file + ": " + e.getMessage(), e);
        }
    }

    private static void writePidFile(Path pidFile, long pid) {
        try {
            Path abs = pidFile.toAbsolutePath();
            Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
            Files.writeString(tmp, Long.toString(pid), StandardCharsets.US_ASCII);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("--pid-file " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /** Sends a signal; TERM and KILL through the JDK, any other through kill(2). */
    static void signal(long pid, int signal) {
        if (signal == 15 || signal == 9) {
            var h = ProcessHandle.of(pid);
            if (h.isEmpty()) throw new RuntimeException("container not running");
            if (signal == 9) h.get().destroyForcibly(); else h.get().destroy();
            return;
        }
        Syscall.kill(pid, signal);
    }

    private static void killAndWait(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            Proc.Stat s = Proc.stat(pid);
            if (s == null || s.state() == 'Z' || s.state() == 'X') return;
            sleep(2);
        }
    }

    private static void waitEmpty(Cgroup cgroup) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (cgroup.exists() && !cgroup.pids().isEmpty() && System.nanoTime() < deadline) sleep(2);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
