package io.capsa.spec;

import java.util.List;

/** {@code process.capabilities}: lists of CAP_* names. */
public record Capabilities(
        List<String> bounding,
        List<String> effective,
        List<String> inheritable,
        List<String> permitted,
        List<String> ambient) {
}
