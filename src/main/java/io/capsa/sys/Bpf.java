package io.capsa.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * bpf(2) for cgroup v2 device control: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to
 * a cgroup directory, replacing the programs attached before (runc's sequence: query the old ones,
 * attach the new one with BPF_F_ALLOW_MULTI, detach the old ones, so there is no moment without a
 * filter). Everything goes through one downcall, libc's syscall(long, long, long, long, long), bound
 * on first use.
 */
public final class Bpf {
    private Bpf() {
    }

    /** A failed system call: the call, errno and its text. */
    public static final class BpfException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        BpfException(String call, int errno, String detail) {
            super(call + ": " + Errno.text(errno) + (detail == null || detail.isBlank() ? "" : " (" + detail.strip() + ")"));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    // linux/bpf.h
    static final int BPF_PROG_LOAD = 5;
    static final int BPF_PROG_ATTACH = 8;
    static final int BPF_PROG_DETACH = 9;
    static final int BPF_PROG_GET_FD_BY_ID = 13;
    static final int BPF_PROG_QUERY = 16;
    static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    static final int BPF_CGROUP_DEVICE = 6;
    static final int BPF_F_ALLOW_MULTI = 2;
    static final int ATTR_SIZE = 128;

    static final boolean AARCH64 = System.getProperty("os.arch").equals("aarch64");
    static final long SYS_BPF = AARCH64 ? 280 : 321;
    static final long SYS_OPENAT = AARCH64 ? 56 : 257;
    static final long SYS_CLOSE = AARCH64 ? 57 : 3;
    static final long AT_FDCWD = -100;
    static final long O_RDONLY_DIRECTORY_CLOEXEC = 0x10000 | 0x80000; // O_DIRECTORY | O_CLOEXEC (x86_64)
    static final long O_RDONLY_DIRECTORY_CLOEXEC_ARM = 0x4000 | 0x80000;

    private static final class H {
        static final StructLayout CCS = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CCS.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SYSCALL;

        static {
            Linker l = Linker.nativeLinker();
            SYSCALL = l.downcallHandle(l.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                    Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
        }
    }

    private static long syscall(Arena a, String call, long nr, long x, long y, long z, long w, MemorySegment log) {
        MemorySegment state = a.allocate(H.CCS);
        long r;
        try {
            r = (long) H.SYSCALL.invokeExact(state, nr, x, y, z, w);
        } catch (Throwable t) {
            throw new IllegalStateException(call, t);
        }
        if (r < 0) {
            int errno = (int) H.ERRNO.get(state, 0L);
            throw new BpfException(call, errno, log == null ? null : log.getString(0));
        }
        return r;
    }

    private static long bpf(Arena a, String call, int cmd, MemorySegment attr, MemorySegment log) {
        return syscall(a, call, SYS_BPF, cmd, attr.address(), ATTR_SIZE, 0, log);
    }

    private static void close(Arena a, long fd) {
        try {
            syscall(a, "close", SYS_CLOSE, fd, 0, 0, 0, null);
        } catch (BpfException ignored) {
            // nothing to do
        }
    }

    /**
     * Loads the program (eBPF instructions, 8 bytes each) and attaches it as the device filter of the
     * cgroup v2 directory, replacing any filter attached before.
     */
    public static void attachDeviceFilter(Path cgroupDir, byte[] insns) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(cgroupDir.toString(), StandardCharsets.UTF_8);
            long dirFd = syscall(a, "open " + cgroupDir, SYS_OPENAT, AT_FDCWD, path.address(),
                    AARCH64 ? O_RDONLY_DIRECTORY_CLOEXEC_ARM : O_RDONLY_DIRECTORY_CLOEXEC, 0, null);
            long progFd = -1;
            try {
                // the programs attached now
                MemorySegment ids = a.allocate(ValueLayout.JAVA_INT, 64);
                MemorySegment q = a.allocate(ATTR_SIZE, 8);
                q.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                q.set(ValueLayout.JAVA_INT, 4, BPF_CGROUP_DEVICE);
                q.set(ValueLayout.JAVA_LONG, 16, ids.address());
                q.set(ValueLayout.JAVA_INT, 24, 64);
                bpf(a, "bpf(BPF_PROG_QUERY) on " + cgroupDir, BPF_PROG_QUERY, q, null);
                int oldFlags = q.get(ValueLayout.JAVA_INT, 12);
                int oldCount = q.get(ValueLayout.JAVA_INT, 24);

                progFd = load(a, insns);

                MemorySegment at = a.allocate(ATTR_SIZE, 8);
                at.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                at.set(ValueLayout.JAVA_INT, 4, (int) progFd);
                at.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE);
                // a single program attached without ALLOW_MULTI (by another tool) is replaced by attaching without it
                boolean multi = oldCount == 0 || (oldFlags & BPF_F_ALLOW_MULTI) != 0;
                at.set(ValueLayout.JAVA_INT, 12, multi ? BPF_F_ALLOW_MULTI : 0);
                bpf(a, "bpf(BPF_PROG_ATTACH) to " + cgroupDir, BPF_PROG_ATTACH, at, null);

                if (multi) {
                    for (int i = 0; i < Math.min(oldCount, 64); i++) {
                        MemorySegment g = a.allocate(ATTR_SIZE, 8);
                        g.set(ValueLayout.JAVA_INT, 0, ids.getAtIndex(ValueLayout.JAVA_INT, i));
                        long oldFd = bpf(a, "bpf(BPF_PROG_GET_FD_BY_ID)", BPF_PROG_GET_FD_BY_ID, g, null);
                        try {
                            MemorySegment d = a.allocate(ATTR_SIZE, 8);
                            d.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                            d.set(ValueLayout.JAVA_INT, 4, (int) oldFd);
                            d.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE);
                            bpf(a, "bpf(BPF_PROG_DETACH) from " + cgroupDir, BPF_PROG_DETACH, d, null);
                        } finally {
                            close(a, oldFd);
                        }
                    }
                }
            } finally {
                if (progFd >= 0) {
                    close(a, progFd);
                }
                close(a, dirFd);
            }
        }
    }

    /** How many device programs are attached to the cgroup directory. */
    public static int attachedDeviceFilters(Path cgroupDir) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(cgroupDir.toString(), StandardCharsets.UTF_8);
            long dirFd = syscall(a, "open " + cgroupDir, SYS_OPENAT, AT_FDCWD, path.address(),
                    AARCH64 ? O_RDONLY_DIRECTORY_CLOEXEC_ARM : O_RDONLY_DIRECTORY_CLOEXEC, 0, null);
            try {
                MemorySegment q = a.allocate(ATTR_SIZE, 8);
                q.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                q.set(ValueLayout.JAVA_INT, 4, BPF_CGROUP_DEVICE);
                bpf(a, "bpf(BPF_PROG_QUERY) on " + cgroupDir, BPF_PROG_QUERY, q, null);
                return q.get(ValueLayout.JAVA_INT, 24);
            } finally {
                close(a, dirFd);
            }
        }
    }

    private static long load(Arena a, byte[] insns) {
        MemorySegment code = a.allocate(insns.length, 8);
        code.copyFrom(MemorySegment.ofArray(insns));
        MemorySegment license = a.allocateFrom("Apache", StandardCharsets.US_ASCII);
        MemorySegment attr = a.allocate(ATTR_SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, 0, BPF_PROG_TYPE_CGROUP_DEVICE);
        attr.set(ValueLayout.JAVA_INT, 4, insns.length / 8);
        attr.set(ValueLayout.JAVA_LONG, 8, code.address());
        attr.set(ValueLayout.JAVA_LONG, 16, license.address());
        attr.setString(48, "capsa_devices", StandardCharsets.US_ASCII);
        try {
            return bpf(a, "bpf(BPF_PROG_LOAD)", BPF_PROG_LOAD, attr, null);
        } catch (BpfException e) {
            if (e.errno() != Errno.EACCES && e.errno() != Errno.EINVAL) {
                throw e;
            }
            // load again with the verifier's log, to say why
            MemorySegment log = a.allocate(16384);
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            attr.set(ValueLayout.JAVA_INT, 28, (int) log.byteSize());
            attr.set(ValueLayout.JAVA_LONG, 32, log.address());
            return bpf(a, "bpf(BPF_PROG_LOAD)", BPF_PROG_LOAD, attr, log);
        }
    }

    /** errno numbers and texts (glibc's strerror) for the calls made here. */
    static final class Errno {
        static final int EACCES = 13;
        static final int EINVAL = 22;

        static String text(int e) {
            return switch (e) {
                case 1 -> "Operation not permitted";
                case 2 -> "No such file or directory";
                case 7 -> "Argument list too long";
                case 9 -> "Bad file descriptor";
                case 12 -> "Cannot allocate memory";
                case 13 -> "Permission denied";
                case 14 -> "Bad address";
                case 16 -> "Device or resource busy";
                case 20 -> "Not a directory";
                case 22 -> "Invalid argument";
                case 24 -> "Too many open files";
                case 28 -> "No space left on device";
                case 38 -> "Function not implemented";
                case 95 -> "Operation not supported";
                default -> "errno " + e;
            };
        }
    }
}
