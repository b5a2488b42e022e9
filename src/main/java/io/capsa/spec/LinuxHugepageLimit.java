package io.capsa.spec;

/** {@code linux.resources.hugepageLimits[]}: pageSize like "2MB", limit uint64 bytes. */
public record LinuxHugepageLimit(String pageSize, @UInt.U64 Long limit) {
}
