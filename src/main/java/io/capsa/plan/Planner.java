package io.capsa.plan;

import static io.capsa.plan.Linux.*;

import io.capsa.spec.Hook;
import io.capsa.spec.LinuxDevice;
import io.capsa.spec.LinuxIdMapping;
import io.capsa.spec.LinuxNamespace;
import io.capsa.spec.LinuxTimeOffset;
import io.capsa.spec.Lsm;
import io.capsa.spec.Mount;
import io.capsa.spec.MountOptions;
import io.capsa.spec.Capability;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.Rlimit;
import io.capsa.spec.RlimitType;
import io.capsa.spec.Spec;
import io.capsa.seccomp.Seccomp;
import io.capsa.stage.Op;
import io.capsa.stage.PlanWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a validated config.json into the native stage's program. All policy lives here: which namespaces are
 * joined or made and in which order, how each mount is done, which devices exist, the order of the privilege
 * drops. The stage only executes.
 */
public final class Planner {
    /** The default devices every container gets (as runc): path, major, minor. */
    private static final Object[][] DEFAULT_DEVICES = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7},
        {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
    };
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /**
     * What a create needs besides config.json.
     * @param fifo the exec fifo the container waits on until start
     * @param consoleSocket the --console-socket path (needed when process.terminal is true), or null
     * @param preserveFds how many fds after stdio pass into the container (LISTEN_FDS + --preserve-fds)
     * @param waitForExit the first stage process waits for the container and exits with its status (run)
     * @param seccompCache where compiled seccomp filters are cached (the runtime uses ROOT/@seccomp-cache), or null
     */
    public record Request(Spec spec, Path bundle, Path fifo, String consoleSocket, int preserveFds, boolean noPivot,
                          boolean waitForExit, CgroupView cgroups, List<String> extraEnv, Path seccompCache,
                          ExitMonitor monitor) {
        public Request(Spec spec, Path bundle, Path fifo, String consoleSocket, int preserveFds, boolean noPivot,
                       boolean waitForExit, CgroupView cgroups, List<String> extraEnv) {
            this(spec, bundle, fifo, consoleSocket, preserveFds, noPivot, waitForExit, cgroups, extraEnv, null, null);
        }

        public Request(Spec spec, Path bundle, Path fifo, String consoleSocket, int preserveFds, boolean noPivot,
                       boolean waitForExit, CgroupView cgroups, List<String> extraEnv, Path seccompCache) {
            this(spec, bundle, fifo, consoleSocket, preserveFds, noPivot, waitForExit, cgroups, extraEnv, seccompCache, null);
        }
    }

    /**
     * What the waiting first stage process of a run does when the container has exited (the EXIT_MONITOR op;
     * needs {@code waitForExit}): write the exit status to {@code statusFile} (if not null), then exec
     * {@code argv} (if not empty) with {@code env} and /dev/null as stdio. {@code setsid}: leave the caller's
     * session first, so the monitor outlives the caller's terminal.
     */
    public record ExitMonitor(Path statusFile, List<String> argv, List<String> env, boolean setsid) {}

    private final Request req;
    private final Spec spec;
    private final ProcessSpec proc;
    private final io.capsa.spec.Linux linux;
    private final PlanWriter w = new PlanWriter();
    private final List<String> warnings = new ArrayList<>();
    private long newFlags;
    private boolean newUserNs, newMountNs, newNetNs, newIpcNs;
    /** linux.seccomp compiled by processSetup; installed by it or, with no_new_privs, by seccompBeforeExec. */
    private Seccomp.Program seccomp;
    private boolean seccompPending;

    private Planner(Request req) {
        this.req = req;
        this.spec = req.spec();
        this.proc = spec.process();
        this.linux = spec.linux() != null ? spec.linux() : new io.capsa.spec.Linux(null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** Plans creating the container of {@code req}. */
    public static Plan create(Request req) {
        return new Planner(req).planCreate();
    }

    private Plan planCreate() {
        Path rootfs = rootfs();
        if (proc == null) throw new PlanException("process: missing (required to create a container)");

        // 1. Namespaces: join the given ones (user first), unshare a new time namespace, clone into the rest.
        List<LinuxNamespace> nss = linux.namespaces() == null ? List.of() : linux.namespaces();
        List<LinuxNamespace> joins = new ArrayList<>();
        for (int i = 0; i < nss.size(); i++) {
            LinuxNamespace ns = nss.get(i);
            long flag = namespaceFlag(ns.type());
            if (flag == 0) throw new PlanException("linux.namespaces[" + i + "].type: unknown namespace type \"" + ns.type() + "\"");
            if (ns.path() != null && !ns.path().isEmpty()) {
                if (ns.type().equals("user")) joins.addFirst(ns); else joins.add(ns);
            } else {
                newFlags |= flag;
            }
        }
        newUserNs = (newFlags & CLONE_NEWUSER) != 0;
        newMountNs = (newFlags & CLONE_NEWNS) != 0;
        newNetNs = (newFlags & CLONE_NEWNET) != 0;
        newIpcNs = (newFlags & CLONE_NEWIPC) != 0;
        if (!newMountNs) throw new PlanException("linux.namespaces: a new mount namespace is required");
        beforeClone("process", proc);
        for (LinuxNamespace ns : joins)
            w.op(Op.SETNS, "linux.namespaces " + ns.type() + " " + ns.path()).str(ns.path()).num(namespaceFlag(ns.type()));
        if ((newFlags & CLONE_NEWTIME) != 0) {
            w.op(Op.UNSHARE, "linux.namespaces time").num(CLONE_NEWTIME);
            String offsets = timeOffsets();
            if (!offsets.isEmpty()) w.op(Op.WRITE_FILE, "linux.timeOffsets").str("/proc/self/timens_offsets").str(offsets);
        }
        if (req.fifo() != null) w.op(Op.OPEN_FIFO, "exec fifo").str(req.fifo().toString());
        if (Boolean.TRUE.equals(proc.terminal())) {
            if (req.consoleSocket() != null) {
                w.op(Op.CONSOLE_SOCKET, "--console-socket").str(req.consoleSocket());
            } else if (req.waitForExit()) {
                // run in the foreground: the waiting stage relays the pty to our own stdio, as runc does
                w.op(Op.CONSOLE_PAIR, "process.terminal");
            } else {
                throw new PlanException("process.terminal: true requires --console-socket");
            }
        } else if (req.consoleSocket() != null) {
            throw new PlanException("--console-socket: given but process.terminal is false");
        }
        if (req.monitor() != null) {
            if (!req.waitForExit()) throw new PlanException("an exit monitor needs a run that waits for the container");
            ExitMonitor m = req.monitor();
            w.op(Op.EXIT_MONITOR, "exit monitor").str(m.statusFile() == null ? "" : m.statusFile().toString())
                    .list(m.argv() == null ? List.of() : m.argv()).list(m.env() == null ? List.of() : m.env())
                    .num(m.setsid() ? 1 : 0);
        }
        long cloneFlags = newFlags & ~(CLONE_NEWTIME | CLONE_NEWCGROUP);
        w.op(Op.CLONE, "clone").num(cloneFlags).num(req.waitForExit() ? Op.CLONE_WAIT : Op.CLONE_DETACH);
        // The runtime writes the id maps and places the process in its cgroup here, before anything else runs.
        w.op(Op.SYNC, "sync " + Plan.SYNC_PID).str(Plan.SYNC_PID);
        if (newUserNs) w.op(Op.SETRESID, "linux.uidMappings (become root in the user namespace)").num(0).num(0);
        if ((newFlags & CLONE_NEWCGROUP) != 0) w.op(Op.UNSHARE, "linux.namespaces cgroup").num(CLONE_NEWCGROUP);
        w.op(Op.SETSID, "setsid");
        // A new network namespace starts with lo down: set it up, as runc does.
        if (newNetNs) w.op(Op.LOOPBACK_UP, "linux.namespaces network (lo up)");

        // 2. Host and domain name.
        if (spec.hostname() != null && !spec.hostname().isEmpty()) {
            if ((newFlags & CLONE_NEWUTS) == 0) throw new PlanException("hostname: needs a new uts namespace");
            w.op(Op.SETHOSTNAME, "hostname").str(spec.hostname());
        }
        if (spec.domainname() != null && !spec.domainname().isEmpty()) {
            if ((newFlags & CLONE_NEWUTS) == 0) throw new PlanException("domainname: needs a new uts namespace");
            w.op(Op.SETDOMAINNAME, "domainname").str(spec.domainname());
        }

        // 3. The root filesystem and its mounts.
        long rootProp = MS_SLAVE | MS_REC;
        if (linux.rootfsPropagation() != null && !linux.rootfsPropagation().isEmpty()) {
            rootProp = MountOptions.propagation(linux.rootfsPropagation());
            if (rootProp < 0) throw new PlanException("linux.rootfsPropagation: unknown propagation \"" + linux.rootfsPropagation() + "\"");
        }
        w.op(Op.MOUNT_PROPAGATION, "linux.rootfsPropagation").str("/").num(rootProp);
        w.op(Op.ROOTFS, "root.path").str(rootfs.toString());
        List<Mount> mounts = spec.mounts() == null ? List.of() : spec.mounts();
        boolean devBound = false, devPts = false, procMounted = false;
        List<String> remountAfterPivot = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            String dest = m.destination();
            if (dest == null || dest.isEmpty()) throw new PlanException("mounts[" + i + "].destination: missing");
            dest = clean(dest.startsWith("/") ? dest : "/" + dest);
            MountOptions.Parsed o = parseOptions(m, i);
            if (dest.equals("/dev") && (o.isBind() || "bind".equals(m.type()))) devBound = true;
            if (dest.equals("/dev/pts")) devPts = true;
            if (dest.equals("/proc")) procMounted = true;
            planMount(m, o, i, dest, remountAfterPivot);
        }

        // 4. /dev: default devices, linux.devices, and the usual links.
        if (!devBound) {
            for (Object[] d : DEFAULT_DEVICES)
                device("default device " + d[0], (String) d[0], 'c', (Integer) d[1], (Integer) d[2], 0666, 0, 0);
        }
        List<LinuxDevice> devices = linux.devices() == null ? List.of() : linux.devices();
        for (int i = 0; i < devices.size(); i++) {
            LinuxDevice d = devices.get(i);
            String f = "linux.devices[" + i + "]";
            if (d.path() == null || !d.path().startsWith("/")) throw new PlanException(f + ".path: must be an absolute path");
            char type = switch (d.type() == null ? "" : d.type()) {
                case "c", "u" -> 'c';
                case "b" -> 'b';
                case "p" -> 'p';
                default -> throw new PlanException(f + ".type: must be one of c, b, u, p (got \"" + d.type() + "\")");
            };
            if (type != 'p' && (d.major() == null || d.minor() == null)) throw new PlanException(f + ": major and minor are required for type " + d.type());
            device(f + " " + d.path(), clean(d.path()), type, d.major() == null ? 0 : d.major(), d.minor() == null ? 0 : d.minor(),
                    d.fileMode() == null ? 0666 : d.fileMode(), d.uid() == null ? 0 : d.uid(), d.gid() == null ? 0 : d.gid());
        }
        if (!devBound) {
            w.op(Op.SYMLINK, "/dev/fd").str("/dev/fd").str("/proc/self/fd");
            w.op(Op.SYMLINK, "/dev/stdin").str("/dev/stdin").str("/proc/self/fd/0");
            w.op(Op.SYMLINK, "/dev/stdout").str("/dev/stdout").str("/proc/self/fd/1");
            w.op(Op.SYMLINK, "/dev/stderr").str("/dev/stderr").str("/proc/self/fd/2");
            if (procMounted && Files.exists(Path.of("/proc/kcore")))
                w.op(Op.SYMLINK, "/dev/core").str("/dev/core").str("/proc/kcore");
            if (devPts) w.op(Op.SYMLINK, "/dev/ptmx").str("/dev/ptmx").str("pts/ptmx");
        }

        // 5. Hooks that run before pivot_root: prestart and createRuntime by the runtime, createContainer here.
        List<Hook> runtimeHooks = new ArrayList<>();
        if (spec.hooks() != null) {
            if (spec.hooks().prestart() != null) runtimeHooks.addAll(spec.hooks().prestart());
            if (spec.hooks().createRuntime() != null) runtimeHooks.addAll(spec.hooks().createRuntime());
        }
        if (!runtimeHooks.isEmpty()) w.op(Op.SYNC, "sync " + Plan.SYNC_HOOKS).str(Plan.SYNC_HOOKS);
        if (spec.hooks() != null) hooks("hooks.createContainer", spec.hooks().createContainer());

        // 6. Into the new root.
        if (req.noPivot()) w.op(Op.CHROOT_MOVE, "--no-pivot"); else w.op(Op.PIVOT_ROOT, "pivot_root");
        if (Boolean.TRUE.equals(proc.terminal())) {
            long rows = 0, cols = 0;
            if (proc.consoleSize() != null) {
                rows = proc.consoleSize().height() == null ? 0 : proc.consoleSize().height();
                cols = proc.consoleSize().width() == null ? 0 : proc.consoleSize().width();
            }
            w.op(Op.CONSOLE, "process.terminal").num(rows).num(cols);
        }
        if (linux.sysctl() != null) {
            for (Map.Entry<String, String> e : linux.sysctl().entrySet()) {
                String key = e.getKey();
                if (key.contains("..") || key.startsWith("/") || key.isEmpty())
                    throw new PlanException("linux.sysctl: invalid key \"" + key + "\"");
                w.op(Op.WRITE_FILE, "linux.sysctl." + key).str("/proc/sys/" + key.replace('.', '/')).str(e.getValue());
            }
        }
        for (String p : remountAfterPivot) w.op(Op.REMOUNT_RO, "mounts " + p + " ro").str(p);
        if (linux.maskedPaths() != null)
            for (int i = 0; i < linux.maskedPaths().size(); i++)
                w.op(Op.MASK, "linux.maskedPaths[" + i + "] " + linux.maskedPaths().get(i)).str(absolute(linux.maskedPaths().get(i), "linux.maskedPaths[" + i + "]"));
        if (linux.readonlyPaths() != null)
            for (int i = 0; i < linux.readonlyPaths().size(); i++)
                w.op(Op.READONLY, "linux.readonlyPaths[" + i + "] " + linux.readonlyPaths().get(i)).str(absolute(linux.readonlyPaths().get(i), "linux.readonlyPaths[" + i + "]"));
        if (spec.root() != null && Boolean.TRUE.equals(spec.root().readonly()))
            w.op(Op.REMOUNT_RO, "root.readonly").str("/");

        // 7. The process: oom score, rlimits, fds, capabilities, user, cwd, then wait for start and exec.
        processSetup("process", proc, req.preserveFds());
        w.op(Op.NOTIFY, "notify " + Plan.NOTIFY_READY).str(Plan.NOTIFY_READY);
        if (req.fifo() != null) w.op(Op.WAIT_START, "wait for start");
        if (spec.hooks() != null) hooks("hooks.startContainer", spec.hooks().startContainer());
        seccompBeforeExec();
        w.op(Op.EXEC, "process.args").list(proc.args()).list(env(proc));

        int[] fds = new int[3 + req.preserveFds()];
        for (int i = 0; i < fds.length; i++) fds[i] = i;
        return new Plan(w, fds, newUserNs ? idMap(linux.uidMappings(), "linux.uidMappings") : null,
                newUserNs ? idMap(linux.gidMappings(), "linux.gidMappings") : null, runtimeHooks, spec, rootfs, warnings);
    }

    /**
     * What an exec needs: the running container's init pid and its config, and the process to run.
     * @param joinUser whether the container has a user namespace of its own (then it is joined too)
     */
    public record ExecRequest(long pid, Spec containerSpec, ProcessSpec process, String consoleSocket,
                              int preserveFds, boolean waitForExit, boolean joinUser, List<String> extraEnv,
                              Path seccompCache) {
        public ExecRequest(long pid, Spec containerSpec, ProcessSpec process, String consoleSocket,
                           int preserveFds, boolean waitForExit, boolean joinUser, List<String> extraEnv) {
            this(pid, containerSpec, process, consoleSocket, preserveFds, waitForExit, joinUser, extraEnv, null);
        }
    }

    /** Plans running {@code req.process()} inside the running container: join its namespaces, then the usual setup. */
    public static Plan exec(ExecRequest req) {
        Planner p = new Planner(new Request(req.containerSpec(), Path.of("/"), null, req.consoleSocket(),
                req.preserveFds(), false, req.waitForExit(), null, req.extraEnv(), req.seccompCache()));
        return p.planExec(req);
    }

    private Plan planExec(ExecRequest x) {
        ProcessSpec p = x.process();
        // Namespaces are joined by /proc/PID/ns paths; the user namespace after the others (we hold every
        // capability over them as the host's root) and the mount namespace last (it changes our root).
        String[] order = {"ipc", "uts", "net", "pid", "cgroup", "time", "user", "mnt"};
        beforeClone("process", p);
        // The console socket is a path on the host (conmon's /tmp/conmon-term.XXXX, containerd-shim's): connect
        // before joining the container's mount namespace, where it does not exist.
        if (Boolean.TRUE.equals(p.terminal())) {
            if (x.consoleSocket() != null) w.op(Op.CONSOLE_SOCKET, "--console-socket").str(x.consoleSocket());
            else if (x.waitForExit()) w.op(Op.CONSOLE_PAIR, "process.terminal");
            else throw new PlanException("process.terminal: true requires --console-socket");
        } else if (x.consoleSocket() != null) {
            throw new PlanException("--console-socket: given but process.terminal is false");
        }
        List<LinuxNamespace> nss = linux.namespaces() == null ? List.of() : linux.namespaces();
        for (String procName : order) {
            if (procName.equals("user") && !x.joinUser()) continue;
            String type = switch (procName) {
                case "net" -> "network";
                case "mnt" -> "mount";
                default -> procName;
            };
            boolean has = false;
            for (LinuxNamespace ns : nss) has |= type.equals(ns.type());
            if (!has) continue;
            w.op(Op.SETNS, "join " + type + " namespace").str("/proc/" + x.pid() + "/ns/" + procName).num(namespaceFlag(type));
        }
        w.op(Op.CLONE, "clone").num(0).num(x.waitForExit() ? Op.CLONE_WAIT : Op.CLONE_DETACH);
        w.op(Op.SYNC, "sync " + Plan.SYNC_PID).str(Plan.SYNC_PID);
        w.op(Op.SETSID, "setsid");
        if (Boolean.TRUE.equals(p.terminal())) {
            long rows = 0, cols = 0;
            if (p.consoleSize() != null) {
                rows = p.consoleSize().height() == null ? 0 : p.consoleSize().height();
                cols = p.consoleSize().width() == null ? 0 : p.consoleSize().width();
            }
            w.op(Op.CONSOLE, "process.terminal").num(rows).num(cols);
        }
        processSetup("process", p, x.preserveFds());
        seccompBeforeExec();
        w.op(Op.EXEC, "process.args").list(p.args()).list(env(p));
        int[] fds = new int[3 + x.preserveFds()];
        for (int i = 0; i < fds.length; i++) fds[i] = i;
        return new Plan(w, fds, null, null, List.of(), spec, null, warnings);
    }

    /**
     * The first ops of create and exec, in the first stage process (the host's root, in the host's namespaces):
     * <ul>
     * <li>non-dumpable (as runc): until it execs the container's process, no stage process can be ptraced, nor its
     *     /proc/PID/{mem,environ,fd,exe} opened, by a process of the container (same uid, same capabilities once
     *     they are dropped); execve makes the container's process dumpable again;</li>
     * <li>the oom score, inherited through the clone: the child can no longer write its own
     *     /proc/self/oom_score_adj once it is non-dumpable and not the host's root (a user namespace), nor find
     *     /proc/self after an exec has joined the container's mount namespace.</li>
     * </ul>
     */
    private void beforeClone(String f, ProcessSpec p) {
        w.op(Op.SET_DUMPABLE, "non-dumpable stage").num(0);
        if (p.oomScoreAdj() != null)
            w.op(Op.WRITE_FILE, f + ".oomScoreAdj").str("/proc/self/oom_score_adj").str(Integer.toString(p.oomScoreAdj()));
    }

    /** The process part shared by create and exec: everything from rlimits to the final checks before exec. */
    private void processSetup(String f, ProcessSpec p, int preserveFds) {
        // LSM labels take effect at the exec: written here, inside the container's /proc, as runc does.
        if (p.apparmorProfile() != null && !p.apparmorProfile().isEmpty()) {
            if (!Lsm.apparmorEnabled())
                throw new PlanException(f + ".apparmorProfile: AppArmor is not enabled on this host (profile \""
                        + p.apparmorProfile() + "\" asked for)");
            w.op(Op.WRITE_FILE, f + ".apparmorProfile").str(Lsm.apparmorExecAttr()).str("exec " + p.apparmorProfile());
        }
        if (p.selinuxLabel() != null && !p.selinuxLabel().isEmpty() && Lsm.selinuxEnabled())
            w.op(Op.WRITE_FILE, f + ".selinuxLabel").str("/proc/self/attr/exec").str(p.selinuxLabel());
        if (p.rlimits() != null) {
            for (int i = 0; i < p.rlimits().size(); i++) {
                Rlimit r = p.rlimits().get(i);
                RlimitType rt = r.type() == null ? null : RlimitType.byName(r.type());
                int res = rt == null ? -1 : rt.resource();
                if (res < 0) throw new PlanException(f + ".rlimits[" + i + "].type: unknown rlimit \"" + r.type() + "\"");
                w.op(Op.SETRLIMIT, f + ".rlimits[" + i + "] " + r.type()).num(res)
                        .num(r.soft() == null ? 0 : r.soft()).num(r.hard() == null ? 0 : r.hard());
            }
        }
        // seccomp as runc orders it: without no_new_privs installing a filter needs CAP_SYS_ADMIN, so before the
        // fds, capabilities and user change; with it as late as possible (right before exec), except that a
        // notify listener is served by the runtime, which waits for the stage only until "ready".
        boolean nnp = Boolean.TRUE.equals(p.noNewPrivileges());
        seccomp = linux.seccomp() == null ? null : Seccomp.compile(linux.seccomp(), req.seccompCache());
        seccompPending = seccomp != null;
        if (seccomp != null && !nnp) installSeccomp();
        w.op(Op.CLOSE_FDS, "close inherited fds").num(3 + preserveFds);
        var caps = p.capabilities();
        w.op(Op.CAPS_BOUNDING, f + ".capabilities.bounding").num(capMask(caps == null ? null : caps.bounding(), f + ".capabilities.bounding"));
        long uid = 0, gid = 0;
        List<Long> groups = List.of();
        long umask = -1;
        if (p.user() != null) {
            uid = p.user().uid() == null ? 0 : p.user().uid();
            gid = p.user().gid() == null ? 0 : p.user().gid();
            if (p.user().additionalGids() != null) groups = p.user().additionalGids();
            if (p.user().umask() != null) umask = p.user().umask();
        }
        long[] g = new long[groups.size()];
        for (int i = 0; i < g.length; i++) g[i] = groups.get(i);
        w.op(Op.USER, f + ".user").num(uid).num(gid).num(umask).nums(g);
        String cwd = p.cwd() == null || p.cwd().isEmpty() ? "/" : p.cwd();
        w.op(Op.CHDIR, f + ".cwd " + cwd).str(cwd);
        long permitted = capMask(caps == null ? null : caps.permitted(), f + ".capabilities.permitted");
        long inheritable = capMask(caps == null ? null : caps.inheritable(), f + ".capabilities.inheritable");
        long ambient = capMask(caps == null ? null : caps.ambient(), f + ".capabilities.ambient");
        long raisable = ambient & permitted & inheritable;
        if (raisable != ambient) {
            // The kernel raises an ambient capability only if it is permitted and inheritable: runc warns
            // and goes on without it, and so do we.
            for (int c = 0; c < 64; c++)
                if ((ambient & ~raisable & (1L << c)) != 0)
                    warnings.add(f + ".capabilities.ambient: can't raise ambient capability " + (c < Capability.NAMES.size() ? Capability.NAMES.get(c) : "CAP_" + c)
                            + ": it is not in both the permitted and the inheritable set");
        }
        w.op(Op.CAPS, f + ".capabilities")
                .num(capMask(caps == null ? null : caps.effective(), f + ".capabilities.effective"))
                .num(permitted).num(inheritable).num(raisable);
        if (Boolean.TRUE.equals(p.noNewPrivileges())) w.op(Op.NO_NEW_PRIVS, f + ".noNewPrivileges");
        if (p.args() == null || p.args().isEmpty()) throw new PlanException(f + ".args: must not be empty");
        w.op(Op.FIND_EXEC, f + ".args[0] " + p.args().getFirst()).str(p.args().getFirst()).str(pathOf(env(p)));
        if (seccompPending && seccomp.hasListener()) installSeccomp();
    }

    /** The filter, when processSetup left it for the end (no_new_privs and no listener): the last op before EXEC. */
    private void seccompBeforeExec() {
        if (seccompPending) installSeccomp();
    }

    private void installSeccomp() {
        w.op(Op.SECCOMP, "linux.seccomp").num(seccomp.flags()).bytes(seccomp.bpf());
        // the runtime copies the notify fd out of the stage and hands it to the agent (see SeccompListener)
        if (seccomp.hasListener())
            w.op(Op.SYNC, "linux.seccomp.listenerPath " + seccomp.listenerPath()).str(Plan.SYNC_SECCOMP);
        seccompPending = false;
    }

    private static long[] longs(List<Long> l) {
        long[] r = new long[l.size()];
        for (int i = 0; i < r.length; i++) r[i] = l.get(i);
        return r;
    }

    private static long capMask(List<String> names, String field) {
        try {
            return Capability.maskOf(names);
        } catch (IllegalArgumentException e) {
            throw new PlanException(field + ": " + e.getMessage());
        }
    }

    private List<String> env(ProcessSpec p) {
        List<String> env = new ArrayList<>(p.env() == null ? List.of() : p.env());
        if (req.extraEnv() != null) env.addAll(req.extraEnv());
        return env;
    }

    private static String pathOf(List<String> env) {
        for (String e : env) if (e.startsWith("PATH=")) return e.substring(5);
        return DEFAULT_PATH;
    }

    private void hooks(String field, List<Hook> hooks) {
        if (hooks == null) return;
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            String f = field + "[" + i + "]";
            if (h.path() == null || !h.path().startsWith("/")) throw new PlanException(f + ".path: must be an absolute path");
            List<String> args = h.args() == null || h.args().isEmpty() ? List.of(h.path()) : h.args();
            w.op(Op.HOOK, f + " " + h.path()).str(h.path()).num(h.timeout() == null ? 0 : h.timeout())
                    .list(args).list(h.env());
        }
    }

    private void device(String label, String path, char type, long major, long minor, long mode, long uid, long gid) {
        if (newUserNs) {
            // mknod is not allowed in a user namespace: bind the host's node instead, as runc does.
            w.op(Op.BIND_DEV, label).str(path).str(path);
        } else {
            w.op(Op.MKNOD, label).str(path).num(type).num(major).num(minor).num(mode & 07777).num(uid).num(gid);
        }
    }

    private MountOptions.Parsed parseOptions(Mount m, int i) {
        try {
            return MountOptions.parse(m.options());
        } catch (IllegalArgumentException e) {
            throw new PlanException("mounts[" + i + "].options: " + e.getMessage());
        }
    }

    private void planMount(Mount m, MountOptions.Parsed o, int i, String dest, List<String> remountAfterPivot) {
        String label = "mounts[" + i + "] " + dest;
        String type = m.type() == null ? "" : m.type();
        long ext = 0;
        long flags = o.flags();
        String source = m.source() == null ? "" : m.source();
        if (type.equals("cgroup")) {
            cgroupMount(m, o, label, dest, remountAfterPivot);
            return;
        }
        if (o.isBind() || type.equals("bind")) {
            flags |= MS_BIND;
            type = "";
            Path src = Path.of(source);
            if (!src.isAbsolute()) src = req.bundle().resolve(src);
            if (!Files.exists(src)) throw new PlanException("mounts[" + i + "].source: " + src + " does not exist");
            source = src.toString();
            ext |= Files.isDirectory(src) ? Op.MNT_MKDIR : Op.MNT_MKFILE;
            if ((flags & BIND_REMOUNT_FLAGS) != 0) ext |= Op.MNT_BIND_REMOUNT;
        } else {
            ext |= Op.MNT_MKDIR;
            if (type.equals("sysfs") && newUserNs && !newNetNs) {
                // sysfs cannot be mounted from a user namespace that does not own the network namespace:
                // bind the host's /sys read-only instead, as runc does.
                source = "/sys";
                type = "";
                flags |= MS_BIND | MS_REC;
                ext |= Op.MNT_BIND_REMOUNT;
            } else if (type.equals("mqueue") && newUserNs && !newIpcNs) {
                source = "/dev/mqueue";
                type = "";
                flags |= MS_BIND | MS_REC;
                ext |= Op.MNT_BIND_REMOUNT;
            }
        }
        if (o.hasRecursiveAttr()) ext |= Op.MNT_RRO;
        if (o.idmap() != null) throw new PlanException("mounts[" + i + "].options: idmapped mounts are not supported yet");
        w.op(Op.MOUNT, label).str(source).str(dest).str(type).num(flags).str(o.data()).num(ext).nums(longs(o.propagation()))
                .num(o.attrSet()).num(o.attrClr());
    }

    private void cgroupMount(Mount m, MountOptions.Parsed o, String label, String dest, List<String> remountAfterPivot) {
        CgroupView cg = req.cgroups();
        long flags = o.flags();
        boolean ro = (flags & MS_RDONLY) != 0;
        if (cg == null) throw new PlanException(label + ": cgroup mount requested but the host has no cgroup hierarchy");
        if (cg.unified()) {
            if ((newFlags & CLONE_NEWCGROUP) != 0) {
                w.op(Op.MOUNT, label).str("cgroup").str(dest).str("cgroup2").num(flags).str("").num(Op.MNT_MKDIR).nums(longs(o.propagation())).num(0).num(0);
            } else {
                Path dir = cg.dirs().get("");
                w.op(Op.MOUNT, label).str(dir.toString()).str(dest).str("").num((flags | MS_BIND | MS_REC))
                        .str("").num(Op.MNT_MKDIR | Op.MNT_BIND_REMOUNT).nums(longs(o.propagation())).num(0).num(0);
            }
            return;
        }
        // cgroup v1: a tmpfs holding one bind mount of the container's own directory per hierarchy.
        w.op(Op.MOUNT, label + " (tmpfs)").str("tmpfs").str(dest).str("tmpfs").num((flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC)
                .str("mode=755").num(Op.MNT_MKDIR).nums(longs(o.propagation())).num(0).num(0);
        for (Map.Entry<String, Path> e : cg.dirs().entrySet()) {
            // the directory a host has for the hierarchy: "name=systemd" at systemd, a hybrid host's cgroup2 ("") at
            // unified (as "" it was mounted over the whole tmpfs, hiding every v1 hierarchy)
            String name = e.getKey().isEmpty() ? "unified" : e.getKey().startsWith("name=") ? e.getKey().substring(5) : e.getKey();
            String sub = dest + "/" + name;
            w.op(Op.MOUNT, label + " " + name).str(e.getValue().toString()).str(sub).str("")
                    .num(flags | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC).str("").num(Op.MNT_MKDIR | Op.MNT_BIND_REMOUNT).nums().num(0).num(0);
        }
        if (ro) remountAfterPivot.add(dest);
    }

    private Path rootfs() {
        if (spec.root() == null || spec.root().path() == null || spec.root().path().isEmpty())
            throw new PlanException("root.path: missing");
        Path p = Path.of(spec.root().path());
        if (!p.isAbsolute()) p = req.bundle().resolve(p);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p))
            throw new PlanException("root.path: " + p + " does not exist or is not a directory");
        return p.normalize();
    }

    private String timeOffsets() {
        Map<String, LinuxTimeOffset> t = linux.timeOffsets();
        if (t == null) return "";
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, LinuxTimeOffset> e : t.entrySet()) {
            String clock = e.getKey();
            if (!clock.equals("monotonic") && !clock.equals("boottime"))
                throw new PlanException("linux.timeOffsets." + clock + ": unknown clock (monotonic or boottime)");
            long s = e.getValue().secs() == null ? 0 : e.getValue().secs();
            long ns = e.getValue().nanosecs() == null ? 0 : e.getValue().nanosecs();
            sb.append(clock).append(' ').append(s).append(' ').append(ns).append('\n');
        }
        return sb.toString();
    }

    private static String idMap(List<LinuxIdMapping> maps, String field) {
        if (maps == null || maps.isEmpty()) throw new PlanException(field + ": a new user namespace needs id mappings");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < maps.size(); i++) {
            LinuxIdMapping m = maps.get(i);
            if (m.containerID() == null || m.hostID() == null || m.size() == null || m.size() == 0)
                throw new PlanException(field + "[" + i + "]: containerID, hostID and a non-zero size are required");
            sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        }
        return sb.toString();
    }

    private static String absolute(String p, String field) {
        if (p == null || !p.startsWith("/")) throw new PlanException(field + ": must be an absolute path");
        return clean(p);
    }

    /** Lexically cleans an absolute path ("//a/./b/../c" -> "/a/c"), never above "/". */
    static String clean(String p) {
        String n = Path.of("/").resolve(p.startsWith("/") ? p.substring(1) : p).normalize().toString();
        while (n.startsWith("/..")) n = n.substring(3).isEmpty() ? "/" : n.substring(3);
        return n;
    }
}
