package io.capsa.spec;

import java.util.List;

/** Names of the seccomp vocabulary of the runtime-spec (what {@code features} reports and the validator accepts). */
public final class SeccompNames {
    private SeccompNames() {
    }

    /** Actions, sorted. SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD. */
    public static final List<String> ACTIONS = List.of(
            "SCMP_ACT_ALLOW",
            "SCMP_ACT_ERRNO",
            "SCMP_ACT_KILL",
            "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_LOG",
            "SCMP_ACT_NOTIFY",
            "SCMP_ACT_TRACE",
            "SCMP_ACT_TRAP");

    /** Argument comparison operators, sorted. */
    public static final List<String> OPERATORS = List.of(
            "SCMP_CMP_EQ",
            "SCMP_CMP_GE",
            "SCMP_CMP_GT",
            "SCMP_CMP_LE",
            "SCMP_CMP_LT",
            "SCMP_CMP_MASKED_EQ",
            "SCMP_CMP_NE");

    /** Architectures named by the runtime-spec, sorted. */
    public static final List<String> ARCHS = List.of(
            "SCMP_ARCH_AARCH64",
            "SCMP_ARCH_ARM",
            "SCMP_ARCH_MIPS",
            "SCMP_ARCH_MIPS64",
            "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32",
            "SCMP_ARCH_PARISC",
            "SCMP_ARCH_PARISC64",
            "SCMP_ARCH_PPC",
            "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE",
            "SCMP_ARCH_RISCV64",
            "SCMP_ARCH_S390",
            "SCMP_ARCH_S390X",
            "SCMP_ARCH_X32",
            "SCMP_ARCH_X86",
            "SCMP_ARCH_X86_64");

    /** Filter flags of seccomp(2) named by the runtime-spec, in kernel-version order. */
    public static final List<String> FLAGS = List.of(
            "SECCOMP_FILTER_FLAG_TSYNC",
            "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
}
