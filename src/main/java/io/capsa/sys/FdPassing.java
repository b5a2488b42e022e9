package io.capsa.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Taking an fd out of another process (pidfd_getfd) and handing it to a unix socket with SCM_RIGHTS: what the
 * runtime does with a container's seccomp notify fd for a seccomp agent, as runc. Every call goes through
 * {@link Syscall#call} (one binding shared with the rest of the runtime).
 */
public final class FdPassing {
    private FdPassing() {
    }

    private static final boolean AARCH64 = System.getProperty("os.arch").equals("aarch64");
    // the same numbers on x86_64 and aarch64 (syscalls added after the table unification)
    static final long SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438;
    static final long SYS_CLOSE = AARCH64 ? 57 : 3;
    static final long SYS_SOCKET = AARCH64 ? 198 : 41;
    static final long SYS_CONNECT = AARCH64 ? 203 : 42;
    static final long SYS_SENDMSG = AARCH64 ? 211 : 46;
    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    static final int MSG_NOSIGNAL = 0x4000;

    /**
     * The fd number in process {@code pid} whose /proc link reads {@code target} (e.g. "anon_inode:seccomp notify"),
     * or -1 if it has none.
     */
    public static int findFd(long pid, String target) {
        Path dir = Path.of("/proc/" + pid + "/fd");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals(target)) return Integer.parseInt(p.getFileName().toString());
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not an fd entry
                }
            }
        } catch (IOException e) {
            throw new SysException("listing " + dir + " (" + e.getMessage() + ")", Errno.ESRCH);
        }
        return -1;
    }

    /** A copy (close-on-exec) of fd {@code fd} of process {@code pid}: pidfd_open + pidfd_getfd. Close it with {@link #close}. */
    public static int takeFd(long pid, int fd) {
        long pidfd = Syscall.call("pidfd_open(" + pid + ")", SYS_PIDFD_OPEN, pid, 0, 0, 0, 0, 0);
        try {
            return (int) Syscall.call("pidfd_getfd(" + pid + ", " + fd + ")", SYS_PIDFD_GETFD, pidfd, fd, 0, 0, 0, 0);
        } finally {
            close((int) pidfd);
        }
    }

    /** close(2), errors ignored. */
    public static void close(int fd) {
        try {
            Syscall.call("close", SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        } catch (SysException ignored) {
            // the fd is gone either way
        }
    }

    /**
     * Connects a stream socket to the unix socket {@code path} and sends {@code data} with {@code fd} attached
     * (SCM_RIGHTS, in the first sendmsg), then closes the connection.
     */
    public static void sendFd(String path, byte[] data, int fd) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= 108) throw new SysException("connect(" + path + "): socket path too long", Errno.ENAMETOOLONG);
        long sock = Syscall.call("socket(AF_UNIX)", SYS_SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(110, 8); // struct sockaddr_un
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
            Syscall.call("connect(" + path + ")", SYS_CONNECT, sock, addr.address(), 2 + p.length + 1, 0, 0, 0);

            MemorySegment buf = a.allocate(Math.max(1, data.length), 8);
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            MemorySegment iov = a.allocate(16, 8); // struct iovec
            MemorySegment cmsg = a.allocate(24, 8); // CMSG_SPACE(sizeof(int)) = 24 on LP64
            cmsg.set(ValueLayout.JAVA_LONG, 0, 20); // cmsg_len = CMSG_LEN(sizeof(int))
            cmsg.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
            cmsg.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
            cmsg.set(ValueLayout.JAVA_INT, 16, fd);
            MemorySegment msg = a.allocate(56, 8); // struct msghdr
            int off = 0;
            boolean first = true;
            do {
                iov.set(ValueLayout.JAVA_LONG, 0, buf.address() + off);
                iov.set(ValueLayout.JAVA_LONG, 8, data.length - off);
                msg.fill((byte) 0);
                msg.set(ValueLayout.JAVA_LONG, 16, iov.address()); // msg_iov
                msg.set(ValueLayout.JAVA_LONG, 24, 1); // msg_iovlen
                if (first) {
                    msg.set(ValueLayout.JAVA_LONG, 32, cmsg.address()); // msg_control
                    msg.set(ValueLayout.JAVA_LONG, 40, 24); // msg_controllen
                }
                long n = Syscall.call("sendmsg(" + path + ")", SYS_SENDMSG, sock, msg.address(), MSG_NOSIGNAL, 0, 0, 0);
                off += (int) n;
                first = false;
            } while (off < data.length);
        } finally {
            close((int) sock);
        }
    }
}
