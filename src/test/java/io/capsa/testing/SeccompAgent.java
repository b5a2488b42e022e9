package io.capsa.testing;

import io.capsa.sys.SysException;
import io.capsa.sys.Syscall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A minimal seccomp agent for tests (what runc's contrib/seccomp-agent does): listens on a unix socket, receives
 * the runtime's message with the notify fd (SCM_RIGHTS), and answers notifications with SECCOMP_IOCTL_NOTIF_RECV
 * and SECCOMP_IOCTL_NOTIF_SEND. Raw system calls through {@link Syscall#call}; x86_64 and aarch64.
 */
public final class SeccompAgent implements AutoCloseable {
    private static final boolean ARM = System.getProperty("os.arch").equals("aarch64");
    private static final long SOCKET = ARM ? 198 : 41, BIND = ARM ? 200 : 49, LISTEN = ARM ? 201 : 50,
            ACCEPT4 = ARM ? 242 : 288, RECVMSG = ARM ? 212 : 47, IOCTL = ARM ? 29 : 16, PPOLL = ARM ? 73 : 271,
            CLOSE = ARM ? 57 : 3;
    private static final long NOTIF_RECV = 0xc0502100L, NOTIF_SEND = 0xc0182101L;

    private final Path path;
    private final int sock;

    /** What the runtime sent: the message text and the received fd. */
    public record Received(String message, int fd) {}

    /** One notification: its id, the pid that made the call, the syscall number and arguments. */
    public record Notification(long id, int pid, int nr, long[] args) {}

    private SeccompAgent(Path path, int sock) {
        this.path = path;
        this.sock = sock;
    }

    /** Listens on a new unix socket at {@code path}. */
    public static SeccompAgent listen(Path path) {
        int s = (int) Syscall.call("socket", SOCKET, 1 /* AF_UNIX */, 1 | 0x80000 /* STREAM|CLOEXEC */, 0, 0, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
            MemorySegment addr = a.allocate(110, 8);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
            MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
            Syscall.call("bind " + path, BIND, s, addr.address(), 2 + p.length + 1, 0, 0, 0);
            Syscall.call("listen", LISTEN, s, 4, 0, 0, 0, 0);
        } catch (RuntimeException e) {
            close(s);
            throw e;
        }
        return new SeccompAgent(path, s);
    }

    public Path path() {
        return path;
    }

    /** Accepts one connection and reads one message with its fd (null fd -1 if none came), or fails after timeout. */
    public Received accept(Duration timeout) {
        waitReadable(sock, timeout, "a connection from the runtime");
        int c = (int) Syscall.call("accept4", ACCEPT4, sock, 0, 0, 0x80000, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            waitReadable(c, timeout, "the runtime's message");
            MemorySegment buf = a.allocate(65536, 8);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ValueLayout.JAVA_LONG, 0, buf.address());
            iov.set(ValueLayout.JAVA_LONG, 8, buf.byteSize());
            MemorySegment cmsg = a.allocate(64, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            msg.set(ValueLayout.JAVA_LONG, 32, cmsg.address());
            msg.set(ValueLayout.JAVA_LONG, 40, cmsg.byteSize());
            long n = Syscall.call("recvmsg", RECVMSG, c, msg.address(), 0x40000000 /* MSG_CMSG_CLOEXEC */, 0, 0, 0);
            String text = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            int fd = -1;
            long controllen = msg.get(ValueLayout.JAVA_LONG, 40);
            if (controllen >= 20 && cmsg.get(ValueLayout.JAVA_INT, 8) == 1 && cmsg.get(ValueLayout.JAVA_INT, 12) == 1) {
                fd = cmsg.get(ValueLayout.JAVA_INT, 16);
            }
            return new Received(text, fd);
        } finally {
            close(c);
        }
    }

    /** The next notification on the notify fd, or fails after timeout. */
    public static Notification receive(int notifyFd, Duration timeout) {
        waitReadable(notifyFd, timeout, "a seccomp notification");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(80, 8);
            Syscall.call("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", IOCTL, notifyFd, NOTIF_RECV, n.address(), 0, 0, 0);
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) args[i] = n.get(ValueLayout.JAVA_LONG, 32 + 8L * i);
            return new Notification(n.get(ValueLayout.JAVA_LONG, 0), n.get(ValueLayout.JAVA_INT, 8),
                    n.get(ValueLayout.JAVA_INT, 16), args);
        }
    }

    /** Answers notification {@code id}: the syscall returns -error (error > 0), or {@code val} when error is 0. */
    public static void respond(int notifyFd, long id, long val, int error) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(24, 8);
            r.set(ValueLayout.JAVA_LONG, 0, id);
            r.set(ValueLayout.JAVA_LONG, 8, val);
            r.set(ValueLayout.JAVA_INT, 16, -error);
            Syscall.call("ioctl(SECCOMP_IOCTL_NOTIF_SEND)", IOCTL, notifyFd, NOTIF_SEND, r.address(), 0, 0, 0);
        }
    }

    /** What /proc/self/fd/FD links to. */
    public static String describe(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void close(int fd) {
        if (fd < 0) return;
        try {
            Syscall.call("close", CLOSE, fd, 0, 0, 0, 0, 0);
        } catch (SysException ignored) {
            // already closed
        }
    }

    private static void waitReadable(int fd, Duration timeout, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8, 4);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, (short) 1 /* POLLIN */);
            MemorySegment ts = a.allocate(16, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, timeout.toSeconds());
            ts.set(ValueLayout.JAVA_LONG, 8, timeout.toNanosPart());
            long n = Syscall.call("ppoll", PPOLL, pfd.address(), 1, ts.address(), 0, 8, 0);
            if (n == 0) throw new AssertionError("no " + what + " after " + timeout.toSeconds() + " s");
        }
    }

    @Override
    public void close() {
        close(sock);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the temp dir goes anyway
        }
    }
}
