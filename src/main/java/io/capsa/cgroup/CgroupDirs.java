package io.capsa.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Directory operations on cgroupfs shared by v1 and v2. */
public final class CgroupDirs {
    private CgroupDirs() {
    }

    /** mkdir -p; returns the directories it created, outermost first. */
    public static List<Path> mkdirs(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        List<Path> created = new ArrayList<>();
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.add(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // a concurrent create, or not a directory: checked below
                if (!Files.isDirectory(p)) {
                    throw new CgroupException("creating cgroup " + p + ": File exists", e);
                }
            } catch (IOException e) {
                throw new CgroupException("creating cgroup " + p + ": " + CgroupFiles.reason(e), e);
            }
        }
        return created;
    }

    /** The directory and all its descendant cgroups, deepest first. */
    static List<Path> subtreeDeepestFirst(Path dir) {
        List<Path> out = new ArrayList<>();
        collect(dir, out);
        return out;
    }

    private static void collect(Path dir, List<Path> out) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) {
                if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
                    collect(c, out);
                }
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            // listed as far as possible; rmdir reports what is left
        }
        out.add(dir);
    }

    /**
     * Removes a cgroup directory and its sub-cgroups (rmdir, children first). A missing directory is
     * fine. EBUSY (processes still leaving) is retried for about a second. Returns null or the error.
     */
    public static String remove(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        long delay = 5;
        for (int attempt = 0; ; attempt++) {
            String err = null;
            for (Path p : subtreeDeepestFirst(dir)) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    err = "removing cgroup " + p + ": Device or resource busy (it still has sub-cgroups or processes)";
                } catch (FileSystemException e) {
                    err = "removing cgroup " + p + ": " + CgroupFiles.reason(e);
                } catch (IOException e) {
                    err = "removing cgroup " + p + ": " + CgroupFiles.reason(e);
                }
            }
            if (err == null || attempt >= 7) {
                return err;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return err;
            }
            delay *= 2;
        }
    }

    /** Every pid in cgroup.procs of the directory and its descendants. */
    public static List<Long> pids(Path dir) {
        List<Long> out = new ArrayList<>();
        for (Path p : subtreeDeepestFirst(dir)) {
            out.addAll(CgroupFiles.readPids(p.resolve("cgroup.procs")));
        }
        return out;
    }

    /** Writes the pid to cgroup.procs. */
    public static void join(Path dir, long pid) {
        CgroupFiles.write(null, dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** Waits up to the given time for a condition (for freezer states). */
    public static boolean await(java.util.function.BooleanSupplier cond, long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        long sleep = 1;
        while (true) {
            if (cond.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return cond.getAsBoolean();
            }
            sleep = Math.min(sleep * 2, 50);
        }
    }
}
