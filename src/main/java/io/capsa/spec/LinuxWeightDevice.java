package io.capsa.spec;

/** {@code linux.resources.blockIO.weightDevice[]}. */
public record LinuxWeightDevice(Long major, Long minor, Integer weight, Integer leafWeight) {
}
