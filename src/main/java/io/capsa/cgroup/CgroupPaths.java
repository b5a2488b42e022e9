package io.capsa.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code linux.cgroupsPath} means, as runc reads it (cgroupfs driver):
 * <ul>
 * <li>absolute ("/a/b"): that path below the root of every hierarchy;</li>
 * <li>relative ("a/b"): below the runtime's own cgroup: on v1 the own cgroup of each hierarchy
 *     (/proc/self/cgroup), on v2 the parent of the own cgroup (the own one usually has processes,
 *     so controllers could not be enabled for its children);</li>
 * <li>empty: runc's default, the relative path "&lt;container id&gt;";</li>
 * <li>"slice:prefix:name" (or any path with --systemd-cgroup): the systemd driver. Capsa has no
 *     D-Bus client; where systemd is not running this is a clear error, where it is, the path the
 *     unit would get ("/system.slice/prefix-name.scope") is used through cgroupfs.</li>
 * </ul>
 * Paths are cleaned like runc's utils.CleanPath, so ".." never climbs out of the root.
 *
 * <p>Workplace guard: cgroups whose name is listed in the system property {@value #PROTECTED_PROPERTY}
 * (default "process_api", the development machine's own cgroups) are never created, joined or
 * removed: a relative path is resolved from the nearest ancestor of the own cgroup outside them,
 * and any path that would lie inside one is refused.
 */
public final class CgroupPaths {
    public static final String PROTECTED_PROPERTY = "capsa.cgroup.protected";
    static final Path SYSTEMD_RUN = Path.of("/run/systemd/system");

    private CgroupPaths() {
    }

    /**
     * The inner path for cgroupsPath: absolute ("/a/b") or relative ("a/b"), never empty.
     *
     * @param systemd true when --systemd-cgroup was given
     */
    public static String inner(String cgroupsPath, String containerId, boolean systemd) {
        return inner(cgroupsPath, containerId, systemd, Files.isDirectory(SYSTEMD_RUN));
    }

    static String inner(String cgroupsPath, String containerId, boolean systemd, boolean systemdRunning) {
        String p = cgroupsPath == null ? "" : cgroupsPath;
        boolean colon = !p.startsWith("/") && p.split(":", -1).length == 3;
        if (systemd || colon) {
            if (!systemdRunning) {
                throw new CgroupException("linux.cgroupsPath: \"" + p
                        + "\": systemd cgroup driver requested but systemd is not running (/run/systemd/system is absent)");
            }
            return systemdPath(p, containerId);
        }
        if (p.isEmpty()) {
            p = containerId;
        }
        String c = clean(p);
        if (c.equals("/") || c.equals(".") || c.isEmpty()) {
            throw new CgroupException("linux.cgroupsPath: \"" + p + "\" names the root or the runtime's own cgroup");
        }
        return c;
    }

    /** "slice:prefix:name" as the systemd driver names it, as a cgroupfs path. */
    static String systemdPath(String p, String containerId) {
        String[] f = p.isEmpty() ? new String[] {"", "capsa", containerId} : p.split(":", -1);
        if (f.length != 3) {
            throw new CgroupException("linux.cgroupsPath: \"" + p + "\": expected \"slice:prefix:name\" for systemd cgroups");
        }
        String slice = f[0].isEmpty() ? "system.slice" : f[0];
        String unit = f[2].endsWith(".slice") ? f[2] : (f[1].isEmpty() ? f[2] : f[1] + "-" + f[2]) + ".scope";
        return expandSlice(slice) + "/" + unit;
    }

    /** "a-b-c.slice" becomes "/a.slice/a-b.slice/a-b-c.slice" (systemd's slice nesting); "-.slice" is the root. */
    static String expandSlice(String slice) {
        if (!slice.endsWith(".slice") || slice.contains("/")) {
            throw new CgroupException("linux.cgroupsPath: invalid systemd slice \"" + slice + "\"");
        }
        if (slice.equals("-.slice")) {
            return "";
        }
        String name = slice.substring(0, slice.length() - ".slice".length());
        if (name.isEmpty() || name.startsWith("-") || name.endsWith("-") || name.contains("--")) {
            throw new CgroupException("linux.cgroupsPath: invalid systemd slice \"" + slice + "\"");
        }
        StringBuilder out = new StringBuilder();
        StringBuilder prefix = new StringBuilder();
        for (String part : name.split("-")) {
            if (!prefix.isEmpty()) {
                prefix.append('-');
            }
            prefix.append(part);
            out.append('/').append(prefix).append(".slice");
        }
        return out.toString();
    }

    /** runc's CleanPath: lexically clean; a relative path stays relative but cannot climb with "..". */
    static String clean(String p) {
        boolean abs = p.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String s : p.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
                continue;
            }
            parts.add(s);
        }
        String j = String.join("/", parts);
        return abs ? "/" + j : (j.isEmpty() ? "." : j);
    }

    /** The v1 directories: hierarchy key ("cpu", "cpu,cpuacct", "name=systemd", "" for hybrid's unified) to path. */
    public static Map<String, Path> v1Dirs(CgroupLayout layout, String inner) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (CgroupLayout.Hierarchy h : layout.hierarchies()) {
            String own = layout.own().getOrDefault(h.controllers().getFirst(), "/");
            out.put(h.key(), dir(h.mountPoint(), h.root(), own, inner, false));
        }
        if (layout.mode() == CgroupLayout.Mode.HYBRID && layout.unified() != null) {
            out.put("", dir(layout.unified(), "/", layout.own().getOrDefault("", "/"), inner, false));
        }
        return out;
    }

    /** The v2 directory. */
    public static Path v2Dir(CgroupLayout layout, String inner) {
        return dir(layout.unified(), "/", layout.own().getOrDefault("", "/"), inner, true);
    }

    static Path dir(Path mount, String mountRoot, String own, String inner, boolean ownParent) {
        String rel;
        if (inner.startsWith("/")) {
            rel = inner.substring(1);
        } else {
            List<String> base = new ArrayList<>(components(own));
            List<String> root = components(mountRoot);
            if (base.size() >= root.size() && base.subList(0, root.size()).equals(root)) {
                base = new ArrayList<>(base.subList(root.size(), base.size()));
            }
            if (ownParent && !base.isEmpty()) {
                base.removeLast();
            }
            List<String> prot = protectedNames();
            for (int i = 0; i < base.size(); i++) {
                if (prot.contains(base.get(i))) {
                    base = new ArrayList<>(base.subList(0, i));
                    break;
                }
            }
            base.addAll(components(inner));
            rel = String.join("/", base);
        }
        for (String c : components(rel)) {
            if (protectedNames().contains(c)) {
                throw new CgroupException("linux.cgroupsPath: \"" + inner + "\" would lie in " + mount.resolve(rel)
                        + ", inside the protected cgroup \"" + c + "\" (" + PROTECTED_PROPERTY + ")");
            }
        }
        return rel.isEmpty() ? mount : mount.resolve(rel);
    }

    static List<String> components(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    static List<String> protectedNames() {
        String v = System.getProperty(PROTECTED_PROPERTY, "process_api");
        return v.isBlank() ? List.of() : List.of(v.split(","));
    }
}
