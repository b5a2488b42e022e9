package io.capsa.front;

import io.capsa.image.ImageConfig;
import io.capsa.spec.Capabilities;
import io.capsa.spec.Capability;
import io.capsa.spec.DefaultSpec;
import io.capsa.spec.Linux;
import io.capsa.spec.LinuxCpu;
import io.capsa.spec.LinuxDevice;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxNamespace;
import io.capsa.spec.LinuxPids;
import io.capsa.spec.LinuxResources;
import io.capsa.spec.Mount;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.Rlimit;
import io.capsa.spec.RlimitType;
import io.capsa.spec.Root;
import io.capsa.spec.Spec;
import io.capsa.spec.User;
import io.capsa.sys.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns an image's config and {@code capsa run}'s flags into the container's config.json, with Docker's
 * defaults: runc's default spec for the mounts and namespaces, Docker's capability set, masked and read-only
 * paths, /etc/hostname, /etc/hosts and /etc/resolv.conf of the container's own, a cgroup under the parent.
 */
public final class SpecBuilder {
    /** Docker's default capabilities (moby's oci/caps/defaults.go). */
    public static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap");
    static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Where --init's binary appears in the container (Docker uses /sbin/docker-init). */
    static final String INIT_PATH = "/sbin/capsa-init";
    /** Host binaries --init may use: static ones, as they run in any image. */
    static final List<String> INIT_CANDIDATES = List.of("/usr/bin/tini-static", "/usr/bin/docker-init",
            "/usr/libexec/docker/docker-init", "/usr/bin/catatonit", "/usr/libexec/podman/catatonit");

    /** What the container is made of: the spec, and what the front end records about it. */
    public record Built(Spec spec, List<String> args, String stopSignal, String hostname, String network,
                        List<ContainerRecord.MountPoint> mounts, List<String> anonymousVolumes, List<String> exposedPorts,
                        Map<String, String> files, List<String> entrypoint, List<String> cmd, String user) {}

    private final RunOptions o;
    private final ImageConfig.RunConfig image;
    private final String id;
    private final Path rootfs;
    private final Path containerDir;
    private final Path storeRoot;
    private final Map<String, String> callerEnv;
    private final Path cwd;
    private final Consumer<String> warn;
    private final List<ContainerRecord.MountPoint> mountPoints = new ArrayList<>();
    private final List<String> anonymous = new ArrayList<>();

    /**
     * @param rootfs    the container's root filesystem (mounted): the image's users and working dir are looked up
     * @param containerDir the container's directory: /etc/hostname, hosts and resolv.conf are bound from it
     * @param storeRoot where volumes live ({@code volumes/NAME/_data})
     * @param callerEnv the caller's environment ({@code -e NAME} takes NAME's value from it)
     * @param cwd       the caller's directory (relative bind sources and env files)
     */
    public SpecBuilder(RunOptions o, ImageConfig.RunConfig image, String id, Path rootfs, Path containerDir, Path storeRoot,
                       Map<String, String> callerEnv, Path cwd, Consumer<String> warn) {
        this.o = o;
        this.image = image == null ? ImageConfig.RunConfig.EMPTY : image;
        this.id = id;
        this.rootfs = rootfs;
        this.containerDir = containerDir;
        this.storeRoot = storeRoot;
        this.callerEnv = callerEnv;
        this.cwd = cwd;
        this.warn = warn;
    }

    /** Builds the spec; volumes are created on the way (listed in {@link Built#anonymousVolumes()} for cleanup). */
    public Built build() {
        try {
            return doBuild();
        } catch (RuntimeException e) {
            for (String v : anonymous) io.capsa.image.store.ImageStore.deleteTree(Path.of(v));
            throw e;
        }
    }

    private Built doBuild() {
        Spec base = DefaultSpec.create();
        String network = o.network == null || o.network.isEmpty() ? "none" : o.network;
        switch (network) {
            case "none", "host" -> { }
            case "bridge", "default" -> throw new FrontException("--network " + network
                    + ": bridge networks are not supported yet: use --network none (the default) or --network host");
            default -> throw new FrontException("--network " + network + ": unknown network (none and host are supported)");
        }
        String hostname = o.hostname != null && !o.hostname.isEmpty() ? o.hostname
                : network.equals("host") ? hostHostname() : id.substring(0, 12);
        if (hostname.length() > 64) throw new FrontException("invalid hostname " + hostname + ": longer than 64 characters");

        // Process: entrypoint and command, as Docker combines them.
        List<String> entrypoint;
        List<String> cmd;
        if (o.entrypoint != null) {
            entrypoint = o.entrypoint.isEmpty() ? List.of() : List.of(o.entrypoint);
            cmd = o.command; // a new entrypoint drops the image's Cmd
        } else {
            entrypoint = image.entrypoint() == null ? List.of() : image.entrypoint();
            cmd = !o.command.isEmpty() ? o.command : image.cmd() == null ? List.of() : image.cmd();
        }
        List<String> args = new ArrayList<>(entrypoint);
        args.addAll(cmd);
        if (args.isEmpty()) throw new FrontException("No command specified");

        String userSpec = o.user != null ? o.user : image.user();
        ImageUsers.Resolved user = ImageUsers.resolve(rootfs, userSpec);
        List<Long> groups = new ArrayList<>(user.additionalGids());
        for (String g : o.groupAdd) {
            ImageUsers.Resolved r = ImageUsers.resolve(rootfs, "0:" + g);
            if (!groups.contains(r.gid())) groups.add(r.gid());
        }

        String workdir = o.workdir != null && !o.workdir.isEmpty() ? o.workdir
                : image.workingDir() != null && !image.workingDir().isEmpty() ? image.workingDir() : "/";
        if (!workdir.startsWith("/"))
            throw new FrontException("the working directory '" + workdir + "' is invalid, it needs to be an absolute path");

        List<String> env = env(hostname, user);

        // Capabilities, security options, limits.
        List<String> caps = capabilities();
        boolean noNewPrivs = false;
        boolean seccompUnconfined = o.privileged;
        io.capsa.spec.LinuxSeccomp seccomp = null;
        for (String so : o.securityOpts) {
            String s = so.replace(':', '=');
            if (s.equals("no-new-privileges") || s.equals("no-new-privileges=true")) noNewPrivs = true;
            else if (s.equals("no-new-privileges=false")) noNewPrivs = false;
            else if (s.equals("seccomp=unconfined")) seccompUnconfined = true;
            else if (s.startsWith("seccomp=")) seccomp = SeccompProfiles.fromFile(cwd.resolve(so.substring(8)), caps);
            else if (s.equals("apparmor=unconfined") || s.equals("label=disable")) { /* nothing to turn off here */ }
            else if (s.startsWith("apparmor=") || s.startsWith("label=")) throw new FrontException("--security-opt " + so
                    + ": AppArmor and SELinux are not supported");
            else throw new FrontException("--security-opt " + so + ": invalid option (seccomp=..., no-new-privileges, apparmor=unconfined, label=disable)");
        }
        if (seccompUnconfined) seccomp = null;
        else if (seccomp == null) seccomp = SeccompProfiles.defaultFor(caps);

        List<Rlimit> rlimits = rlimits();
        ProcessSpec process = new ProcessSpec(o.tty, null,
                new User(user.uid(), user.gid(), null, groups.isEmpty() ? null : List.copyOf(groups), null),
                initArgs(args), null, env, workdir,
                new Capabilities(caps, caps, null, caps, null),
                rlimits.isEmpty() ? null : rlimits, noNewPrivs, null, o.oomScoreAdj, null, null, null, null);

        // Mounts: the defaults (a user mount on the same path replaces one), then the user's, parents first.
        List<Mount> user_ = userMounts();
        Set<String> userDest = new LinkedHashSet<>();
        for (Mount m : user_) userDest.add(m.destination());
        List<Mount> mounts = new ArrayList<>();
        for (Mount m : base.mounts()) {
            if (userDest.contains(m.destination())) continue;
            if (o.privileged && (m.destination().equals("/sys") || m.destination().equals("/sys/fs/cgroup"))) {
                List<String> opts = new ArrayList<>(m.options());
                opts.remove("ro");
                m = new Mount(m.destination(), m.type(), m.source(), opts, null, null);
            }
            if (m.destination().equals("/dev/shm") && o.shmSize != null) {
                List<String> opts = new ArrayList<>();
                for (String op : m.options()) if (!op.startsWith("size=")) opts.add(op);
                opts.add("size=" + Units.bytes("--shm-size", o.shmSize));
                m = new Mount(m.destination(), m.type(), m.source(), opts, null, null);
            }
            mounts.add(m);
        }
        mounts.addAll(user_);
        if (o.init) {
            Path init = findInit();
            mounts.add(new Mount(INIT_PATH, "bind", init.toString(), List.of("bind", "ro", "nosuid", "nodev"), null, null));
        }
        Map<String, String> files = new LinkedHashMap<>();
        files.put("hostname", hostname + "\n");
        files.put("hosts", hosts(network, hostname));
        files.put("resolv.conf", resolvConf());
        for (String f : files.keySet()) {
            String dest = "/etc/" + f;
            if (!userDest.contains(dest))
                mounts.add(new Mount(dest, "bind", containerDir.resolve(f).toString(), List.of("rbind", "rprivate"), null, null));
        }

        // Namespaces, devices, resources.
        List<LinuxNamespace> namespaces = new ArrayList<>();
        for (LinuxNamespace ns : base.linux().namespaces())
            if (!(network.equals("host") && ns.type().equals("network"))) namespaces.add(ns);
        List<LinuxDevice> devices = new ArrayList<>();
        List<LinuxDeviceCgroup> deviceRules = new ArrayList<>();
        if (o.privileged) {
            deviceRules.add(new LinuxDeviceCgroup(true, "a", null, null, "rwm"));
            devices.addAll(hostDevices());
        } else {
            deviceRules.add(new LinuxDeviceCgroup(false, null, null, null, "rwm"));
        }
        for (String d : o.devices) device(d, devices, deviceRules);
        LinuxResources resources = new LinuxResources(deviceRules, memory(), cpu(), pids(), null, null, null, null, null);
        String parent = o.cgroupParent == null || o.cgroupParent.isEmpty() ? "/capsa" : o.cgroupParent;
        if (!parent.startsWith("/")) parent = "/" + parent;
        if (parent.endsWith("/")) parent = parent.substring(0, parent.length() - 1);
        Map<String, String> sysctl = new LinkedHashMap<>();
        for (String s : o.sysctls) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new FrontException("--sysctl " + s + ": expected NAME=VALUE");
            sysctl.put(s.substring(0, eq), s.substring(eq + 1));
        }
        Linux linux = new Linux(null, null, sysctl.isEmpty() ? null : sysctl, resources, parent + "/" + id,
                namespaces, devices.isEmpty() ? null : devices, seccomp, null,
                o.privileged ? null : MASKED, o.privileged ? null : READONLY, null, null, null, null, null);

        Map<String, String> annotations = new LinkedHashMap<>();
        Spec spec = new Spec(base.ociVersion(), process, new Root(rootfs.toString(), o.readOnly), hostname, null, mounts,
                null, annotations.isEmpty() ? null : annotations, linux);

        String stopSignal = o.stopSignal != null ? o.stopSignal : image.stopSignal() != null && !image.stopSignal().isEmpty()
                ? image.stopSignal() : "SIGTERM";
        try {
            Proc.signal(stopSignal);
        } catch (IllegalArgumentException e) {
            throw new FrontException("invalid stop signal " + stopSignal + ": " + e.getMessage());
        }
        List<String> ports = new ArrayList<>();
        if (image.exposedPorts() != null) ports.addAll(image.exposedPorts().keySet());
        // The working directory is made if the image lacks it, as Docker does.
        RootPaths.mkdirs(rootfs, workdir);
        return new Built(spec, process.args(), stopSignal, hostname, network, List.copyOf(mountPoints), List.copyOf(anonymous),
                ports, files, List.copyOf(entrypoint), List.copyOf(cmd), userSpec == null ? "" : userSpec);
    }

    // ---- process ----

    private List<String> env(String hostname, ImageUsers.Resolved user) {
        Map<String, String> env = new LinkedHashMap<>();
        put(env, DEFAULT_PATH);
        put(env, "HOSTNAME=" + hostname);
        if (o.tty) put(env, "TERM=xterm");
        if (image.env() != null) for (String e : image.env()) put(env, e);
        for (String f : o.envFiles) {
            Path p = cwd.resolve(f);
            List<String> lines;
            try {
                lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new FrontException("--env-file " + f + ": " + e.getMessage());
            }
            for (String l : lines) {
                String t = l.stripLeading();
                if (t.isEmpty() || t.startsWith("#")) continue;
                userEnv(env, t, "--env-file " + f);
            }
        }
        for (String e : o.env) userEnv(env, e, "-e");
        if (!env.containsKey("HOME")) env.put("HOME", user.home() != null && !user.home().isEmpty() ? user.home() : "/");
        List<String> out = new ArrayList<>();
        for (var e : env.entrySet()) out.add(e.getKey() + "=" + e.getValue());
        return out;
    }

    private void userEnv(Map<String, String> env, String e, String flag) {
        int eq = e.indexOf('=');
        if (eq == 0) throw new FrontException(flag + " " + e + ": variable name is empty");
        if (eq < 0) {
            String v = callerEnv.get(e);
            if (v != null) env.put(e, v);
            return;
        }
        put(env, e);
    }

    private static void put(Map<String, String> env, String e) {
        int eq = e.indexOf('=');
        if (eq < 0) env.put(e, "");
        else env.put(e.substring(0, eq), e.substring(eq + 1));
    }

    private List<String> initArgs(List<String> args) {
        if (!o.init) return args;
        List<String> a = new ArrayList<>();
        a.add(INIT_PATH);
        a.add("--");
        a.addAll(args);
        return a;
    }

    private Path findInit() {
        String env = callerEnv.get("CAPSA_INIT");
        List<String> candidates = env != null && !env.isEmpty() ? List.of(env) : INIT_CANDIDATES;
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new FrontException("--init: no init binary found on this host (looked for " + String.join(", ", candidates)
                + "): install Debian's tini package (its tini-static), or set CAPSA_INIT to a statically linked init");
    }

    private List<String> capabilities() {
        if (o.privileged) return hostCapabilities();
        Set<String> caps = new LinkedHashSet<>(DEFAULT_CAPS);
        List<String> add = normCaps(o.capAdd, "--cap-add"), drop = normCaps(o.capDrop, "--cap-drop");
        if (drop.contains("ALL")) caps.clear();
        else caps.removeAll(drop);
        if (add.contains("ALL")) {
            caps.addAll(hostCapabilities());
            if (!drop.contains("ALL")) caps.removeAll(drop);
        } else {
            caps.addAll(add);
        }
        return List.copyOf(caps);
    }

    /**
     * Every capability this process may give (its bounding set): what --privileged and --cap-add ALL mean here.
     * A root without some capability (CAP_SYS_RESOURCE in some sandboxes) cannot pass it on.
     */
    public static List<String> hostCapabilities() {
        long bnd = -1L;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("CapBnd:")) bnd = Long.parseUnsignedLong(l.substring(7).strip(), 16);
            }
        } catch (IOException | NumberFormatException e) {
            // assume all
        }
        List<String> out = new ArrayList<>();
        for (String n : Capability.NAMES) if ((bnd & Capability.byName(n).mask()) != 0) out.add(n);
        return out;
    }

    private static List<String> normCaps(List<String> in, String flag) {
        List<String> out = new ArrayList<>();
        for (String c : in) {
            String n = c.trim().toUpperCase(Locale.ROOT);
            if (n.equals("ALL")) {
                out.add("ALL");
                continue;
            }
            if (!n.startsWith("CAP_")) n = "CAP_" + n;
            if (Capability.byName(n) == null) throw new FrontException(flag + " " + c + ": unknown capability");
            out.add(n);
        }
        return out;
    }

    private List<Rlimit> rlimits() {
        List<Rlimit> out = new ArrayList<>();
        for (String u : o.ulimits) {
            int eq = u.indexOf('=');
            if (eq <= 0) throw new FrontException("--ulimit " + u + ": expected NAME=SOFT[:HARD]");
            String name = "RLIMIT_" + u.substring(0, eq).toUpperCase(Locale.ROOT);
            if (RlimitType.byName(name) == null) throw new FrontException("--ulimit " + u + ": unknown limit " + u.substring(0, eq));
            String[] v = u.substring(eq + 1).split(":", 2);
            long soft = limit(v[0], u), hard = v.length > 1 ? limit(v[1], u) : soft;
            if (Long.compareUnsigned(soft, hard) > 0)
                throw new FrontException("--ulimit " + u + ": the soft limit must not be greater than the hard limit");
            out.removeIf(r -> r.type().equals(name));
            out.add(new Rlimit(name, soft, hard));
        }
        return out;
    }

    private static long limit(String s, String flag) {
        if (s.equals("-1") || s.equalsIgnoreCase("unlimited")) return -1L; // RLIM_INFINITY (u64 max)
        try {
            long v = Long.parseLong(s);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new FrontException("--ulimit " + flag + ": invalid value " + s);
        }
    }

    // ---- mounts ----

    private List<Mount> userMounts() {
        List<Mount> out = new ArrayList<>();
        for (String v : o.volumes) out.add(volumeFlag(v));
        for (String m : o.mounts) out.add(mountFlag(m));
        for (String t : o.tmpfs) {
            String[] p = t.split(":", 2);
            List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
            if (p.length > 1) for (String x : p[1].split(",")) tmpfsOpt(opts, x);
            out.add(tmpfs(dest(p[0], "--tmpfs " + t), opts));
        }
        // The image's VOLUMEs not covered by a mount: anonymous volumes, as Docker makes them.
        if (image.volumes() != null) {
            Set<String> covered = new LinkedHashSet<>();
            for (Mount m : out) covered.add(m.destination());
            for (String v : image.volumes().keySet()) {
                String d = normDest(v);
                if (d.equals("/") || covered.contains(d)) continue;
                out.add(volume(null, d, false, "rprivate"));
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Mount m : out)
            if (!seen.add(m.destination())) throw new FrontException("Duplicate mount point: " + m.destination());
        out.sort(Comparator.comparingInt((Mount m) -> m.destination().split("/").length));
        return out;
    }

    private static void tmpfsOpt(List<String> opts, String x) {
        if (x.isEmpty()) return;
        switch (x) {
            case "exec" -> opts.remove("noexec");
            case "suid" -> opts.remove("nosuid");
            case "dev" -> opts.remove("nodev");
            default -> {
                if (x.startsWith("size=")) {
                    opts.removeIf(s -> s.startsWith("size="));
                    opts.add("size=" + Units.bytes("tmpfs size", x.substring(5)));
                } else {
                    opts.add(x);
                }
            }
        }
    }

    private Mount tmpfs(String dest, List<String> opts) {
        mountPoints.add(new ContainerRecord.MountPoint("tmpfs", null, "", dest, !opts.contains("ro"), ""));
        return new Mount(dest, "tmpfs", "tmpfs", List.copyOf(opts), null, null);
    }

    /** -v SRC:DEST[:OPTS] (bind if SRC is a path, named volume otherwise) or -v DEST (anonymous volume). */
    private Mount volumeFlag(String v) {
        String[] p = v.split(":", -1);
        if (p.length > 3 || p[0].isEmpty()) throw new FrontException("invalid volume specification: '" + v + "'");
        if (p.length == 1) return volume(null, dest(p[0], "-v " + v), false, "rprivate");
        String src = p[0], dest = dest(p[1], "-v " + v);
        boolean ro = false;
        String propagation = "rprivate";
        if (p.length == 3) {
            for (String opt : p[2].split(",")) {
                switch (opt) {
                    case "ro" -> ro = true;
                    case "rw", "z", "Z", "nocopy", "" -> { }
                    case "shared", "rshared", "slave", "rslave", "private", "rprivate" -> propagation = opt;
                    default -> throw new FrontException("invalid mode: " + opt + " (in volume '" + v + "')");
                }
            }
        }
        if (src.startsWith("/") || src.startsWith(".")) {
            Path host = cwd.resolve(src).normalize();
            if (!Files.exists(host)) {
                try { // as docker -v: a missing host directory is created
                    Files.createDirectories(host);
                } catch (IOException e) {
                    throw new FrontException("-v " + v + ": cannot create " + host + ": " + e.getMessage());
                }
            }
            return bind(host, dest, ro, propagation);
        }
        return volume(src, dest, ro, propagation);
    }

    /** --mount type=bind|volume|tmpfs,source=...,target=...,readonly,... */
    private Mount mountFlag(String m) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : m.split(",")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            kv.put((eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT), eq < 0 ? "true" : part.substring(eq + 1));
        }
        String type = kv.getOrDefault("type", "volume");
        String src = first(kv, "source", "src");
        String target = first(kv, "target", "destination", "dst");
        if (target == null) throw new FrontException("--mount " + m + ": target is required");
        String dest = dest(target, "--mount " + m);
        String roV = first(kv, "readonly", "ro");
        boolean ro = roV != null && !roV.equals("false") && !roV.equals("0");
        String propagation = kv.getOrDefault("bind-propagation", "rprivate");
        return switch (type) {
            case "bind" -> {
                if (src == null) throw new FrontException("--mount " + m + ": source is required when type is bind");
                Path host = cwd.resolve(src).normalize();
                if (!Files.exists(host)) throw new FrontException("invalid mount config for type \"bind\": bind source path does not exist: " + host);
                yield bind(host, dest, ro, propagation);
            }
            case "volume" -> volume(src, dest, ro, "rprivate");
            case "tmpfs" -> {
                if (src != null) throw new FrontException("--mount " + m + ": source is not allowed for tmpfs mounts");
                List<String> opts = new ArrayList<>(List.of("nosuid", "nodev", "noexec"));
                if (kv.containsKey("tmpfs-size")) tmpfsOpt(opts, "size=" + kv.get("tmpfs-size"));
                if (kv.containsKey("tmpfs-mode")) opts.add("mode=" + kv.get("tmpfs-mode"));
                if (ro) opts.add("ro");
                yield tmpfs(dest, opts);
            }
            default -> throw new FrontException("--mount " + m + ": unsupported mount type " + type + " (bind, volume, tmpfs)");
        };
    }

    private static String first(Map<String, String> kv, String... keys) {
        for (String k : keys) if (kv.containsKey(k)) return kv.get(k);
        return null;
    }

    private Mount bind(Path host, String dest, boolean ro, String propagation) {
        List<String> opts = new ArrayList<>(List.of("rbind", propagation));
        if (ro) opts.add("ro");
        mountPoints.add(new ContainerRecord.MountPoint("bind", null, host.toString(), dest, !ro, propagation));
        return new Mount(dest, "bind", host.toString(), opts, null, null);
    }

    /** A named volume (created if new) or, with a null name, an anonymous one for this container alone. */
    private Mount volume(String name, String dest, boolean ro, String propagation) {
        boolean anon = name == null;
        if (anon) name = ContainerStore.newId();
        else if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+"))
            throw new FrontException("\"" + name + "\" includes invalid characters for a local volume name, only "
                    + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path");
        Path dir = storeRoot.resolve("volumes").resolve(name);
        Path data = dir.resolve("_data");
        try {
            Files.createDirectories(storeRoot.resolve("volumes"));
            if (!Files.isDirectory(data)) {
                Files.createDirectories(data);
                io.capsa.sys.FsCalls.chmod(data, 0755);
                if (anon) anonymous.add(dir.toString());
                copyUp(dest, data);
            }
        } catch (IOException e) {
            throw new FrontException("creating volume " + name + ": " + e.getMessage());
        }
        List<String> opts = new ArrayList<>(List.of("rbind", propagation));
        if (ro) opts.add("ro");
        mountPoints.add(new ContainerRecord.MountPoint("volume", name, data.toString(), dest, !ro, ""));
        return new Mount(dest, "bind", data.toString(), opts, null, null);
    }

    /** A new volume starts with what the image has at its path (Docker's copy-up), ownership and modes kept. */
    private void copyUp(String dest, Path data) {
        Path src = RootPaths.resolve(rootfs, dest);
        if (!Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
            if (!ds.iterator().hasNext()) return;
        } catch (IOException e) {
            return;
        }
        try {
            Process p = new ProcessBuilder("cp", "-a", "--", src + "/.", data.toString())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new FrontException("copying " + dest + " of the image into its volume: " + out.strip());
            // the volume's root takes the owner and mode of the image's directory
            var attrs = Files.readAttributes(src, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            io.capsa.sys.FsCalls.lchown(data, ((Number) attrs.get("uid")).longValue(), ((Number) attrs.get("gid")).longValue());
            io.capsa.sys.FsCalls.chmod(data, ((Number) attrs.get("mode")).intValue() & 07777);
        } catch (IOException e) {
            throw new FrontException("copying " + dest + " of the image into its volume: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FrontException("interrupted");
        }
    }

    private static String dest(String d, String flag) {
        if (!d.startsWith("/")) throw new FrontException(flag + ": invalid mount path: '" + d + "' mount path must be absolute");
        String n = normDest(d);
        if (n.equals("/")) throw new FrontException(flag + ": invalid specification: destination can't be '/'");
        return n;
    }

    private static String normDest(String d) {
        String n = Path.of(d).normalize().toString();
        return n.isEmpty() ? "/" : n;
    }

    // ---- /etc files ----

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String hosts(String network, String hostname) {
        if (network.equals("host")) {
            try {
                return Files.readString(Path.of("/etc/hosts"));
            } catch (IOException e) {
                // fall through to the default
            }
        }
        return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
                + "127.0.1.1\t" + hostname + "\n";
    }

    private static String resolvConf() {
        try {
            return Files.readString(Path.of("/etc/resolv.conf"));
        } catch (IOException e) {
            return "";
        }
    }

    // ---- devices and resources ----

    /** --device HOST[:CONTAINER[:PERMS]]. */
    private void device(String spec, List<LinuxDevice> devices, List<LinuxDeviceCgroup> rules) {
        String[] p = spec.split(":");
        String host = p[0], inCtr = p[0], perms = "rwm";
        if (p.length == 2) {
            if (p[1].matches("[rwm]+")) perms = p[1]; else inCtr = p[1];
        } else if (p.length == 3) {
            inCtr = p[1];
            perms = p[2];
        } else if (p.length > 3) {
            throw new FrontException("--device " + spec + ": invalid device specification");
        }
        if (!perms.matches("[rwm]+")) throw new FrontException("--device " + spec + ": invalid device mode: " + perms);
        if (!inCtr.startsWith("/")) throw new FrontException("--device " + spec + ": " + inCtr + " is not an absolute path");
        Path hp = Path.of(host);
        if (Files.isDirectory(hp)) {
            try (var s = Files.walk(hp)) {
                for (Path d : s.toList()) {
                    LinuxDevice dev = hostDevice(d, inCtr + d.toString().substring(host.length()));
                    if (dev != null) {
                        devices.add(dev);
                        rules.add(new LinuxDeviceCgroup(true, dev.type(), dev.major(), dev.minor(), perms));
                    }
                }
            } catch (IOException e) {
                throw new FrontException("--device " + spec + ": " + e.getMessage());
            }
            return;
        }
        LinuxDevice dev = hostDevice(hp.toAbsolutePath(), inCtr);
        if (dev == null) throw new FrontException("error gathering device information while adding custom device \"" + host + "\": not a device node");
        devices.add(dev);
        rules.add(new LinuxDeviceCgroup(true, dev.type(), dev.major(), dev.minor(), perms));
    }

    /** The device node at {@code p} (links followed) as a linux.devices entry at {@code path}; null if not a device. */
    private static LinuxDevice hostDevice(Path p, String path) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,rdev,uid,gid");
            int mode = (Integer) a.get("mode");
            String type = switch (mode & 0170000) {
                case 0020000 -> "c";
                case 0060000 -> "b";
                default -> null;
            };
            if (type == null) return null;
            long rdev = (Long) a.get("rdev");
            long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
            long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
            return new LinuxDevice(type, path, major, minor, mode & 0777, ((Number) a.get("uid")).longValue(),
                    ((Number) a.get("gid")).longValue());
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** --privileged: every device node of the host's /dev (but the ones every container has, and pts). */
    private static List<LinuxDevice> hostDevices() {
        Set<String> skipDirs = Set.of("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd", "/dev/.lxc", "/dev/.udev");
        Set<String> skip = Set.of("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
                "/dev/console", "/dev/ptmx");
        List<LinuxDevice> out = new ArrayList<>();
        try (var s = Files.walk(Path.of("/dev"), 3)) {
            for (Path p : s.toList()) {
                String ps = p.toString();
                boolean under = false;
                for (String d : skipDirs) under |= ps.equals(d) || ps.startsWith(d + "/");
                if (under || skip.contains(ps) || Files.isSymbolicLink(p)) continue;
                LinuxDevice d = hostDevice(p, ps);
                if (d != null) out.add(d);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // what was found so far
        }
        return out;
    }

    private LinuxMemory memory() {
        if (o.memory == null && o.memorySwap == null && o.memoryReservation == null) return null;
        Long limit = o.memory;
        if (limit != null && limit != -1 && limit < 6 * 1024 * 1024)
            throw new FrontException("Minimum memory limit allowed is 6MB");
        Long swap = null;
        if (o.memorySwap != null) {
            if (limit == null || limit == -1)
                throw new FrontException("You should always set the Memory limit when using Memoryswap limit, see usage");
            if (o.memorySwap != -1 && o.memorySwap < limit)
                throw new FrontException("Minimum memoryswap limit should be larger than memory limit, see usage");
            swap = o.memorySwap;
        } else if (limit != null && limit > 0) {
            swap = limit * 2; // Docker's default: as much swap as memory
        }
        if (swap != null && !swapAccounting()) {
            if (o.memorySwap != null)
                warn.accept("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.");
            swap = null;
        }
        return new LinuxMemory(limit, o.memoryReservation, swap, null, null, null, null, null, null);
    }

    /**
     * Whether the kernel accounts swap per cgroup: v1 has memory.memsw.*; v2 has memory.swap.max beside
     * memory.max in every non-root cgroup (a cgroup with the one and not the other says no; with no cgroup to look
     * at, only swapaccount=0 on the kernel command line says no).
     */
    private static boolean swapAccounting() {
        if (!DefaultSpec.isCgroup2Unified()) return Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"), Files::isDirectory)) {
            for (Path d : ds) {
                if (Files.exists(d.resolve("memory.max"))) return Files.exists(d.resolve("memory.swap.max"));
            }
        } catch (IOException e) {
            // no evidence either way
        }
        try {
            return !Files.readString(Path.of("/proc/cmdline")).contains("swapaccount=0");
        } catch (IOException e) {
            return true;
        }
    }

    private LinuxCpu cpu() {
        Long quota = o.cpuQuota, period = o.cpuPeriod;
        if (o.cpus != null) {
            if (quota != null || period != null)
                throw new FrontException("Conflicting options: Nano CPUs and CPU Period cannot both be set");
            period = 100_000L;
            quota = Units.cpuQuota(o.cpus, period);
            if (quota == 0) {
                quota = null;
                period = null;
            }
        }
        if (quota == null && period == null && o.cpuShares == null && o.cpusetCpus == null && o.cpusetMems == null) return null;
        return new LinuxCpu(o.cpuShares, quota, null, period, null, null, o.cpusetCpus, o.cpusetMems, null);
    }

    private LinuxPids pids() {
        if (o.pidsLimit == null || o.pidsLimit == 0) return null;
        return new LinuxPids(o.pidsLimit < 0 ? -1L : o.pidsLimit);
    }
}
