package io.capsa.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A minimal root filesystem made of the host's static busybox (Debian package busybox-static), built once per
 * JVM under {@code target/capsa-test/} and copied into each bundle.
 *
 * <p>Contents: {@code /bin/busybox} and one symlink per applet (at the applet's usual place, from
 * {@code busybox --list-full}); {@code /etc/passwd} and {@code /etc/group} with {@code root} (0), {@link #USER}
 * ({@value #USER_UID}) and {@code nobody} (65534); {@code /etc/hostname}; empty {@code /tmp} (1777),
 * {@code /proc}, {@code /sys}, {@code /dev}, {@code /root}, {@code /home/user}, {@code /mnt}.
 */
public final class TestRootfs {
    /** The unprivileged user of the rootfs: name, uid and gid. */
    public static final String USER = "user";
    public static final int USER_UID = 1000;
    public static final int USER_GID = 1000;
    public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    private static Path template;

    private TestRootfs() {
    }

    /** The cached template rootfs (built on first use). Do not modify it: use {@link #copyTo(Path)}. */
    public static synchronized Path template() {
        if (template == null) {
            Path dir = TestPaths.runDir().resolve("rootfs");
            build(dir);
            template = dir;
        }
        return template;
    }

    /** Copies the template rootfs to {@code dest} (which must not exist); returns {@code dest}. */
    public static Path copyTo(Path dest) {
        Path src = template();
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path q = dest.resolve(src.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(q, Files.readSymbolicLink(p));
                } else {
                    Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("copying test rootfs to " + dest, e);
        }
        return dest;
    }

    static void build(Path root) {
        try {
            if (!Files.isRegularFile(HOST_BUSYBOX)) {
                throw new IllegalStateException(HOST_BUSYBOX + " missing: apt-get install -y busybox-static");
            }
            if (!isStatic(HOST_BUSYBOX)) {
                throw new IllegalStateException(HOST_BUSYBOX + " is dynamically linked: apt-get install -y busybox-static");
            }
            Files.createDirectories(root);
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root",
                    "home/" + USER, "mnt", "tmp")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.setPosixFilePermissions(root.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
            mustRun("chmod", "1777", root.resolve("tmp").toString()); // the sticky bit: not settable through NIO
            Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
            Files.copy(HOST_BUSYBOX, root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : applets()) {
                Path link = root.resolve(applet);
                if (applet.equals("bin/busybox") || Files.exists(link, LinkOption.NOFOLLOW_LINKS)) continue;
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
            write(root, "etc/passwd", """
                    root:x:0:0:root:/root:/bin/sh
                    %s:x:%d:%d:%s:/home/%s:/bin/sh
                    nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                    """.formatted(USER, USER_UID, USER_GID, USER, USER));
            write(root, "etc/group", """
                    root:x:0:
                    %s:x:%d:
                    nogroup:x:65534:
                    """.formatted(USER, USER_GID));
            write(root, "etc/hostname", "capsa\n");
            mustRun("chown", USER_UID + ":" + USER_GID, root.resolve("home/" + USER).toString());
        } catch (IOException e) {
            throw new UncheckedIOException("building test rootfs in " + root, e);
        }
    }

    /** Applet paths relative to the root ("bin/sh", "usr/bin/id", ...). */
    private static List<String> applets() {
        List<String> out = new ArrayList<>();
        String full = exec(HOST_BUSYBOX.toString(), "--list-full");
        if (full != null) {
            for (String l : full.split("\n")) if (!l.isBlank()) out.add(l.strip());
        } else {
            for (String l : exec(HOST_BUSYBOX.toString(), "--list").split("\n")) if (!l.isBlank()) out.add("bin/" + l.strip());
        }
        return out;
    }

    /** True if the ELF file has no PT_INTERP program header (no dynamic loader needed). */
    static boolean isStatic(Path elf) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(elf.toFile(), "r")) {
            byte[] hdr = new byte[64];
            f.readFully(hdr);
            if (hdr[0] != 0x7f || hdr[1] != 'E' || hdr[2] != 'L' || hdr[3] != 'F' || hdr[4] != 2) return false;
            ByteBuffer b = ByteBuffer.wrap(hdr).order(hdr[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            long phoff = b.getLong(0x20);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            byte[] ph = new byte[4];
            for (int i = 0; i < phnum; i++) {
                f.seek(phoff + (long) i * phentsize);
                f.readFully(ph);
                int type = ByteBuffer.wrap(ph).order(b.order()).getInt(0);
                if (type == 3) return false; // PT_INTERP
            }
            return true;
        }
    }

    private static void write(Path root, String rel, String text) throws IOException {
        Files.writeString(root.resolve(rel), text, StandardCharsets.UTF_8);
    }

    static void mustRun(String... cmd) {
        if (exec(cmd) == null) throw new IllegalStateException("failed: " + String.join(" ", cmd));
    }

    /** Runs a short host command; returns its stdout, or null if it failed. */
    static String exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(TestPaths.DEV_NULL)).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
