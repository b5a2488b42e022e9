package io.capsa.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * bpf(2) for cgroup v2 device control: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it to
 * a cgroup directory, replacing the programs attached before (runc's sequence: query the old ones,
 * attach the new one with BPF_F_ALLOW_MULTI, detach the old ones, so there is no moment without a
 * filter). Goes through {@link Syscall}'s single downcall.
 */
public final class Bpf {
    private Bpf() {
    }

    /** A failed bpf(2) (or open/close around it): the call, errno and, for a refused program, the verifier's log. */
    public static final class BpfException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        BpfException(SysException e, String detail) {
            super(e.getMessage() + (detail == null || detail.isBlank() ? "" : " (verifier: " + detail.strip() + ")"), e);
            this.errno = e.errno();
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

    // x86_64 (as Syscall)
    static final long SYS_BPF = 321;
    static final long SYS_OPENAT = 257;
    static final long SYS_CLOSE = 3;
    static final long AT_FDCWD = -100;
    static final long O_DIRECTORY_CLOEXEC = 0x10000 | 0x80000;

    private static long call(String what, long nr, long a, long b, long c) {
        try {
            return Syscall.call(what, nr, a, b, c, 0, 0, 0);
        } catch (SysException e) {
            throw new BpfException(e, null);
        }
    }

    private static long bpf(String what, int cmd, MemorySegment attr) {
        return call(what, SYS_BPF, cmd, attr.address(), ATTR_SIZE);
    }

    private static void close(long fd) {
        try {
            Syscall.call("close", SYS_CLOSE, fd, 0, 0, 0, 0, 0);
        } catch (SysException ignored) {
            // nothing to do
        }
    }

    private static long openDir(Arena a, Path dir) {
        MemorySegment path = a.allocateFrom(dir.toString(), StandardCharsets.UTF_8);
        return call("open " + dir, SYS_OPENAT, AT_FDCWD, path.address(), O_DIRECTORY_CLOEXEC);
    }

    /**
     * Loads the program (eBPF instructions, 8 bytes each) and attaches it as the device filter of the
     * cgroup v2 directory, replacing any filter attached before.
     */
    public static void attachDeviceFilter(Path cgroupDir, byte[] insns) {
        try (Arena a = Arena.ofConfined()) {
            long dirFd = openDir(a, cgroupDir);
            long progFd = -1;
            try {
                // the programs attached now
                MemorySegment ids = a.allocate(ValueLayout.JAVA_INT, 64);
                MemorySegment q = a.allocate(ATTR_SIZE, 8);
                q.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                q.set(ValueLayout.JAVA_INT, 4, BPF_CGROUP_DEVICE);
                q.set(ValueLayout.JAVA_LONG, 16, ids.address());
                q.set(ValueLayout.JAVA_INT, 24, 64);
                bpf("bpf(BPF_PROG_QUERY) on " + cgroupDir, BPF_PROG_QUERY, q);
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
                bpf("bpf(BPF_PROG_ATTACH) to " + cgroupDir, BPF_PROG_ATTACH, at);

                if (multi) {
                    for (int i = 0; i < Math.min(oldCount, 64); i++) {
                        MemorySegment g = a.allocate(ATTR_SIZE, 8);
                        g.set(ValueLayout.JAVA_INT, 0, ids.getAtIndex(ValueLayout.JAVA_INT, i));
                        long oldFd = bpf("bpf(BPF_PROG_GET_FD_BY_ID)", BPF_PROG_GET_FD_BY_ID, g);
                        try {
                            MemorySegment d = a.allocate(ATTR_SIZE, 8);
                            d.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                            d.set(ValueLayout.JAVA_INT, 4, (int) oldFd);
                            d.set(ValueLayout.JAVA_INT, 8, BPF_CGROUP_DEVICE);
                            bpf("bpf(BPF_PROG_DETACH) from " + cgroupDir, BPF_PROG_DETACH, d);
                        } finally {
                            close(oldFd);
                        }
                    }
                }
            } finally {
                if (progFd >= 0) {
                    close(progFd);
                }
                close(dirFd);
            }
        }
    }

    /** How many device programs are attached to the cgroup directory. */
    public static int attachedDeviceFilters(Path cgroupDir) {
        try (Arena a = Arena.ofConfined()) {
            long dirFd = openDir(a, cgroupDir);
            try {
                MemorySegment q = a.allocate(ATTR_SIZE, 8);
                q.set(ValueLayout.JAVA_INT, 0, (int) dirFd);
                q.set(ValueLayout.JAVA_INT, 4, BPF_CGROUP_DEVICE);
                bpf("bpf(BPF_PROG_QUERY) on " + cgroupDir, BPF_PROG_QUERY, q);
                return q.get(ValueLayout.JAVA_INT, 24);
            } finally {
                close(dirFd);
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
            return Syscall.call("bpf(BPF_PROG_LOAD)", SYS_BPF, BPF_PROG_LOAD, attr.address(), ATTR_SIZE, 0, 0, 0);
        } catch (SysException e) {
            if (e.errno() != Errno.EACCES && e.errno() != Errno.EINVAL) {
                throw new BpfException(e, null);
            }
            // load again with the verifier's log, to say why
            MemorySegment log = a.allocate(16384);
            attr.set(ValueLayout.JAVA_INT, 24, 1);
            attr.set(ValueLayout.JAVA_INT, 28, (int) log.byteSize());
            attr.set(ValueLayout.JAVA_LONG, 32, log.address());
            try {
                return Syscall.call("bpf(BPF_PROG_LOAD)", SYS_BPF, BPF_PROG_LOAD, attr.address(), ATTR_SIZE, 0, 0, 0);
            } catch (SysException e2) {
                throw new BpfException(e2, log.getString(0));
            }
        }
    }
}
