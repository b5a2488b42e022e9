package io.capsa.spec;

/** {@code linux.resources.blockIO.throttle*Device[]}: rate is uint64. */
public record LinuxThrottleDevice(Long major, Long minor, @UInt.U64 Long rate) {
}
