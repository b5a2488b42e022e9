package io.capsa.seccomp;

import io.capsa.spec.Features;
import io.capsa.spec.Json;
import io.capsa.spec.LinuxSeccomp;
import io.capsa.spec.LinuxSeccompArg;
import io.capsa.spec.LinuxSyscall;
import io.capsa.spec.SeccompNames;
import io.capsa.sys.LibSeccomp;
import io.capsa.sys.LibSeccomp.ArgCmp;
import io.capsa.sys.LibSeccomp.LibSeccompException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Compiles {@code linux.seccomp} into the classic BPF program the native stage installs with seccomp(2), with
 * runc's semantics: the native architecture is always in the filter; a rule whose action equals the default
 * action is dropped; a syscall name libseccomp does not know is skipped; conditions on distinct arguments make
 * one rule, while several conditions on the same argument make one rule each (a syscall then matches if any of
 * them holds); SCMP_ACT_ERRNO and SCMP_ACT_TRACE return EPERM unless errnoRet says otherwise; without
 * {@code flags} SECCOMP_FILTER_FLAG_SPEC_ALLOW is set when the kernel supports it. The filter itself is built by
 * libseccomp through FFM, never loaded here; the seccomp(2) flags are computed here and need no libseccomp.
 *
 * <p>Compiling binds libseccomp (hundreds of ms on a cold JVM), so {@link #compile(LinuxSeccomp, Path)} keeps
 * the compiled programs in a cache directory keyed by the profile, the libseccomp file and the architecture:
 * engines send the same profile with every container. Errors and the seccomp(2) flags never depend on the
 * cache: the profile is checked in Java before it is looked up.
 */
public final class Seccomp {
    private Seccomp() {
    }

    /** seccomp(2) filter flags (linux/seccomp.h). */
    public static final long FLAG_TSYNC = 1, FLAG_LOG = 2, FLAG_SPEC_ALLOW = 4, FLAG_NEW_LISTENER = 8,
            FLAG_TSYNC_ESRCH = 16, FLAG_WAIT_KILLABLE_RECV = 32;

    /** The fd name runc's seccomp agent protocol uses in {@code fds}. */
    public static final String SECCOMP_FD_NAME = "seccompFd";

    /** Bump when the compilation changes, so cached programs of an older Capsa are not reused. */
    private static final String COMPILER_VERSION = "capsa-seccomp-1";
    private static final byte[] CACHE_MAGIC = "CPSBPF02".getBytes(StandardCharsets.US_ASCII);

    /**
     * A compiled filter.
     * @param bpf the {@code struct sock_filter} array (8 bytes per instruction, host byte order)
     * @param flags the seccomp(2) flags to install it with (NEW_LISTENER when a rule notifies)
     * @param listenerPath the agent's unix socket when a rule notifies, else null
     * @param listenerMetadata the opaque metadata for the agent, or null
     */
    public record Program(byte[] bpf, long flags, String listenerPath, String listenerMetadata) {
        /** Whether the notify fd goes to a seccomp agent. */
        public boolean hasListener() {
            return listenerPath != null;
        }

        /** Number of BPF instructions. */
        public int instructions() {
            return bpf.length / 8;
        }
    }

    /** Compiles without a cache. Returns null when the profile disables seccomp (no defaultAction, no syscalls). */
    public static Program compile(LinuxSeccomp s) {
        return compile(s, null);
    }

    /**
     * Compiles {@code s}, reusing a program cached in {@code cacheDir} (created 0700 if missing and its parent
     * exists; null: no cache).
     * Errors name the field: {@code linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"}.
     * @return the program, or null when the profile disables seccomp (no defaultAction and no syscalls, as runc)
     */
    public static Program compile(LinuxSeccomp s, Path cacheDir) {
        Checked c = check(s);
        if (c == null) return null;
        byte[] key = cacheDir == null ? null : cacheKey(s);
        Path file = key == null ? null : cacheDir.resolve(name(key));
        byte[] bpf = file == null ? null : readCache(file, key);
        if (bpf == null) {
            bpf = build(c);
            if (file != null) writeCache(file, key, bpf);
        }
        return new Program(bpf, c.flags, c.listenerPath, c.listenerMetadata);
    }

    // ---- checking (pure Java: the same errors with and without a cache) ---------------------------------

    /** One libseccomp rule to add: syscall name, action, conditions, and where it came from. */
    private record Rule(String field, String name, int action, List<ArgCmp> cmps) {
    }

    private record Checked(int defaultAction, List<String> archs, List<Rule> rules, long flags,
                           String listenerPath, String listenerMetadata) {
    }

    private static Checked check(LinuxSeccomp s) {
        if (s == null) return null;
        List<LinuxSyscall> calls = s.syscalls() == null ? List.of() : s.syscalls();
        if ((s.defaultAction() == null || s.defaultAction().isEmpty()) && calls.isEmpty()) return null;
        String f = "linux.seccomp";
        if (s.defaultAction() == null || s.defaultAction().isEmpty())
            throw new SeccompException(f + ".defaultAction: required when syscalls are given");
        if (s.defaultAction().equals("SCMP_ACT_NOTIFY"))
            throw new SeccompException(f + ".defaultAction: SCMP_ACT_NOTIFY cannot be used as default action");
        int defaultAction = action(s.defaultAction(), s.defaultErrnoRet(), f + ".defaultAction", f + ".defaultErrnoRet");

        List<String> archs = new ArrayList<>();
        if (s.architectures() != null) {
            for (int i = 0; i < s.architectures().size(); i++) {
                String a = s.architectures().get(i);
                if (a == null || !SeccompNames.ARCHS.contains(a))
                    throw new SeccompException(f + ".architectures[" + i + "]: unknown architecture " + quote(a));
                archs.add(a);
            }
        }

        boolean notify = false;
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            LinuxSyscall sc = calls.get(i);
            String at = f + ".syscalls[" + i + "]";
            if (sc == null) throw new SeccompException(at + ": must be an object, not null");
            if (sc.action() == null || sc.action().isEmpty()) throw new SeccompException(at + ".action: required");
            int act = action(sc.action(), sc.errnoRet(), at + ".action", at + ".errnoRet");
            if (sc.names() == null || sc.names().isEmpty()) throw new SeccompException(at + ".names: must not be empty");
            boolean isNotify = sc.action().equals("SCMP_ACT_NOTIFY");
            notify |= isNotify;
            List<ArgCmp> cmps = new ArrayList<>();
            int[] perIndex = new int[6];
            if (sc.args() != null) {
                for (int j = 0; j < sc.args().size(); j++) {
                    LinuxSeccompArg a = sc.args().get(j);
                    String aat = at + ".args[" + j + "]";
                    if (a == null) throw new SeccompException(aat + ": must be an object, not null");
                    if (a.index() == null) throw new SeccompException(aat + ".index: required");
                    if (a.index() < 0 || a.index() > 5)
                        throw new SeccompException(aat + ".index: " + a.index() + " is out of range (0 to 5)");
                    int op = operator(a.op(), aat + ".op");
                    perIndex[a.index().intValue()]++;
                    cmps.add(new ArgCmp(a.index().intValue(), op, a.value() == null ? 0 : a.value(),
                            a.valueTwo() == null ? 0 : a.valueTwo()));
                }
            }
            boolean sameIndexTwice = false;
            for (int n : perIndex) sameIndexTwice |= n > 1;
            for (int k = 0; k < sc.names().size(); k++) {
                String name = sc.names().get(k);
                String nat = at + ".names[" + k + "]";
                if (name == null || name.isEmpty()) throw new SeccompException(nat + ": empty string is not a valid syscall");
                if (isNotify && name.equals("write"))
                    throw new SeccompException(nat + ": SCMP_ACT_NOTIFY cannot be used for the write syscall"
                            + " (the runtime needs write to hand the notify fd to the agent)");
                if (act == defaultAction) continue; // redundant, as runc
                if (sameIndexTwice) {
                    // runc's "old behaviour": each condition its own rule (any of them matches)
                    for (ArgCmp c : cmps) rules.add(new Rule(nat, name, act, List.of(c)));
                } else {
                    rules.add(new Rule(nat, name, act, cmps));
                }
            }
        }

        long flags = 0;
        List<String> supported = Features.supportedSeccompFlags(Features.kernelVersion());
        if (s.flags() == null) {
            if (supported.contains("SECCOMP_FILTER_FLAG_SPEC_ALLOW")) flags |= FLAG_SPEC_ALLOW;
        } else {
            for (int i = 0; i < s.flags().size(); i++) {
                String fl = s.flags().get(i);
                String fat = f + ".flags[" + i + "]";
                long bit = switch (fl == null ? "" : fl) {
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> FLAG_TSYNC;
                    case "SECCOMP_FILTER_FLAG_LOG" -> FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> FLAG_SPEC_ALLOW;
                    case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> FLAG_WAIT_KILLABLE_RECV;
                    default -> throw new SeccompException(fat + ": unknown flag " + quote(fl));
                };
                if (!supported.contains(fl))
                    throw new SeccompException(fat + ": " + fl + " is not supported by this kernel");
                flags |= bit;
            }
        }
        String listenerPath = null, metadata = null;
        if (notify) {
            flags |= FLAG_NEW_LISTENER;
            // TSYNC and NEW_LISTENER together are refused unless TSYNC failures report ESRCH (as libseccomp does)
            if ((flags & FLAG_TSYNC) != 0) flags |= FLAG_TSYNC_ESRCH;
            if (s.listenerPath() == null || s.listenerPath().isEmpty())
                throw new SeccompException(f + ".listenerPath: required when an action is SCMP_ACT_NOTIFY");
            if (!s.listenerPath().startsWith("/"))
                throw new SeccompException(f + ".listenerPath: must be an absolute path, got " + quote(s.listenerPath()));
            listenerPath = s.listenerPath();
            metadata = s.listenerMetadata() == null || s.listenerMetadata().isEmpty() ? null : s.listenerMetadata();
        } else {
            // waiting killably only applies to notifications; the kernel refuses it without a listener
            flags &= ~FLAG_WAIT_KILLABLE_RECV;
        }
        return new Checked(defaultAction, archs, rules, flags, listenerPath, metadata);
    }

    private static int action(String name, Long errnoRet, String field, String errnoField) {
        int ret = 1; // EPERM, as runc
        if (errnoRet != null && (name.equals("SCMP_ACT_ERRNO") || name.equals("SCMP_ACT_TRACE"))) {
            if (errnoRet < 0 || errnoRet > 0xffff)
                throw new SeccompException(errnoField + ": " + Long.toUnsignedString(errnoRet) + " does not fit in 16 bits");
            ret = errnoRet.intValue();
        }
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> LibSeccomp.ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> LibSeccomp.ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> LibSeccomp.ACT_TRAP;
            case "SCMP_ACT_ERRNO" -> LibSeccomp.actErrno(ret);
            case "SCMP_ACT_TRACE" -> LibSeccomp.actTrace(ret);
            case "SCMP_ACT_ALLOW" -> LibSeccomp.ACT_ALLOW;
            case "SCMP_ACT_LOG" -> LibSeccomp.ACT_LOG;
            case "SCMP_ACT_NOTIFY" -> LibSeccomp.ACT_NOTIFY;
            default -> throw new SeccompException(field + ": unknown action " + quote(name));
        };
    }

    private static int operator(String op, String field) {
        if (op == null || op.isEmpty()) throw new SeccompException(field + ": required");
        return switch (op) {
            case "SCMP_CMP_NE" -> LibSeccomp.CMP_NE;
            case "SCMP_CMP_LT" -> LibSeccomp.CMP_LT;
            case "SCMP_CMP_LE" -> LibSeccomp.CMP_LE;
            case "SCMP_CMP_EQ" -> LibSeccomp.CMP_EQ;
            case "SCMP_CMP_GE" -> LibSeccomp.CMP_GE;
            case "SCMP_CMP_GT" -> LibSeccomp.CMP_GT;
            case "SCMP_CMP_MASKED_EQ" -> LibSeccomp.CMP_MASKED_EQ;
            default -> throw new SeccompException(field + ": unknown operator " + quote(op));
        };
    }

    /** libseccomp's name of a runtime-spec architecture: SCMP_ARCH_X86_64 -> x86_64. */
    static String libseccompArch(String specArch) {
        return specArch.substring("SCMP_ARCH_".length()).toLowerCase(Locale.ROOT);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    // ---- building with libseccomp ---------------------------------------------------------------------------

    private static byte[] build(Checked c) {
        if (!LibSeccomp.available()) throw new SeccompException("linux.seccomp: " + LibSeccomp.unavailableReason());
        try (LibSeccomp.Filter filter = LibSeccomp.Filter.create(c.defaultAction)) {
            for (int i = 0; i < c.archs.size(); i++) {
                String a = c.archs.get(i);
                int token = LibSeccomp.archResolveName(libseccompArch(a));
                if (token == 0)
                    throw new SeccompException("linux.seccomp.architectures[" + i + "]: " + a
                            + " is not supported by libseccomp " + LibSeccomp.version());
                filter.addArch(token);
            }
            // The stage sets no_new_privs itself when process.noNewPrivileges asks; the export does not care,
            // but say so anyway so that nothing depends on libseccomp's default.
            filter.setAttr(LibSeccomp.ATTR_CTL_NNP, 0);
            trySetAttr(filter, LibSeccomp.ATTR_API_SYSRAWRC, 1);
            // libseccomp's binary tree for long profiles, as runc (<= 2.5.4 misbehaves with it and no rules)
            if (c.rules.size() > 32) trySetAttr(filter, LibSeccomp.ATTR_CTL_OPTIMIZE, 2);
            Map<String, Integer> numbers = new HashMap<>();
            for (Rule r : c.rules) {
                int nr = numbers.computeIfAbsent(r.name, LibSeccomp::syscallResolveName);
                if (nr == LibSeccomp.NR_SCMP_ERROR) continue; // unknown to libseccomp: skipped, as runc
                int rc = filter.addRule(r.action, nr, r.cmps);
                if (rc < 0) {
                    throw new SeccompException(r.field + ": adding the rule for " + quote(r.name) + ": "
                            + io.capsa.sys.Errno.describe(-rc));
                }
            }
            byte[] bpf = filter.exportBpf();
            if (bpf.length == 0 || bpf.length % 8 != 0)
                throw new SeccompException("linux.seccomp: libseccomp exported a filter of " + bpf.length + " bytes");
            return bpf;
        } catch (LibSeccompException e) {
            throw new SeccompException("linux.seccomp: " + e.getMessage(), e);
        }
    }

    private static void trySetAttr(LibSeccomp.Filter f, int attr, int value) {
        try {
            f.setAttr(attr, value);
        } catch (LibSeccompException e) {
            // an older libseccomp without this attribute: not needed for a correct filter
        }
    }

    // ---- the cache ------------------------------------------------------------------------------------------

    /**
     * A cache entry's identity: the compiler version, the libseccomp file (name, size, mtime), the architecture
     * and the canonical JSON of the profile without the listener fields (which do not change the filter). Null
     * (no caching) when the libseccomp file cannot be found.
     */
    static byte[] cacheKey(LinuxSeccomp s) {
        Optional<Path> lib = LibSeccomp.libraryFile();
        if (lib.isEmpty()) return null;
        String libId;
        try {
            libId = lib.get().getFileName() + ":" + Files.size(lib.get()) + ":"
                    + Files.getLastModifiedTime(lib.get()).toMillis();
        } catch (IOException e) {
            return null;
        }
        LinuxSeccomp canonical = new LinuxSeccomp(s.defaultAction(), s.defaultErrnoRet(), s.architectures(),
                s.flags(), null, null, s.syscalls());
        byte[] head = (COMPILER_VERSION + "\n" + libId + "\n" + System.getProperty("os.arch") + "\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] json = Json.toBytes(canonical);
        byte[] key = Arrays.copyOf(head, head.length + json.length);
        System.arraycopy(json, 0, key, head.length, json.length);
        return key;
    }

    /**
     * The cache file for {@code s} in {@code cacheDir}, named by a 128-bit hash of its key, or null. The file also
     * holds the whole key, and a hit needs it byte for byte: a hash collision can only cost a miss, never serve
     * another profile's filter. (So no cryptographic hash is needed, and none is paid for: the JCA's first
     * MessageDigest costs a cold JVM about 20 ms.)
     */
    static Path cacheFile(LinuxSeccomp s, Path cacheDir) {
        byte[] key = cacheKey(s);
        return key == null ? null : cacheDir.resolve(name(key));
    }

    private static String name(byte[] key) {
        // two FNV-1a 64 variants (different offset bases), hex
        long h1 = 0xcbf29ce484222325L, h2 = 0x84222325cbf29ce4L;
        for (byte b : key) {
            h1 = (h1 ^ (b & 0xff)) * 0x100000001b3L;
            h2 = (h2 ^ (b & 0xff)) * 0x100000001b3L;
            h2 ^= h2 >>> 29;
        }
        return HexFormat.of().toHexDigits(h1) + HexFormat.of().toHexDigits(h2) + ".bpf";
    }

    // file: magic(8) | u32 key length | key | u32 CRC-32 of the program | program   (big endian)
    static byte[] readCache(Path file, byte[] key) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        if (b.length < CACHE_MAGIC.length + 8 || !Arrays.equals(b, 0, CACHE_MAGIC.length, CACHE_MAGIC, 0, CACHE_MAGIC.length))
            return null;
        in.position(CACHE_MAGIC.length);
        int keyLen = in.getInt();
        if (keyLen != key.length || in.remaining() < keyLen + 4) return null;
        if (!Arrays.equals(b, in.position(), in.position() + keyLen, key, 0, keyLen)) return null;
        in.position(in.position() + keyLen);
        int crc = in.getInt();
        byte[] bpf = Arrays.copyOfRange(b, in.position(), b.length);
        if (bpf.length == 0 || bpf.length % 8 != 0 || crc32(bpf) != crc) return null;
        return bpf;
    }

    /**
     * Writes the entry atomically (temp file 0600 in the same directory, then rename), creating the directory
     * (0700) if its parent exists; failures are ignored.
     */
    static void writeCache(Path file, byte[] key, byte[] bpf) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            // only the cache directory itself: its parent (the runtime root) is the state store's to create
            if (!Files.isDirectory(dir))
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            tmp = Files.createTempFile(dir, ".tmp-", ".bpf",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            ByteBuffer out = ByteBuffer.allocate(CACHE_MAGIC.length + 8 + key.length + bpf.length);
            out.put(CACHE_MAGIC).putInt(key.length).put(key).putInt(crc32(bpf)).put(bpf);
            Files.write(tmp, out.array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | UnsupportedOperationException e) {
            // a cache that cannot be written only costs time
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    private static int crc32(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return (int) c.getValue();
    }
}
