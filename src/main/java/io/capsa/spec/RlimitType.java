package io.capsa.spec;

import java.util.List;

/** RLIMIT_* names with their resource numbers (asm-generic/resource.h: x86, arm, arm64, riscv, s390, ppc). */
public enum RlimitType {
    RLIMIT_CPU(0),
    RLIMIT_FSIZE(1),
    RLIMIT_DATA(2),
    RLIMIT_STACK(3),
    RLIMIT_CORE(4),
    RLIMIT_RSS(5),
    RLIMIT_NPROC(6),
    RLIMIT_NOFILE(7),
    RLIMIT_MEMLOCK(8),
    RLIMIT_AS(9),
    RLIMIT_LOCKS(10),
    RLIMIT_SIGPENDING(11),
    RLIMIT_MSGQUEUE(12),
    RLIMIT_NICE(13),
    RLIMIT_RTPRIO(14),
    RLIMIT_RTTIME(15);

    /** RLIM_INFINITY as held in a Long (uint64 all ones). */
    public static final long RLIM_INFINITY = -1L;

    public static final List<String> NAMES = java.util.Arrays.stream(values()).map(Enum::name).toList();

    private final int resource;

    RlimitType(int resource) {
        this.resource = resource;
    }

    /** The setrlimit/prlimit resource number. */
    public int resource() {
        return resource;
    }

    /** The type for a name like "RLIMIT_NOFILE", or null. */
    public static RlimitType byName(String name) {
        if (name == null) {
            return null;
        }
        for (RlimitType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
