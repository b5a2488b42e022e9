package io.capsa.spec;

/** {@code linux.intelRdt}. */
public record LinuxIntelRdt(
        String closID,
        String l3CacheSchema,
        String memBwSchema,
        Boolean enableCMT,
        Boolean enableMBM) {
}
