package io.capsa.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic checks of a parsed {@link Spec}, following what runc refuses (libcontainer/configs/validate,
 * specconv, utils_linux.go) plus the MUSTs of the runtime-spec. The first problem found is thrown as a
 * {@link SpecException} whose message is {@code <json path>: <what is wrong>}; things runc only warns about are
 * returned as warnings (same format).
 */
public final class SpecValidator {
    private SpecValidator() {
    }

    private static final Set<String> SCHED_POLICIES = Set.of("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",
            "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
    private static final Set<String> SCHED_FLAGS = Set.of("SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
            "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS",
            "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");
    private static final Set<String> IO_CLASSES = Set.of("IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
    /** sysctls namespaced by the ipc namespace (plus the fs.mqueue.* prefix). */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");
    private static final Pattern CPU_LIST = Pattern.compile("^[0-9, -]*$");
    private static final Pattern CPU_RANGE = Pattern.compile("\\s*([0-9]+)\\s*(?:-\\s*([0-9]+)\\s*)?");
    private static final Pattern PROC_NS = Pattern.compile("/proc/([0-9]+|self|thread-self)/ns/user");
    private static final List<String> HOOK_KINDS = List.of("prestart", "createRuntime", "createContainer",
            "startContainer", "poststart", "poststop");

    /** Validates a spec for create/run (process required). Returns warnings. */
    public static List<String> validate(Spec spec, Path bundleDir) {
        return validate(spec, bundleDir, true);
    }

    /**
     * Validates {@code spec} of the bundle in {@code bundleDir}.
     *
     * @param processRequired whether a missing {@code process} is an error (runc requires it for create/run)
     * @return warnings (things runc accepts with a warning), never null
     * @throws SpecException naming the first invalid field
     */
    public static List<String> validate(Spec spec, Path bundleDir, boolean processRequired) {
        List<String> warnings = new ArrayList<>();
        if (spec == null) {
            throw err("", "config is empty");
        }
        noNullElements(spec, Spec.class, "");
        checkVersion(spec.ociVersion());
        checkRoot(spec, bundleDir);
        if (spec.process() == null) {
            if (processRequired) {
                throw err("process", "required");
            }
        } else {
            validateProcess(spec.process(), "process");
        }
        if (notEmpty(spec.hostname()) && !Namespaces.UTS.in(spec)) {
            throw err("hostname", "requires a uts namespace in linux.namespaces");
        }
        if (notEmpty(spec.domainname()) && !Namespaces.UTS.in(spec)) {
            throw err("domainname", "requires a uts namespace in linux.namespaces");
        }
        checkMounts(spec, warnings);
        checkHooks(spec.hooks());
        if (spec.linux() != null) {
            checkLinux(spec, spec.linux());
        }
        return List.copyOf(warnings);
    }

    /** Where the container's root filesystem is: root.path, relative to the bundle directory if not absolute. */
    public static Path rootfs(Spec spec, Path bundleDir) {
        Path p = Path.of(spec.root().path());
        return (p.isAbsolute() ? p : bundleDir.toAbsolutePath().resolve(p)).normalize();
    }

    // ---- top level -------------------------------------------------------------------------------------------

    private static void checkVersion(String v) {
        if (v == null || v.isEmpty()) {
            throw err("ociVersion", "required");
        }
        int major = OciVersion.major(v);
        if (major < 0) {
            throw err("ociVersion", q(v) + " is not a valid version (expected MAJOR.MINOR.PATCH)");
        }
        if (major != OciVersion.MAJOR) {
            throw err("ociVersion", "unsupported version " + q(v) + " (supported: " + OciVersion.MIN + " to "
                    + OciVersion.CURRENT + ")");
        }
    }

    private static void checkRoot(Spec spec, Path bundleDir) {
        if (spec.root() == null) {
            throw err("root", "required");
        }
        if (spec.root().path() == null || spec.root().path().isEmpty()) {
            throw err("root.path", "required");
        }
        noNul("root.path", spec.root().path());
        Path base = bundleDir.toAbsolutePath().normalize();
        try {
            base = base.toRealPath();
        } catch (IOException e) {
            // keep the lexical path; the rootfs check below reports the problem
        }
        Path p = Path.of(spec.root().path());
        Path rootfs = (p.isAbsolute() ? p : base.resolve(p)).normalize();
        if (!Files.exists(rootfs)) {
            throw err("root.path", rootfs + " does not exist");
        }
        if (!Files.isDirectory(rootfs)) {
            throw err("root.path", rootfs + " is not a directory");
        }
        try {
            Path real = rootfs.toRealPath();
            if (!real.equals(rootfs)) {
                // runc: "invalid rootfs: not an absolute path, or a symlink"
                throw err("root.path", rootfs + " is or goes through a symlink (to " + real + ")");
            }
        } catch (IOException e) {
            throw err("root.path", rootfs + ": " + e.getMessage());
        }
    }

    // ---- process ---------------------------------------------------------------------------------------------

    /**
     * Checks a process object (config.json's {@code process}, or a process.json for exec).
     *
     * @param path JSON path prefix used in messages, e.g. "process" (or "" for a process.json)
     */
    public static void validateProcess(ProcessSpec p, String path) {
        String pre = path == null || path.isEmpty() ? "" : path + ".";
        noNullElements(p, ProcessSpec.class, path == null ? "" : path);
        if (p.args() == null || p.args().isEmpty()) {
            throw err(pre + "args", "must not be empty");
        }
        for (int i = 0; i < p.args().size(); i++) {
            if (p.args().get(i) == null) {
                throw err(pre + "args[" + i + "]", "must be a string, not null");
            }
            noNul(pre + "args[" + i + "]", p.args().get(i));
        }
        if (p.cwd() == null || p.cwd().isEmpty()) {
            throw err(pre + "cwd", "required");
        }
        if (!p.cwd().startsWith("/")) {
            throw err(pre + "cwd", "must be an absolute path, got " + q(p.cwd()));
        }
        noNul(pre + "cwd", p.cwd());
        if (p.env() != null) {
            for (int i = 0; i < p.env().size(); i++) {
                String e = p.env().get(i);
                String at = pre + "env[" + i + "]";
                if (e == null) {
                    throw err(at, "must be a string, not null");
                }
                noNul(at, e);
                int eq = e.indexOf('=');
                if (eq < 0) {
                    throw err(at, q(e) + " is not NAME=VALUE");
                }
                if (eq == 0) {
                    throw err(at, q(e) + " has an empty name");
                }
            }
        }
        ConsoleSize cs = p.consoleSize();
        if (cs != null) {
            checkConsoleDim(pre + "consoleSize.height", cs.height());
            checkConsoleDim(pre + "consoleSize.width", cs.width());
        }
        User u = p.user();
        if (u != null && u.umask() != null && (u.umask() < 0 || u.umask() > 0777)) {
            throw err(pre + "user.umask", u.umask() + " is not a umask (0 to 0777)");
        }
        if (p.capabilities() != null) {
            Capabilities c = p.capabilities();
            checkCaps(pre + "capabilities.bounding", c.bounding());
            checkCaps(pre + "capabilities.effective", c.effective());
            checkCaps(pre + "capabilities.inheritable", c.inheritable());
            checkCaps(pre + "capabilities.permitted", c.permitted());
            checkCaps(pre + "capabilities.ambient", c.ambient());
        }
        if (p.rlimits() != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < p.rlimits().size(); i++) {
                Rlimit r = p.rlimits().get(i);
                String at = pre + "rlimits[" + i + "]";
                if (r == null) {
                    throw err(at, "must be an object, not null");
                }
                if (r.type() == null || r.type().isEmpty()) {
                    throw err(at + ".type", "required");
                }
                if (RlimitType.byName(r.type()) == null) {
                    throw err(at + ".type", "unknown rlimit " + q(r.type()));
                }
                if (!seen.add(r.type())) {
                    throw err(at + ".type", "duplicate rlimit " + q(r.type()));
                }
                if (r.soft() == null) {
                    throw err(at + ".soft", "required");
                }
                if (r.hard() == null) {
                    throw err(at + ".hard", "required");
                }
                if (Long.compareUnsigned(r.soft(), r.hard()) > 0) {
                    throw err(at, "soft limit " + UInt.u64String(r.soft()) + " is above hard limit "
                            + UInt.u64String(r.hard()));
                }
            }
        }
        if (p.oomScoreAdj() != null && (p.oomScoreAdj() < -1000 || p.oomScoreAdj() > 1000)) {
            throw err(pre + "oomScoreAdj", p.oomScoreAdj() + " is out of range (-1000 to 1000)");
        }
        // apparmorProfile and selinuxLabel depend on the host's LSMs: the planner decides (io.capsa.plan.Lsm)
        if (p.scheduler() != null) {
            checkScheduler(pre + "scheduler", p.scheduler());
        }
        if (p.ioPriority() != null) {
            IOPriority io = p.ioPriority();
            if (io.ioClass() == null || io.ioClass().isEmpty()) {
                throw err(pre + "ioPriority.class", "required");
            }
            if (!IO_CLASSES.contains(io.ioClass())) {
                throw err(pre + "ioPriority.class", "unknown class " + q(io.ioClass())
                        + " (expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)");
            }
            if (io.priority() != null && (io.priority() < 0 || io.priority() > 7)) {
                throw err(pre + "ioPriority.priority", io.priority() + " is out of range (0 to 7)");
            }
        }
        if (p.execCPUAffinity() != null) {
            checkCpuList(pre + "execCPUAffinity.initial", p.execCPUAffinity().initial());
            checkCpuList(pre + "execCPUAffinity.final", p.execCPUAffinity().finalCpus());
        }
    }

    private static void checkConsoleDim(String at, Long v) {
        if (v == null) {
            throw err(at, "required");
        }
        if (v < 0 || v > 0xFFFF) {
            throw err(at, UInt.u64String(v) + " is out of range (0 to 65535)");
        }
    }

    private static void checkCaps(String at, List<String> caps) {
        if (caps == null) {
            return;
        }
        for (int i = 0; i < caps.size(); i++) {
            if (Capability.byName(caps.get(i)) == null) {
                throw err(at + "[" + i + "]", "unknown capability " + q(caps.get(i)));
            }
        }
    }

    private static void checkScheduler(String at, Scheduler s) {
        String policy = s.policy();
        if (policy == null || policy.isEmpty()) {
            throw err(at + ".policy", "required");
        }
        if (!SCHED_POLICIES.contains(policy)) {
            throw err(at + ".policy", "unknown policy " + q(policy));
        }
        if (s.nice() != null && (s.nice() < -20 || s.nice() > 19)) {
            throw err(at + ".nice", s.nice() + " is out of range (-20 to 19)");
        }
        if (s.priority() != null && s.priority() != 0
                && !policy.equals("SCHED_FIFO") && !policy.equals("SCHED_RR")) {
            throw err(at + ".priority", "can only be set with SCHED_FIFO or SCHED_RR");
        }
        if (!policy.equals("SCHED_DEADLINE") && (nonZero(s.runtime()) || nonZero(s.deadline())
                || nonZero(s.period()))) {
            throw err(at, "runtime, deadline and period can only be set with SCHED_DEADLINE");
        }
        if (s.flags() != null) {
            for (int i = 0; i < s.flags().size(); i++) {
                if (!SCHED_FLAGS.contains(s.flags().get(i))) {
                    throw err(at + ".flags[" + i + "]", "unknown flag " + q(s.flags().get(i)));
                }
            }
        }
    }

    private static void checkCpuList(String at, String list) {
        if (list == null || list.isEmpty()) {
            return;
        }
        if (!CPU_LIST.matcher(list).matches()) {
            throw err(at, q(list) + " is not a CPU list like \"0-3,7\"");
        }
        for (String part : list.split(",", -1)) {
            Matcher m = CPU_RANGE.matcher(part);
            if (!m.matches()) {
                throw err(at, q(list) + " is not a CPU list like \"0-3,7\"");
            }
            if (m.group(2) != null && Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
                throw err(at, q(list) + ": range " + part.trim() + " is reversed");
            }
        }
    }

    // ---- mounts and hooks ------------------------------------------------------------------------------------

    private static void checkMounts(Spec spec, List<String> warnings) {
        if (spec.mounts() == null) {
            return;
        }
        for (int i = 0; i < spec.mounts().size(); i++) {
            Mount m = spec.mounts().get(i);
            String at = "mounts[" + i + "]";
            if (m == null) {
                throw err(at, "must be an object, not null");
            }
            if (m.destination() == null || m.destination().isEmpty()) {
                throw err(at + ".destination", "required");
            }
            noNul(at + ".destination", m.destination());
            noNul(at + ".source", m.source());
            noNul(at + ".type", m.type());
            if (!m.destination().startsWith("/")) {
                // runc: relative destinations are deprecated and used relative to "/"
                warnings.add(at + ".destination: " + q(m.destination())
                        + " is not absolute; it is used relative to /");
            }
            if (m.uidMappings() != null || m.gidMappings() != null) {
                throw err(at + (m.uidMappings() != null ? ".uidMappings" : ".gidMappings"),
                        "id-mapped mounts are not supported");
            }
            if (m.options() != null) {
                for (int j = 0; j < m.options().size(); j++) {
                    String o = m.options().get(j);
                    if (o == null) {
                        throw err(at + ".options[" + j + "]", "must be a string, not null");
                    }
                    noNul(at + ".options[" + j + "]", o);
                    MountOptions.Option opt = MountOptions.lookup(o);
                    if (opt != null && opt.kind() == MountOptions.Kind.IDMAP) {
                        throw err(at + ".options[" + j + "]", q(o) + ": id-mapped mounts are not supported");
                    }
                }
            }
            if (MountOptions.parse(m.options()).isBind() && (m.source() == null || m.source().isEmpty())) {
                throw err(at + ".source", "required for a bind mount");
            }
        }
    }

    private static void checkHooks(Hooks h) {
        if (h == null) {
            return;
        }
        List<List<Hook>> lists = List.of(nz(h.prestart()), nz(h.createRuntime()), nz(h.createContainer()),
                nz(h.startContainer()), nz(h.poststart()), nz(h.poststop()));
        for (int k = 0; k < lists.size(); k++) {
            List<Hook> list = lists.get(k);
            for (int i = 0; i < list.size(); i++) {
                Hook hook = list.get(i);
                String at = "hooks." + HOOK_KINDS.get(k) + "[" + i + "]";
                if (hook == null) {
                    throw err(at, "must be an object, not null");
                }
                if (hook.path() == null || hook.path().isEmpty()) {
                    throw err(at + ".path", "required");
                }
                if (!hook.path().startsWith("/")) {
                    throw err(at + ".path", "must be an absolute path, got " + q(hook.path()));
                }
                noNul(at + ".path", hook.path());
                if (hook.timeout() != null && hook.timeout() <= 0) {
                    throw err(at + ".timeout", "must be greater than zero");
                }
            }
        }
    }

    // ---- linux -----------------------------------------------------------------------------------------------

    private static void checkLinux(Spec spec, Linux l) {
        Set<String> seen = new HashSet<>();
        if (l.namespaces() != null) {
            for (int i = 0; i < l.namespaces().size(); i++) {
                LinuxNamespace ns = l.namespaces().get(i);
                String at = "linux.namespaces[" + i + "]";
                if (ns == null) {
                    throw err(at, "must be an object, not null");
                }
                if (ns.type() == null || ns.type().isEmpty()) {
                    throw err(at + ".type", "required");
                }
                if (Namespaces.ofType(ns.type()) == null) {
                    throw err(at + ".type", "unknown namespace type " + q(ns.type()) + " (expected one of "
                            + String.join(", ", Namespaces.TYPES) + ")");
                }
                if (!seen.add(ns.type())) {
                    throw err(at + ".type", "duplicate namespace " + q(ns.type()));
                }
                if (notEmpty(ns.path())) {
                    noNul(at + ".path", ns.path());
                    if (!ns.path().startsWith("/")) {
                        throw err(at + ".path", "must be an absolute path, got " + q(ns.path()));
                    }
                    if (!Files.exists(Path.of(ns.path()))) {
                        throw err(at + ".path", ns.path() + " does not exist");
                    }
                }
            }
        }
        checkUserNamespace(spec, l);
        // time namespace
        if (l.timeOffsets() != null) {
            LinuxNamespace time = Namespaces.TIME.find(spec);
            if (time == null) {
                throw err("linux.timeOffsets", "requires a time namespace in linux.namespaces");
            }
            if (notEmpty(time.path())) {
                throw err("linux.timeOffsets", "cannot be set when joining an existing time namespace");
            }
            for (Map.Entry<String, LinuxTimeOffset> e : l.timeOffsets().entrySet()) {
                String at = key("linux.timeOffsets", e.getKey());
                if (!e.getKey().equals("monotonic") && !e.getKey().equals("boottime")) {
                    throw err(at, "unknown clock " + q(e.getKey()) + " (expected monotonic or boottime)");
                }
                if (e.getValue() != null && e.getValue().nanosecs() != null
                        && e.getValue().nanosecs() >= 1_000_000_000L) {
                    throw err(at + ".nanosecs", "must be below 1000000000");
                }
            }
        }
        checkSysctl(spec, l);
        if (l.devices() != null) {
            for (int i = 0; i < l.devices().size(); i++) {
                checkDevice("linux.devices[" + i + "]", l.devices().get(i));
            }
        }
        if (l.resources() != null) {
            checkResources(l.resources());
        }
        if (notEmpty(l.rootfsPropagation()) && MountOptions.propagation(l.rootfsPropagation()) < 0) {
            throw err("linux.rootfsPropagation", "unknown propagation " + q(l.rootfsPropagation())
                    + " (expected shared, slave, private, unbindable or their r* forms)");
        }
        checkPaths(spec, "linux.maskedPaths", l.maskedPaths());
        checkPaths(spec, "linux.readonlyPaths", l.readonlyPaths());
        if (l.seccomp() != null) {
            checkSeccomp(l.seccomp());
        }
        if (l.personality() != null) {
            String d = l.personality().domain();
            if (!"LINUX".equals(d) && !"LINUX32".equals(d)) {
                throw err("linux.personality.domain", "unknown domain " + q(d) + " (expected LINUX or LINUX32)");
            }
        }
        if (l.intelRdt() != null) {
            LinuxIntelRdt r = l.intelRdt();
            String id = r.closID();
            if (id != null && (id.equals(".") || id.equals("..") || id.contains("/"))) {
                throw err("linux.intelRdt.closID", "invalid " + q(id));
            }
            if (notEmpty(r.closID()) || notEmpty(r.l3CacheSchema()) || notEmpty(r.memBwSchema())
                    || Boolean.TRUE.equals(r.enableCMT()) || Boolean.TRUE.equals(r.enableMBM())) {
                throw err("linux.intelRdt", "Intel RDT is not supported");
            }
        }
        if (l.netDevices() != null && !l.netDevices().isEmpty()) {
            if (!Namespaces.NETWORK.in(spec)) {
                throw err("linux.netDevices", "requires a network namespace in linux.namespaces");
            }
            Set<String> targets = new HashSet<>();
            for (Map.Entry<String, LinuxNetDevice> e : l.netDevices().entrySet()) {
                String at = key("linux.netDevices", e.getKey());
                if (!validIfName(e.getKey())) {
                    throw err(at, q(e.getKey()) + " is not a valid interface name");
                }
                String target = e.getValue() != null && notEmpty(e.getValue().name())
                        ? e.getValue().name() : e.getKey();
                if (!validIfName(target)) {
                    throw err(at + ".name", q(target) + " is not a valid interface name");
                }
                if (!targets.add(target)) {
                    throw err(at + ".name", "duplicate interface name " + q(target) + " in the container");
                }
            }
        }
    }

    private static void checkUserNamespace(Spec spec, Linux l) {
        LinuxNamespace user = Namespaces.USER.find(spec);
        boolean mappings = l.uidMappings() != null || l.gidMappings() != null;
        if (user == null) {
            if (mappings) {
                throw err(l.uidMappings() != null ? "linux.uidMappings" : "linux.gidMappings",
                        "requires a user namespace in linux.namespaces");
            }
            return;
        }
        checkMappings("linux.uidMappings", l.uidMappings());
        checkMappings("linux.gidMappings", l.gidMappings());
        if (notEmpty(user.path())) {
            if (mappings) {
                // runc accepts mappings with a userns path only if they equal the namespace's own mappings
                Matcher m = PROC_NS.matcher(user.path());
                if (!m.matches()) {
                    throw err("linux.uidMappings", "cannot be combined with joining an existing user namespace");
                }
                Path proc = Path.of("/proc", m.group(1));
                if (!sameMappings(proc.resolve("uid_map"), l.uidMappings())) {
                    throw err("linux.uidMappings",
                            "cannot be combined with joining an existing user namespace with other mappings");
                }
                if (!sameMappings(proc.resolve("gid_map"), l.gidMappings())) {
                    throw err("linux.gidMappings",
                            "cannot be combined with joining an existing user namespace with other mappings");
                }
            }
            return;
        }
        if (l.uidMappings() == null || l.uidMappings().isEmpty()) {
            throw err("linux.uidMappings", "required with a new user namespace");
        }
        if (l.gidMappings() == null || l.gidMappings().isEmpty()) {
            throw err("linux.gidMappings", "required with a new user namespace");
        }
        if (!mapsRoot(l.uidMappings())) {
            throw err("linux.uidMappings", "container uid 0 (root) is not mapped");
        }
        if (!mapsRoot(l.gidMappings())) {
            throw err("linux.gidMappings", "container gid 0 (root) is not mapped");
        }
    }

    private static void checkMappings(String at, List<LinuxIdMapping> maps) {
        if (maps == null) {
            return;
        }
        for (int i = 0; i < maps.size(); i++) {
            LinuxIdMapping m = maps.get(i);
            if (m == null) {
                throw err(at + "[" + i + "]", "must be an object, not null");
            }
            if (m.size() == null || m.size() == 0) {
                throw err(at + "[" + i + "].size", "must be greater than zero");
            }
            long cid = m.containerID() == null ? 0 : m.containerID();
            long hid = m.hostID() == null ? 0 : m.hostID();
            if (cid + m.size() - 1 > UInt.U32_MAX || hid + m.size() - 1 > UInt.U32_MAX) {
                throw err(at + "[" + i + "]", "range goes beyond id 4294967295");
            }
        }
    }

    private static boolean mapsRoot(List<LinuxIdMapping> maps) {
        for (LinuxIdMapping m : maps) {
            long cid = m.containerID() == null ? 0 : m.containerID();
            if (cid == 0 && m.size() != null && m.size() > 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameMappings(Path mapFile, List<LinuxIdMapping> want) {
        if (want == null) {
            return true;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(mapFile);
        } catch (IOException e) {
            return false;
        }
        List<LinuxIdMapping> have = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) {
                have.add(new LinuxIdMapping(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        List<LinuxIdMapping> norm = new ArrayList<>();
        for (LinuxIdMapping m : want) {
            norm.add(new LinuxIdMapping(m.containerID() == null ? 0L : m.containerID(),
                    m.hostID() == null ? 0L : m.hostID(), m.size()));
        }
        return have.equals(norm);
    }

    /** runc's sysctl rules: only namespaced sysctls, and only when the matching namespace is the container's own. */
    private static void checkSysctl(Spec spec, Linux l) {
        if (l.sysctl() == null) {
            return;
        }
        Boolean hostNet = null;
        for (String raw : l.sysctl().keySet()) {
            String at = key("linux.sysctl", raw);
            String s = dotted(raw);
            if (IPC_SYSCTLS.contains(s) || s.startsWith("fs.mqueue.")) {
                if (!Namespaces.IPC.in(spec)) {
                    throw err(at, "not allowed in the host's ipc namespace (add an ipc namespace)");
                }
                continue;
            }
            if (s.startsWith("net.")) {
                if (hostNet == null) {
                    hostNet = usesHostNetwork(spec);
                }
                if (hostNet) {
                    throw err(at, "not allowed in the host network namespace");
                }
                continue;
            }
            if (Namespaces.UTS.in(spec)) {
                if (s.equals("kernel.domainname")) {
                    continue;
                }
                if (s.equals("kernel.hostname")) {
                    throw err(at, "not allowed: it conflicts with the \"hostname\" field");
                }
            }
            throw err(at, "not in a separate kernel namespace");
        }
    }

    /** sysctl(8): "/" may separate components instead of "." (then "." inside a component is literal). */
    static String dotted(String key) {
        int first = -1;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '.' || c == '/') {
                first = i;
                break;
            }
        }
        if (first < 0 || key.charAt(first) == '.') {
            return key;
        }
        StringBuilder b = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            b.append(c == '.' ? '/' : c == '/' ? '.' : c);
        }
        return b.toString();
    }

    private static boolean usesHostNetwork(Spec spec) {
        LinuxNamespace net = Namespaces.NETWORK.find(spec);
        if (net == null) {
            return true;
        }
        if (!notEmpty(net.path())) {
            return false;
        }
        try {
            Object a = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
            Object b = Files.getAttribute(Path.of(net.path()), "unix:ino");
            Object da = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:dev");
            Object db = Files.getAttribute(Path.of(net.path()), "unix:dev");
            return a.equals(b) && da.equals(db);
        } catch (IOException | UnsupportedOperationException e) {
            int i = spec.linux().namespaces().indexOf(net);
            throw err("linux.namespaces[" + i + "].path", "cannot stat " + net.path() + ": " + e.getMessage());
        }
    }

    private static void checkDevice(String at, LinuxDevice d) {
        if (d == null) {
            throw err(at, "must be an object, not null");
        }
        if (d.type() == null || d.type().isEmpty()) {
            throw err(at + ".type", "required");
        }
        if (!Set.of("c", "b", "u", "p").contains(d.type())) {
            throw err(at + ".type", "invalid device type " + q(d.type()) + " (expected c, b, u or p)");
        }
        if (d.path() == null || d.path().isEmpty()) {
            throw err(at + ".path", "required");
        }
        if (!d.path().startsWith("/")) {
            throw err(at + ".path", "must be an absolute path, got " + q(d.path()));
        }
        noNul(at + ".path", d.path());
        if (!d.type().equals("p")) {
            if (d.major() == null) {
                throw err(at + ".major", "required for a " + (d.type().equals("b") ? "block" : "character")
                        + " device");
            }
            if (d.minor() == null) {
                throw err(at + ".minor", "required for a " + (d.type().equals("b") ? "block" : "character")
                        + " device");
            }
        }
        if (d.fileMode() != null && (d.fileMode() < 0 || d.fileMode() > 0xFFFF)) {
            throw err(at + ".fileMode", d.fileMode() + " is not a file mode");
        }
    }

    private static void checkResources(LinuxResources r) {
        if (r.devices() != null) {
            for (int i = 0; i < r.devices().size(); i++) {
                LinuxDeviceCgroup d = r.devices().get(i);
                String at = "linux.resources.devices[" + i + "]";
                if (d == null) {
                    throw err(at, "must be an object, not null");
                }
                if (d.type() != null && !d.type().isEmpty() && !Set.of("a", "b", "c").contains(d.type())) {
                    throw err(at + ".type", "invalid cgroup device type " + q(d.type()) + " (expected a, b or c)");
                }
                if (d.access() == null || d.access().isEmpty()) {
                    throw err(at + ".access", "must not be empty");
                }
                if (!d.access().matches("[rwm]{1,3}")) {
                    throw err(at + ".access", "invalid access " + q(d.access()) + " (expected letters r, w, m)");
                }
            }
        }
        if (r.memory() != null && r.memory().swappiness() != null
                && Long.compareUnsigned(r.memory().swappiness(), 100) > 0) {
            throw err("linux.resources.memory.swappiness", UInt.u64String(r.memory().swappiness())
                    + " is out of range (0 to 100)");
        }
        if (r.hugepageLimits() != null) {
            for (int i = 0; i < r.hugepageLimits().size(); i++) {
                LinuxHugepageLimit h = r.hugepageLimits().get(i);
                if (h == null || h.pageSize() == null || h.pageSize().isEmpty()) {
                    throw err("linux.resources.hugepageLimits[" + i + "].pageSize", "required");
                }
            }
        }
    }

    private static void checkPaths(Spec spec, String at, List<String> paths) {
        if (paths == null || paths.isEmpty()) {
            return;
        }
        if (!Namespaces.MOUNT.in(spec)) {
            throw err(at, "requires a mount namespace in linux.namespaces");
        }
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i);
            if (p == null || !p.startsWith("/")) {
                throw err(at + "[" + i + "]", "must be an absolute path, got " + (p == null ? "null" : q(p)));
            }
            noNul(at + "[" + i + "]", p);
        }
    }

    private static void checkSeccomp(LinuxSeccomp s) {
        boolean hasSyscalls = s.syscalls() != null && !s.syscalls().isEmpty();
        if (!notEmpty(s.defaultAction())) {
            if (hasSyscalls) {
                throw err("linux.seccomp.defaultAction", "required");
            }
        } else if (!SeccompNames.ACTIONS.contains(s.defaultAction())) {
            throw err("linux.seccomp.defaultAction", "unknown action " + q(s.defaultAction()));
        }
        checkNames("linux.seccomp.architectures", s.architectures(), SeccompNames.ARCHS, "architecture");
        checkNames("linux.seccomp.flags", s.flags(), SeccompNames.FLAGS, "flag");
        if (!hasSyscalls) {
            return;
        }
        for (int i = 0; i < s.syscalls().size(); i++) {
            LinuxSyscall sc = s.syscalls().get(i);
            String at = "linux.seccomp.syscalls[" + i + "]";
            if (sc == null) {
                throw err(at, "must be an object, not null");
            }
            if (sc.names() == null || sc.names().isEmpty()) {
                throw err(at + ".names", "must not be empty");
            }
            if (!notEmpty(sc.action())) {
                throw err(at + ".action", "required");
            }
            if (!SeccompNames.ACTIONS.contains(sc.action())) {
                throw err(at + ".action", "unknown action " + q(sc.action()));
            }
            if (sc.args() != null) {
                for (int j = 0; j < sc.args().size(); j++) {
                    LinuxSeccompArg a = sc.args().get(j);
                    String aat = at + ".args[" + j + "]";
                    if (a == null) {
                        throw err(aat, "must be an object, not null");
                    }
                    if (a.index() == null) {
                        throw err(aat + ".index", "required");
                    }
                    if (a.index() > 5) {
                        throw err(aat + ".index", a.index() + " is out of range (0 to 5)");
                    }
                    if (!notEmpty(a.op())) {
                        throw err(aat + ".op", "required");
                    }
                    if (!SeccompNames.OPERATORS.contains(a.op())) {
                        throw err(aat + ".op", "unknown operator " + q(a.op()));
                    }
                }
            }
        }
    }

    private static void checkNames(String at, List<String> names, List<String> known, String what) {
        if (names == null) {
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!known.contains(names.get(i))) {
                throw err(at + "[" + i + "]", "unknown " + what + " " + q(names.get(i)));
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * A JSON null inside an array or as an object's value ({@code "args": ["sh", null]}, {@code "sysctl": {"k":
     * null}}) is refused, naming its place: the parser keeps such nulls (as encoding/json would make them zero
     * values), and no reader of the model expects one. Walks the records of the model as declared; values of type
     * Object (JSON extensions kept as they are) are not looked into.
     */
    static void noNullElements(Object value, java.lang.reflect.Type type, String at) {
        if (value == null || type == Object.class) {
            return;
        }
        if (value instanceof Record r) {
            for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
                Object v;
                try {
                    v = c.getAccessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                String name = jsonName(c);
                noNullElements(v, c.getGenericType(), at.isEmpty() ? name : at + "." + name);
            }
        } else if (value instanceof List<?> l) {
            java.lang.reflect.Type e = typeArg(type, 0);
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) == null && e != Object.class) {
                    throw err(at + "[" + i + "]", "must not be null");
                }
                noNullElements(l.get(i), e, at + "[" + i + "]");
            }
        } else if (value instanceof Map<?, ?> m) {
            java.lang.reflect.Type e = typeArg(type, 1);
            for (Map.Entry<?, ?> x : m.entrySet()) {
                String k = key(at, String.valueOf(x.getKey()));
                if (x.getValue() == null && e != Object.class) {
                    throw err(k, "must not be null");
                }
                noNullElements(x.getValue(), e, k);
            }
        }
    }

    private static java.lang.reflect.Type typeArg(java.lang.reflect.Type t, int i) {
        return t instanceof java.lang.reflect.ParameterizedType p && p.getActualTypeArguments().length > i
                ? p.getActualTypeArguments()[i] : Object.class;
    }

    private static String jsonName(java.lang.reflect.RecordComponent c) {
        com.fasterxml.jackson.annotation.JsonProperty p =
                c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        if (p == null) {
            p = c.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static boolean validIfName(String n) {
        if (n == null || n.isEmpty() || n.length() > 15 || n.equals(".") || n.equals("..")) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c == '/' || c == ':' || c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static void noNul(String at, String s) {
        if (s != null && s.indexOf('\0') >= 0) {
            throw err(at, "contains a NUL byte");
        }
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    private static boolean nonZero(Long v) {
        return v != null && v != 0;
    }

    private static <T> List<T> nz(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static String key(String base, String k) {
        StringBuilder b = new StringBuilder(base);
        SpecLoader.appendKey(b, k);
        return b.toString();
    }

    private static String q(String s) {
        return "\"" + s + "\"";
    }

    private static SpecException err(String path, String what) {
        return new SpecException(path.isEmpty() ? what : path + ": " + what);
    }

}
