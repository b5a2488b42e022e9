package io.capsa.spec;

/** {@code root}: path is absolute or relative to the bundle directory. */
public record Root(String path, Boolean readonly) {
}
