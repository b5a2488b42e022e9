package io.capsa.spec;

/** {@code linux.timeOffsets.<clock>}: secs is int64, nanosecs uint32. */
public record LinuxTimeOffset(Long secs, @UInt.U32 Long nanosecs) {
}
