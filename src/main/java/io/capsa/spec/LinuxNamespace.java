package io.capsa.spec;

/** {@code linux.namespaces[]}: type is one of {@link Namespaces#TYPES}; path joins an existing one. */
public record LinuxNamespace(String type, String path) {
}
