package io.capsa.spec;

/** {@code linux.resources.cpu}. shares/burst/period/realtimePeriod are uint64; quota/realtimeRuntime/idle int64. */
public record LinuxCpu(
        @UInt.U64 Long shares,
        Long quota,
        @UInt.U64 Long burst,
        @UInt.U64 Long period,
        Long realtimeRuntime,
        @UInt.U64 Long realtimePeriod,
        String cpus,
        String mems,
        Long idle) {
}
