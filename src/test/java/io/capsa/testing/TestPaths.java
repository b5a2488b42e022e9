package io.capsa.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the test fixtures keep their files: the repository, and one directory per JVM run under
 * {@code target/capsa-test/} (removed when the JVM exits), plus a mount-aware recursive delete.
 */
public final class TestPaths {
    static final File DEV_NULL = new File("/dev/null");

    private static Path repo;
    private static Path runDir;

    private TestPaths() {
    }

    /** The repository root (the directory holding pom.xml and bin/capsa-runtime), found from the working dir. */
    public static synchronized Path repo() {
        if (repo == null) {
            Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
            for (Path q = p; q != null; q = q.getParent()) {
                if (Files.isRegularFile(q.resolve("pom.xml")) && Files.isRegularFile(q.resolve("bin/capsa-runtime"))) {
                    repo = q;
                    break;
                }
            }
            if (repo == null) throw new IllegalStateException("no Capsa repository (pom.xml + bin/capsa-runtime) above " + p);
        }
        return repo;
    }

    /** A fresh directory for this JVM run: {@code target/capsa-test/run-<pid>-<random>}, deleted at exit. */
    public static synchronized Path runDir() {
        if (runDir == null) {
            String name = "run-" + ProcessHandle.current().pid() + "-" + randomHex(4);
            Path d = repo().resolve("target/capsa-test").resolve(name);
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            runDir = d;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    deleteTree(d);
                } catch (RuntimeException e) {
                    System.err.println("capsa tests: " + e.getMessage());
                }
            }, "capsa-test-cleanup"));
        }
        return runDir;
    }

    /** A new empty directory under {@link #runDir()} whose name starts with {@code prefix}. */
    public static Path newDir(String prefix) {
        try {
            return Files.createTempDirectory(runDir(), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Mount points at or below {@code dir} in this process's mount namespace (from /proc/self/mountinfo). */
    public static List<Path> mountsUnder(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                Path mp = Path.of(unescape(f[4]));
                if (mp.startsWith(base)) out.add(mp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Decodes mountinfo's octal escapes (\040 for a space, ...). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Deletes {@code dir} recursively without following symlinks and without descending into anything mounted
     * below it: a leaked bind mount of a host directory must never cost the host's files. Mounted subtrees are
     * lazily unmounted first (umount -l) and never walked into. A mount found there is a leak (the runtime mounts
     * in the container's own mount namespace): after cleaning up, this throws, naming the mounts.
     */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> mounts = mountsUnder(dir);
        // deepest first
        mounts.sort((a, b) -> b.getNameCount() - a.getNameCount());
        for (Path m : mounts) {
            TestRootfs.exec("umount", "-l", m.toString());
        }
        List<Path> still = mountsUnder(dir);
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    return still.contains(d.toAbsolutePath().normalize()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    if (!still.contains(f.toAbsolutePath().normalize())) Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (still.stream().noneMatch(m -> m.startsWith(d.toAbsolutePath().normalize()))) Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("deleting " + dir, e);
        }
        if (!mounts.isEmpty()) {
            throw new IllegalStateException("leaked mounts below " + dir + ": " + mounts
                    + (still.isEmpty() ? " (unmounted now)" : "; could not unmount " + still + ", left in place"));
        }
    }
}
