package io.capsa.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FFM binding of libseccomp ({@code libseccomp.so.2}): build a filter in memory and export it as classic BPF
 * ({@code struct sock_filter[]}) for the native stage to install with seccomp(2). Nothing is ever loaded into
 * this process.
 *
 * <p><b>One downcall shape.</b> Binding costs a cold JVM about 15-40 ms per distinct {@link FunctionDescriptor}
 * but well under 1 ms per further function of an already seen descriptor (the linker caches the stub). Every
 * function used here is therefore bound with the same descriptor {@code (long, long, long, long, long) -> long},
 * which is ABI-exact on the two 64-bit targets (x86_64 System V, AArch64 AAPCS64) for what we call: every
 * parameter is an integer or a pointer passed in a general-purpose register (at most 5, all in registers), a
 * callee reads only the low 32 bits of an {@code int}/{@code uint32_t} parameter and never looks at registers
 * past its own parameters, and an {@code int} result is the low 32 bits of the return register (so results are
 * narrowed with {@code (int)} here). 32-bit values are passed sign-extended. Pointers are passed as addresses.
 * Other architectures are refused.
 *
 * <p>Bound lazily on first use: classes that only need the constants cost nothing.
 */
public final class LibSeccomp {
    private LibSeccomp() {
    }

    /** libseccomp or a call into it failed. */
    public static final class LibSeccompException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        LibSeccompException(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        /** The errno libseccomp returned (as a positive number), 0 if none. */
        public int errno() {
            return errno;
        }
    }

    // ---- seccomp.h constants (stable ABI) ------------------------------------------------------------------
    public static final int ACT_KILL_PROCESS = 0x80000000;
    public static final int ACT_KILL_THREAD = 0x00000000;
    public static final int ACT_TRAP = 0x00030000;
    public static final int ACT_NOTIFY = 0x7fc00000;
    public static final int ACT_LOG = 0x7ffc0000;
    public static final int ACT_ALLOW = 0x7fff0000;

    /** SCMP_ACT_ERRNO(e). */
    public static int actErrno(int e) {
        return 0x00050000 | (e & 0xffff);
    }

    /** SCMP_ACT_TRACE(msg). */
    public static int actTrace(int msg) {
        return 0x7ff00000 | (msg & 0xffff);
    }

    /** enum scmp_compare. */
    public static final int CMP_NE = 1, CMP_LT = 2, CMP_LE = 3, CMP_EQ = 4, CMP_GE = 5, CMP_GT = 6, CMP_MASKED_EQ = 7;

    /** enum scmp_filter_attr. */
    public static final int ATTR_CTL_NNP = 3, ATTR_CTL_TSYNC = 4, ATTR_CTL_LOG = 6, ATTR_CTL_SSB = 7,
            ATTR_CTL_OPTIMIZE = 8, ATTR_API_SYSRAWRC = 9;

    /** __NR_SCMP_ERROR: what the name resolvers return for an unknown name. */
    public static final int NR_SCMP_ERROR = -1;

    /** One argument comparison ({@code struct scmp_arg_cmp}). */
    public record ArgCmp(int arg, int op, long datumA, long datumB) {
    }

    // ---- binding -------------------------------------------------------------------------------------------

    private static final class Lib {
        static final Linker LINKER = Linker.nativeLinker();
        static final FunctionDescriptor SHAPE = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        /** Why libseccomp cannot be used, or null: then every handle below but the optional ones is bound. */
        static final String FAILURE;
        static final SymbolLookup SECCOMP;

        static {
            String arch = System.getProperty("os.arch");
            SymbolLookup l = null;
            String failure = null;
            if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                failure = "libseccomp: architecture " + arch + " is not supported by Capsa";
            } else {
                try {
                    l = SymbolLookup.libraryLookup("libseccomp.so.2", Arena.global());
                } catch (IllegalArgumentException e) {
                    failure = "libseccomp.so.2 cannot be loaded (is libseccomp2 installed?): " + e.getMessage();
                }
            }
            SECCOMP = l;
            FAILURE = failure;
        }

        static final MethodHandle INIT = bind("seccomp_init");
        static final MethodHandle RELEASE = bind("seccomp_release");
        static final MethodHandle ARCH_ADD = bind("seccomp_arch_add");
        static final MethodHandle ARCH_REMOVE = bind("seccomp_arch_remove");
        static final MethodHandle ARCH_NATIVE = bind("seccomp_arch_native");
        static final MethodHandle ARCH_RESOLVE_NAME = bind("seccomp_arch_resolve_name");
        static final MethodHandle SYSCALL_RESOLVE_NAME = bind("seccomp_syscall_resolve_name");
        static final MethodHandle SYSCALL_RESOLVE_NAME_ARCH = bind("seccomp_syscall_resolve_name_arch");
        static final MethodHandle ATTR_SET = bind("seccomp_attr_set");
        static final MethodHandle RULE_ADD_ARRAY = bind("seccomp_rule_add_array");
        static final MethodHandle EXPORT_BPF = bind("seccomp_export_bpf");
        static final MethodHandle VERSION = bind("seccomp_version");
        static final MethodHandle API_GET = bind("seccomp_api_get");
        /** libseccomp >= 2.6 only. */
        static final MethodHandle EXPORT_BPF_MEM = SECCOMP == null ? null : bindOptional(SECCOMP, "seccomp_export_bpf_mem");
        // from libc (glibc >= 2.27), same shape
        static final MethodHandle MEMFD_CREATE = bindOptional(LINKER.defaultLookup(), "memfd_create");
        static final MethodHandle CLOSE = bindOptional(LINKER.defaultLookup(), "close");

        /** Null when libseccomp is unusable or lacks the function (a call then says why). */
        static MethodHandle bind(String name) {
            return SECCOMP == null ? null : bindOptional(SECCOMP, name);
        }

        static MethodHandle bindOptional(SymbolLookup lookup, String name) {
            Optional<MemorySegment> s = lookup.find(name);
            return s.map(a -> LINKER.downcallHandle(a, SHAPE)).orElse(null);
        }
    }

    /** Whether libseccomp can be used here; {@link #unavailableReason()} says why not. */
    public static boolean available() {
        return Lib.FAILURE == null && Lib.INIT != null;
    }

    /** Why libseccomp cannot be used, or null if it can. */
    public static String unavailableReason() {
        if (Lib.FAILURE != null) return Lib.FAILURE;
        return Lib.INIT == null ? "libseccomp.so.2: seccomp_init not found" : null;
    }

    private static long call(MethodHandle h, long a, long b, long c, long d, long e) {
        if (h == null) {
            String why = unavailableReason();
            throw new LibSeccompException(why != null ? why : "libseccomp.so.2: a needed function is missing (libseccomp too old?)", Errno.ENOSYS);
        }
        try {
            return (long) h.invokeExact(a, b, c, d, e);
        } catch (RuntimeException | Error x) {
            throw x;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int call32(MethodHandle h, long a, long b, long c, long d, long e) {
        return (int) call(h, a, b, c, d, e);
    }

    /** A libseccomp result: negative errno on failure. */
    private static void check(int rc, String what) {
        if (rc < 0) throw new LibSeccompException(what + ": " + Errno.describe(-rc), -rc);
    }

    // ---- library-wide calls ---------------------------------------------------------------------------------

    /** The native architecture's token (AUDIT_ARCH_*). */
    public static int archNative() {
        return call32(Lib.ARCH_NATIVE, 0, 0, 0, 0, 0);
    }

    /** The token of a libseccomp architecture name (e.g. "x86_64", "aarch64"), 0 if libseccomp does not know it. */
    public static int archResolveName(String name) {
        try (Arena a = Arena.ofConfined()) {
            return call32(Lib.ARCH_RESOLVE_NAME, a.allocateFrom(name, StandardCharsets.UTF_8).address(), 0, 0, 0, 0);
        }
    }

    /**
     * The native syscall number of {@code name} ({@link #NR_SCMP_ERROR} if unknown; a negative pseudo number for a
     * syscall the native architecture lacks but another one has, which rules accept).
     */
    public static int syscallResolveName(String name) {
        try (Arena a = Arena.ofConfined()) {
            return call32(Lib.SYSCALL_RESOLVE_NAME, a.allocateFrom(name, StandardCharsets.UTF_8).address(), 0, 0, 0, 0);
        }
    }

    /** The syscall number of {@code name} on the architecture {@code arch} (a token). */
    public static int syscallResolveName(int arch, String name) {
        try (Arena a = Arena.ofConfined()) {
            return call32(Lib.SYSCALL_RESOLVE_NAME_ARCH, arch, a.allocateFrom(name, StandardCharsets.UTF_8).address(),
                    0, 0, 0);
        }
    }

    /** The library's version, e.g. "2.5.4" (from seccomp_version()). */
    public static String version() {
        MemorySegment v = MemorySegment.ofAddress(call(Lib.VERSION, 0, 0, 0, 0, 0)).reinterpret(12);
        return Integer.toUnsignedString(v.get(ValueLayout.JAVA_INT, 0)) + "."
                + Integer.toUnsignedString(v.get(ValueLayout.JAVA_INT, 4)) + "."
                + Integer.toUnsignedString(v.get(ValueLayout.JAVA_INT, 8));
    }

    /** The API level libseccomp detected for this kernel (seccomp_api_get()). */
    public static int apiLevel() {
        return call32(Lib.API_GET, 0, 0, 0, 0, 0);
    }

    /**
     * The libseccomp shared object the dynamic loader would pick, resolved to its real file (e.g.
     * {@code /usr/lib/x86_64-linux-gnu/libseccomp.so.2.5.4}), found without loading it; empty if not found in
     * the usual directories. Its name carries the version, which is what a cache of compiled filters keys on.
     */
    public static Optional<Path> libraryFile() {
        List<String> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isEmpty()) dirs.add(d);
        String multiarch = System.getProperty("os.arch").equals("aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        for (String d : new String[] {"/lib/" + multiarch, "/usr/lib/" + multiarch, "/lib64", "/usr/lib64", "/lib",
                "/usr/lib", "/usr/local/lib"}) dirs.add(d);
        for (String d : dirs) {
            Path p = Path.of(d, "libseccomp.so.2");
            if (Files.exists(p)) {
                try {
                    return Optional.of(p.toRealPath());
                } catch (IOException e) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    // ---- filters --------------------------------------------------------------------------------------------

    /** A filter context (scmp_filter_ctx); {@link #close()} releases it. Not thread-safe. */
    public static final class Filter implements AutoCloseable {
        private long ctx;

        private Filter(long ctx) {
            this.ctx = ctx;
        }

        /** seccomp_init(defaultAction): a filter for the native architecture. */
        public static Filter create(int defaultAction) {
            long ctx = call(Lib.INIT, defaultAction, 0, 0, 0, 0);
            if (ctx == 0) {
                throw new LibSeccompException("seccomp_init(0x" + Integer.toHexString(defaultAction)
                        + "): invalid default action", Errno.EINVAL);
            }
            return new Filter(ctx);
        }

        private long ctx() {
            if (ctx == 0) throw new IllegalStateException("libseccomp filter already released");
            return ctx;
        }

        /** seccomp_arch_add; an architecture already present is not an error. */
        public void addArch(int arch) {
            int rc = call32(Lib.ARCH_ADD, ctx(), arch, 0, 0, 0);
            if (rc == -Errno.EEXIST) return;
            check(rc, "seccomp_arch_add(0x" + Integer.toHexString(arch) + ")");
        }

        /** seccomp_arch_remove. */
        public void removeArch(int arch) {
            check(call32(Lib.ARCH_REMOVE, ctx(), arch, 0, 0, 0), "seccomp_arch_remove(0x" + Integer.toHexString(arch) + ")");
        }

        /** seccomp_attr_set. */
        public void setAttr(int attr, int value) {
            check(call32(Lib.ATTR_SET, ctx(), attr, value, 0, 0), "seccomp_attr_set(" + attr + ", " + value + ")");
        }

        /**
         * seccomp_rule_add_array: {@code action} for syscall {@code nr} when every comparison holds.
         * @return 0, or the negative errno libseccomp returned
         */
        public int addRule(int action, int nr, List<ArgCmp> cmps) {
            try (Arena a = Arena.ofConfined()) {
                long array = 0;
                if (!cmps.isEmpty()) {
                    MemorySegment s = a.allocate(24L * cmps.size(), 8);
                    for (int i = 0; i < cmps.size(); i++) {
                        ArgCmp c = cmps.get(i);
                        long o = 24L * i;
                        s.set(ValueLayout.JAVA_INT, o, c.arg());
                        s.set(ValueLayout.JAVA_INT, o + 4, c.op());
                        s.set(ValueLayout.JAVA_LONG, o + 8, c.datumA());
                        s.set(ValueLayout.JAVA_LONG, o + 16, c.datumB());
                    }
                    array = s.address();
                }
                return call32(Lib.RULE_ADD_ARRAY, ctx(), action, nr, cmps.size(), array);
            }
        }

        /** The filter as classic BPF: the bytes of its {@code struct sock_filter} array (8 bytes each). */
        public byte[] exportBpf() {
            if (Lib.EXPORT_BPF_MEM != null) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment len = a.allocate(ValueLayout.JAVA_LONG);
                    int rc = call32(Lib.EXPORT_BPF_MEM, ctx(), 0, len.address(), 0, 0);
                    if (rc == 0) {
                        long n = len.get(ValueLayout.JAVA_LONG, 0);
                        MemorySegment buf = a.allocate(Math.max(n, 8), 8);
                        rc = call32(Lib.EXPORT_BPF_MEM, ctx(), buf.address(), len.address(), 0, 0);
                        if (rc == 0) return buf.asSlice(0, len.get(ValueLayout.JAVA_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
                    }
                    // fall through to the fd route
                }
            }
            if (Lib.MEMFD_CREATE == null || Lib.CLOSE == null) {
                throw new LibSeccompException("seccomp_export_bpf: libc has no memfd_create", Errno.ENOSYS);
            }
            int fd;
            try (Arena a = Arena.ofConfined()) {
                // MFD_CLOEXEC
                fd = call32(Lib.MEMFD_CREATE, a.allocateFrom("capsa-seccomp", StandardCharsets.US_ASCII).address(), 1, 0, 0, 0);
            }
            if (fd < 0) throw new LibSeccompException("memfd_create failed", 0);
            try {
                check(call32(Lib.EXPORT_BPF, ctx(), fd, 0, 0, 0), "seccomp_export_bpf");
                // a fresh open of the memfd starts at offset 0
                return Files.readAllBytes(Path.of("/proc/self/fd/" + fd));
            } catch (IOException e) {
                throw new LibSeccompException("seccomp_export_bpf: reading the memfd: " + e.getMessage(), 0);
            } finally {
                call(Lib.CLOSE, fd, 0, 0, 0, 0);
            }
        }

        /** seccomp_release. */
        @Override
        public void close() {
            if (ctx != 0) {
                call(Lib.RELEASE, ctx, 0, 0, 0, 0);
                ctx = 0;
            }
        }
    }
}
