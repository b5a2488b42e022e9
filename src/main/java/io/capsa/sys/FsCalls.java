package io.capsa.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File-system system calls the JDK does not offer (or offers only following symbolic links): mknodat,
 * fchownat/fchmodat/utimensat without following links, the l*xattr family, mount and umount2. Every call
 * goes through {@link Syscall#call}, the one shared (lazily bound) downcall; paths and buffers are passed
 * as addresses of memory allocated per call. x86_64 numbers.
 */
public final class FsCalls {
    private FsCalls() {}

    static final long SYS_MOUNT = 165, SYS_UMOUNT2 = 166, SYS_LSETXATTR = 189, SYS_LGETXATTR = 192,
            SYS_LLISTXATTR = 195, SYS_MKNODAT = 259, SYS_FCHOWNAT = 260, SYS_FCHMODAT = 268,
            SYS_UTIMENSAT = 280;
    static final long AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    /** File type bits for {@link #mknod}. */
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;
    /** umount2 flags. */
    public static final int MNT_DETACH = 2;
    /** mount flags. */
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_BIND = 4096, MS_REC = 16384,
            MS_PRIVATE = 1 << 18;

    private static MemorySegment cstr(Arena a, String s) {
        return a.allocateFrom(s, StandardCharsets.UTF_8);
    }

    private static String p(Path path) {
        return path.toString();
    }

    /** Linux's makedev: the dev_t of a device major:minor. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    /** mknod(2): a device node or FIFO; {@code mode} holds the type bits (S_IFCHR...) and permissions. */
    public static void mknod(Path path, int mode, long major, long minor) {
        try (Arena a = Arena.ofConfined()) {
            Syscall.call("mknod " + path, SYS_MKNODAT, AT_FDCWD, cstr(a, p(path)).address(), mode,
                    makedev(major, minor), 0, 0);
        }
    }

    /** lchown(2): uid and gid of the path itself (a symbolic link is not followed). -1 leaves one unchanged. */
    public static void lchown(Path path, long uid, long gid) {
        try (Arena a = Arena.ofConfined()) {
            Syscall.call("lchown " + path, SYS_FCHOWNAT, AT_FDCWD, cstr(a, p(path)).address(), uid, gid,
                    AT_SYMLINK_NOFOLLOW, 0);
        }
    }

    /** chmod(2) with all twelve mode bits (set-user-id, set-group-id and sticky included). Follows links. */
    public static void chmod(Path path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            Syscall.call("chmod " + path, SYS_FCHMODAT, AT_FDCWD, cstr(a, p(path)).address(), mode & 07777, 0,
                    0, 0);
        }
    }

    /** utimensat(2) without following a symbolic link: access and modification times in nanoseconds. */
    public static void lutimes(Path path, long atimeNanos, long mtimeNanos) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ts = a.allocate(32, 8);
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, Math.floorDiv(atimeNanos, 1_000_000_000L));
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, Math.floorMod(atimeNanos, 1_000_000_000L));
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, Math.floorDiv(mtimeNanos, 1_000_000_000L));
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 24, Math.floorMod(mtimeNanos, 1_000_000_000L));
            Syscall.call("utimensat " + path, SYS_UTIMENSAT, AT_FDCWD, cstr(a, p(path)).address(), ts.address(),
                    AT_SYMLINK_NOFOLLOW, 0, 0);
        }
    }

    /** lsetxattr(2). */
    public static void lsetxattr(Path path, String name, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(Math.max(1, value.length));
            v.copyFrom(MemorySegment.ofArray(value));
            Syscall.call("setxattr " + name + " on " + path, SYS_LSETXATTR, cstr(a, p(path)).address(),
                    cstr(a, name).address(), v.address(), value.length, 0, 0);
        }
    }

    /** lgetxattr(2): the value, or null if the attribute is not set (ENODATA) or not supported. */
    public static byte[] lgetxattr(Path path, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            long n;
            try {
                n = Syscall.call("getxattr " + name + " on " + path, SYS_LGETXATTR, cstr(a, p(path)).address(),
                        cstr(a, name).address(), buf.address(), buf.byteSize(), 0, 0);
            } catch (SysException e) {
                if (e.errno() == Errno.ENODATA || e.errno() == Errno.EOPNOTSUPP) return null;
                throw e;
            }
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** llistxattr(2): the names of the path's extended attributes. */
    public static java.util.List<String> llistxattr(Path path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(65536);
            long n;
            try {
                n = Syscall.call("listxattr " + path, SYS_LLISTXATTR, cstr(a, p(path)).address(), buf.address(),
                        buf.byteSize(), 0, 0, 0);
            } catch (SysException e) {
                if (e.errno() == Errno.EOPNOTSUPP) return java.util.List.of();
                throw e;
            }
            java.util.List<String> names = new java.util.ArrayList<>();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        names.add(new String(buf.asSlice(start, i - start)
                                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /** mount(2). {@code source}, {@code fstype} and {@code data} may be null. */
    public static void mount(String source, Path target, String fstype, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            Syscall.call("mount " + (fstype == null ? "" : fstype + " ") + "on " + target, SYS_MOUNT,
                    source == null ? 0 : cstr(a, source).address(), cstr(a, p(target)).address(),
                    fstype == null ? 0 : cstr(a, fstype).address(), flags,
                    data == null ? 0 : cstr(a, data).address(), 0);
        }
    }

    /** umount2(2). */
    public static void umount(Path target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            Syscall.call("umount " + target, SYS_UMOUNT2, cstr(a, p(target)).address(), flags, 0, 0, 0, 0);
        }
    }

    static final long SYS_CLOSE = 3, SYS_OPENAT = 257;
    /** open flags (x86_64). */
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_NOCTTY = 0400,
            O_TRUNC = 01000, O_APPEND = 02000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;

    /**
     * open(2): a raw file descriptor of this process, for what needs an fd number (e.g. a container's stdio).
     * The caller closes it with {@link #close}.
     */
    public static int open(Path path, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            return (int) Syscall.call("open " + path, SYS_OPENAT, AT_FDCWD, cstr(a, p(path)).address(), flags, mode,
                    0, 0);
        }
    }

    /** close(2); errors are ignored (the fd is released either way). */
    public static void close(int fd) {
        if (fd < 0) return;
        try {
            Syscall.call("close " + fd, SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        } catch (SysException e) {
            // EBADF or EINTR: nothing to do
        }
    }
}
