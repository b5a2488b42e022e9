package io.capsa.spec;

/** {@code process.consoleSize}. */
public record ConsoleSize(@UInt.U64 Long height, @UInt.U64 Long width) {
}
