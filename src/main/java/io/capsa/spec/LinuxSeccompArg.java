package io.capsa.spec;

/** {@code linux.seccomp.syscalls[].args[]}: value/valueTwo are uint64 (two's complement above Long.MAX_VALUE). */
public record LinuxSeccompArg(@UInt.U32 Long index, @UInt.U64 Long value, @UInt.U64 Long valueTwo, String op) {
}
