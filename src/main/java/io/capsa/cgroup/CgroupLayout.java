package io.capsa.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's cgroup layout, read once from /proc/self/mountinfo and /proc/self/cgroup.
 *
 * @param mode        v1 (controllers on per-controller hierarchies), v2 (one unified hierarchy) or
 *                    hybrid (v1 controllers plus a cgroup2 mount, usually /sys/fs/cgroup/unified)
 * @param hierarchies the mounted v1 hierarchies, in mount order (empty on v2)
 * @param unified     the cgroup2 mount point, or null
 * @param own         this process's cgroup per controller ("name=systemd" for named hierarchies,
 *                    "" for the unified hierarchy), paths as in /proc/self/cgroup
 */
public record CgroupLayout(Mode mode, List<Hierarchy> hierarchies, Path unified, Map<String, String> own) {

    public enum Mode { V1, V2, HYBRID }

    /**
     * One mounted v1 hierarchy.
     *
     * @param controllers the controllers bound to it ("cpu", "cpuacct", or "name=systemd")
     * @param mountPoint  where it is mounted
     * @param root        the cgroup that is this mount's root (usually "/")
     */
    public record Hierarchy(List<String> controllers, Path mountPoint, String root) {
        /** The key of this hierarchy in paths maps: its controllers joined by ",". */
        public String key() {
            return String.join(",", controllers);
        }
    }

    /** Controllers of cgroup v1 that may appear in a mount's super options. */
    static final Set<String> V1_CONTROLLERS = Set.of("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices",
            "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug");

    private static volatile CgroupLayout host;

    /** The host layout (detected on first use). */
    public static CgroupLayout host() {
        CgroupLayout h = host;
        if (h == null) {
            try {
                h = parse(Files.readString(Path.of("/proc/self/mountinfo")),
                        Files.readString(Path.of("/proc/self/cgroup")));
            } catch (IOException e) {
                throw new CgroupException("reading /proc/self/mountinfo or /proc/self/cgroup: "
                        + CgroupFiles.reason(e), e);
            }
            host = h;
        }
        return h;
    }

    /** Parses the layout from the text of /proc/self/mountinfo and /proc/self/cgroup. */
    public static CgroupLayout parse(String mountinfo, String procSelfCgroup) {
        List<Hierarchy> hierarchies = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        Path unified = null;
        boolean realV1 = false;
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length < 5 || post.length < 3) {
                continue;
            }
            String fstype = post[0];
            Path mountPoint = Path.of(unescape(pre[4]));
            if (fstype.equals("cgroup2")) {
                if (unified == null || mountPoint.equals(Path.of("/sys/fs/cgroup"))) {
                    unified = mountPoint;
                }
            } else if (fstype.equals("cgroup")) {
                List<String> ctrls = new ArrayList<>();
                for (String opt : post[2].split(",")) {
                    if (V1_CONTROLLERS.contains(opt) || opt.startsWith("name=")) {
                        ctrls.add(opt);
                    }
                }
                if (ctrls.isEmpty() || ctrls.stream().anyMatch(seen::contains)) {
                    continue; // a second mount of a hierarchy already seen
                }
                seen.addAll(ctrls);
                realV1 |= ctrls.stream().anyMatch(V1_CONTROLLERS::contains);
                hierarchies.add(new Hierarchy(List.copyOf(ctrls), mountPoint, unescape(pre[3])));
            }
        }
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[1].isEmpty()) {
                own.put("", f[2]);
            } else {
                for (String c : f[1].split(",")) {
                    own.put(c, f[2]);
                }
            }
        }
        Mode mode;
        if (!realV1) {
            if (unified == null) {
                throw new CgroupException("no cgroup filesystem is mounted (neither cgroup v1 controllers nor cgroup2 "
                        + "in /proc/self/mountinfo)");
            }
            mode = Mode.V2;
            hierarchies.clear();
        } else {
            mode = unified == null ? Mode.V1 : Mode.HYBRID;
        }
        return new CgroupLayout(mode, List.copyOf(hierarchies), unified, Map.copyOf(own));
    }

    /** The hierarchy a v1 controller is mounted on, or null. */
    public Hierarchy hierarchy(String controller) {
        for (Hierarchy h : hierarchies) {
            if (h.controllers().contains(controller)) {
                return h;
            }
        }
        return null;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
