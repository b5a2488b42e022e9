package io.capsa.spec;

/** {@code linux.resources.memory}: limits are int64 bytes (-1 = unlimited), swappiness uint64. */
public record LinuxMemory(
        Long limit,
        Long reservation,
        Long swap,
        Long kernel,
        Long kernelTCP,
        @UInt.U64 Long swappiness,
        Boolean disableOOMKiller,
        Boolean useHierarchy,
        Boolean checkBeforeUpdate) {
}
