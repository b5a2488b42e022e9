package io.capsa.cgroup;

import io.capsa.cgroup.v1.V1Cgroup;
import io.capsa.cgroup.v2.V2Cgroup;
import io.capsa.spec.LinuxResources;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container's cgroup(s): on cgroup v1 a directory in every mounted hierarchy (plus the unified
 * one on a hybrid host), on v2 one directory of the unified hierarchy. Nothing touches the
 * filesystem before {@link #create()}.
 */
public interface Cgroup {

    /** The cgroup for {@code linux.cgroupsPath} with the cgroupfs driver (see {@link CgroupPaths}). */
    static Cgroup open(String cgroupsPath, String containerId) {
        return open(cgroupsPath, containerId, false);
    }

    /** The cgroup for {@code linux.cgroupsPath}; {@code systemd} when --systemd-cgroup was given. */
    static Cgroup open(String cgroupsPath, String containerId, boolean systemd) {
        CgroupLayout layout = CgroupLayout.host();
        String inner = CgroupPaths.inner(cgroupsPath, containerId, systemd);
        return switch (layout.mode()) {
            case V2 -> new V2Cgroup(CgroupPaths.v2Dir(layout, inner));
            case V1, HYBRID -> new V1Cgroup(CgroupPaths.v1Dirs(layout, inner));
        };
    }

    /**
     * The cgroup described by {@link #describe()} (as kept in the container's state): the same
     * directories, whatever the cgroup of the process that reads it back.
     */
    static Cgroup restore(String described) {
        String[] f = described.split(";");
        Map<String, Path> paths = new LinkedHashMap<>();
        for (int i = 1; i < f.length; i++) {
            int eq = f[i].indexOf("=/"); // keys may hold '=' ("name=systemd"), paths are absolute
            if (eq < 0) {
                throw new CgroupException("malformed cgroup description: " + described);
            }
            paths.put(f[i].substring(0, eq), Path.of(f[i].substring(eq + 1)));
        }
        return switch (f[0]) {
            case "v2" -> {
                if (paths.size() != 1 || !paths.containsKey("")) {
                    throw new CgroupException("malformed cgroup description: " + described);
                }
                yield new V2Cgroup(paths.get(""));
            }
            case "v1" -> new V1Cgroup(paths);
            default -> throw new CgroupException("malformed cgroup description: " + described);
        };
    }

    /** v1 (also on a hybrid host) or v2. */
    int version();

    /** Creates the directories (mkdir -p); on v2 enables the controllers in the ancestors' subtree_control. */
    void create();

    /** Moves a process (and so its future children) into the cgroup(s). */
    void join(long pid);

    /** Applies linux.resources (a new container). Errors name the field and the file. */
    void apply(LinuxResources r);

    /** Applies changed resources to a live container ({@code update}): only the fields that are set. */
    void update(LinuxResources r);

    void freeze();

    void thaw();

    boolean isFrozen();

    /** Every process in the cgroup and its descendants. */
    List<Long> pids();

    /** Signals every process: freeze, signal each, thaw (as runc's kill --all). */
    void killAll(int signal);

    Stats stats();

    /** How many processes the OOM killer has killed in this cgroup (0 when the kernel does not tell). */
    long oomKillCount();

    /** Whether the cgroup directory exists (v1: any of them). */
    boolean exists();

    /** Removes the directories (children first); kills nothing; idempotent; retries briefly on EBUSY. */
    void destroy();

    /** The directories: hierarchy key ("memory", "cpu,cpuacct", "name=systemd"; "" for the unified one) to path. */
    Map<String, Path> paths();

    /** "v1;key=path;..." or "v2;=path": kept in state.json and read back with {@link #restore}. */
    default String describe() {
        StringBuilder b = new StringBuilder("v" + version());
        paths().forEach((k, v) -> b.append(';').append(k).append('=').append(v));
        return b.toString();
    }
}
