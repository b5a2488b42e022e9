package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * {@code process.rlimits[]}. soft/hard are uint64: values above {@link Long#MAX_VALUE} (e.g.
 * RLIM_INFINITY = 18446744073709551615) are held as their two's-complement (so -1L is infinity);
 * use {@link Long#compareUnsigned} / {@link Long#toUnsignedString} on them.
 */
@JsonPropertyOrder({"type", "hard", "soft"})
public record Rlimit(String type, @UInt.U64 Long soft, @UInt.U64 Long hard) {
}
