package io.capsa.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The config.json written by {@code spec} (runc's {@code runc spec}, libcontainer/specconv Example and
 * ToRootless): sh in a read-only "rootfs", the usual /proc, /dev, /sys mounts, masked and read-only /proc paths,
 * and pid, network, ipc, uts, mount namespaces (plus cgroup on a cgroup v2 host).
 */
public final class DefaultSpec {
    private DefaultSpec() {
    }

    private static final List<String> CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    /** runc's default spec for this host (cgroup namespace added if /sys/fs/cgroup is cgroup v2). */
    public static Spec create() {
        return create(isCgroup2Unified());
    }

    /** runc's default spec; {@code cgroupNamespace} adds {"type": "cgroup"} as runc does on a cgroup v2 host. */
    public static Spec create(boolean cgroupNamespace) {
        ProcessSpec process = new ProcessSpec(
                true, null, new User(0L, 0L, null, null, null),
                List.of("sh"), null,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"),
                "/",
                new Capabilities(CAPS, CAPS, null, CAPS, null),
                List.of(new Rlimit("RLIMIT_NOFILE", 1024L, 1024L)),
                true, null, null, null, null, null, null);
        List<Mount> mounts = List.of(
                mount("/proc", "proc", "proc", null),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        List<LinuxNamespace> namespaces = new ArrayList<>(List.of(ns("pid"), ns("network"), ns("ipc"), ns("uts"),
                ns("mount")));
        if (cgroupNamespace) {
            namespaces.add(ns("cgroup"));
        }
        Linux linux = new Linux(null, null, null,
                new LinuxResources(List.of(new LinuxDeviceCgroup(false, null, null, null, "rwm")),
                        null, null, null, null, null, null, null, null),
                null, List.copyOf(namespaces), null, null, null,
                List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                        "/sys/devices/virtual/tpm"),
                List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
                null, null, null, null, null);
        return new Spec(OciVersion.CURRENT, process, new Root("rootfs", true), "runc", null, mounts, null, null,
                linux);
    }

    /** The {@code --rootless} variant for the calling user (effective uid/gid of this process). */
    public static Spec rootless() {
        long[] ids = effectiveIds();
        return toRootless(create(), ids[0], ids[1]);
    }

    /**
     * runc's ToRootless: drop network (and any user) namespace, add a user namespace mapping root to
     * {@code hostUid}/{@code hostGid}, bind /sys instead of mounting sysfs, drop uid=/gid= mount options and
     * remove {@code linux.resources}.
     */
    public static Spec toRootless(Spec spec, long hostUid, long hostGid) {
        Linux l = spec.linux();
        List<LinuxNamespace> namespaces = new ArrayList<>();
        for (LinuxNamespace ns : l.namespaces()) {
            if (!ns.type().equals("network") && !ns.type().equals("user")) {
                namespaces.add(ns);
            }
        }
        namespaces.add(ns("user"));
        List<Mount> mounts = new ArrayList<>();
        for (Mount m : spec.mounts()) {
            if (Path.of(m.destination()).normalize().toString().equals("/sys")) {
                mounts.add(mount("/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
                continue;
            }
            List<String> options = null;
            if (m.options() != null) {
                options = new ArrayList<>();
                for (String o : m.options()) {
                    if (!o.startsWith("gid=") && !o.startsWith("uid=")) {
                        options.add(o);
                    }
                }
                options = options.isEmpty() ? null : List.copyOf(options);
            }
            mounts.add(new Mount(m.destination(), m.type(), m.source(), options, m.uidMappings(), m.gidMappings()));
        }
        Linux rl = new Linux(
                List.of(new LinuxIdMapping(0L, hostUid, 1L)),
                List.of(new LinuxIdMapping(0L, hostGid, 1L)),
                l.sysctl(), null, l.cgroupsPath(), List.copyOf(namespaces), l.devices(), l.seccomp(),
                l.rootfsPropagation(), l.maskedPaths(), l.readonlyPaths(), l.mountLabel(), l.intelRdt(),
                l.personality(), l.timeOffsets(), l.netDevices());
        return new Spec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.domainname(),
                List.copyOf(mounts), spec.hooks(), spec.annotations(), rl);
    }

    /** The file content {@code spec} writes: Go-style tab-indented JSON without a trailing newline. */
    public static String toJson(Spec spec) {
        return Json.toIndentedJson(spec);
    }

    /** Whether /sys/fs/cgroup is the cgroup v2 unified hierarchy. */
    public static boolean isCgroup2Unified() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    private static long[] effectiveIds() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    long uid = Long.parseLong(line.split("\\s+")[2]);
                    long gid = -1;
                    for (String l2 : Files.readAllLines(Path.of("/proc/self/status"))) {
                        if (l2.startsWith("Gid:")) {
                            gid = Long.parseLong(l2.split("\\s+")[2]);
                        }
                    }
                    return new long[] {uid, gid};
                }
            }
        } catch (Exception e) {
            // fall through
        }
        return new long[] {0, 0};
    }

    private static Mount mount(String dest, String type, String source, List<String> options) {
        return new Mount(dest, type, source, options, null, null);
    }

    private static LinuxNamespace ns(String type) {
        return new LinuxNamespace(type, null);
    }
}
