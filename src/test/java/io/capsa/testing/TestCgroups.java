package io.capsa.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The cgroup parent of this JVM's test containers: {@code /capsa-test-<random>}, as an absolute cgroupsPath
 * below the root of every hierarchy (each v1 controller mount and the v2 mount). Cleanup touches nothing
 * outside it, and never anything named {@code process_api} (the workplace's own cgroups).
 */
public final class TestCgroups {
    /** The parent cgroup path of this JVM's tests (absolute cgroupsPath form, e.g. {@code /capsa-test-1a2b3c4d}). */
    public static final String PARENT = "/capsa-test-" + TestPaths.randomHex(4);

    static {
        // whatever is left at exit (a test that forgot close(), a crash, a test using PARENT without CapsaRun)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                List<Path> left = removeParent();
                if (!left.isEmpty()) System.err.println("capsa tests: cgroups not removable: " + left);
            } catch (RuntimeException e) {
                System.err.println("capsa tests: " + e.getMessage());
            }
        }, "capsa-test-cgroups"));
    }

    private TestCgroups() {
    }

    /** A path below {@link #PARENT} for one container, e.g. {@code /capsa-test-1a2b3c4d/c7}. */
    public static String child(String name) {
        if (name.contains("/") || name.contains("..") || name.contains("process_api")) {
            throw new IllegalArgumentException("bad cgroup name: " + name);
        }
        return PARENT + "/" + name;
    }

    /** Mount points of every cgroup (v1) and cgroup2 hierarchy visible to this process. */
    public static List<Path> hierarchies() {
        Set<Path> out = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                int dash = line.indexOf(" - ");
                if (dash < 0) continue;
                String[] post = line.substring(dash + 3).split(" ");
                String[] pre = line.substring(0, dash).split(" ");
                if (post[0].equals("cgroup") || post[0].equals("cgroup2")) {
                    // only the hierarchy's root mounted here (field 4 = root of the mount within its fs)
                    if (pre[3].equals("/")) out.add(Path.of(TestPaths.unescape(pre[4])));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(out);
    }

    /** True if the host's /sys/fs/cgroup is a cgroup2 mount (pure v2, as in the cgroup2 VM). */
    public static boolean isUnifiedOnly() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] pre = line.split(" ");
                int dash = line.indexOf(" - ");
                if (pre.length > 4 && pre[4].equals("/sys/fs/cgroup") && dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directories of {@code cgroupPath} (absolute cgroupsPath form) in every hierarchy where it exists. */
    public static List<Path> dirs(String cgroupPath) {
        List<Path> out = new ArrayList<>();
        for (Path h : hierarchies()) {
            Path d = h.resolve(cgroupPath.substring(1));
            if (Files.isDirectory(d)) out.add(d);
        }
        return out;
    }

    /** Pids in {@code cgroupPath} and below, over all hierarchies. */
    public static Set<Long> pids(String cgroupPath) {
        Set<Long> out = new LinkedHashSet<>();
        for (Path d : dirs(cgroupPath)) {
            for (Path p : walkDirs(d)) {
                try {
                    for (String l : Files.readAllLines(p.resolve("cgroup.procs"))) if (!l.isBlank()) out.add(Long.parseLong(l.strip()));
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return out;
    }

    /**
     * Removes {@link #PARENT} from every hierarchy: thaws frozen cgroups, SIGKILLs the processes still in them
     * (all are test containers' processes), then removes the directories bottom-up.
     * Returns the directories that could not be removed (empty on success).
     */
    public static List<Path> removeParent() {
        return remove(PARENT);
    }

    public static List<Path> remove(String cgroupPath) {
        if (!cgroupPath.startsWith("/capsa-test-") || cgroupPath.contains("process_api") || cgroupPath.contains("..")) {
            throw new IllegalArgumentException("refusing to remove cgroup " + cgroupPath);
        }
        List<Path> left = new ArrayList<>();
        // killed processes leave their cgroup only once fully gone: on a loaded machine that can take seconds
        for (int attempt = 0; attempt < 200; attempt++) {
            left.clear();
            List<Path> dirs = dirs(cgroupPath);
            if (dirs.isEmpty()) return left;
            for (Path top : dirs) {
                List<Path> all = walkDirs(top);
                for (Path d : all) thaw(d);
                for (Path d : all) killAll(d);
                all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
                for (Path d : all) {
                    try {
                        Files.deleteIfExists(d); // rmdir
                    } catch (IOException e) {
                        left.add(d);
                    }
                }
            }
            if (left.isEmpty()) return left;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return left;
    }

    private static List<Path> walkDirs(Path top) {
        try (Stream<Path> s = Files.walk(top)) {
            return new ArrayList<>(s.filter(Files::isDirectory).toList());
        } catch (IOException | UncheckedIOException e) {
            return new ArrayList<>(List.of(top));
        }
    }

    private static void thaw(Path d) {
        writeIfExists(d.resolve("freezer.state"), "THAWED");
        writeIfExists(d.resolve("cgroup.freeze"), "0");
    }

    private static void killAll(Path d) {
        if (Files.exists(d.resolve("cgroup.kill"))) {
            writeIfExists(d.resolve("cgroup.kill"), "1");
            return;
        }
        try {
            for (String l : Files.readAllLines(d.resolve("cgroup.procs"))) {
                if (l.isBlank()) continue;
                long pid = Long.parseLong(l.strip());
                if (pid != ProcessHandle.current().pid()) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException e) {
            // gone meanwhile
        }
    }

    private static void writeIfExists(Path f, String v) {
        if (!Files.exists(f)) return;
        try {
            Files.writeString(f, v);
        } catch (IOException e) {
            // not freezable (root cgroup) or already gone
        }
    }
}
