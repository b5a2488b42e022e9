package io.capsa.spec;

/** {@code linux.resources.devices[]}: type a/c/b (absent = a), major/minor absent = wildcard. */
public record LinuxDeviceCgroup(Boolean allow, String type, Long major, Long minor, String access) {
}
