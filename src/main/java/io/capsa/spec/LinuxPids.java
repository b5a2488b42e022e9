package io.capsa.spec;

/** {@code linux.resources.pids}: limit int64, 0 or negative = unlimited (runc: -1 means "max"). */
public record LinuxPids(Long limit) {
}
