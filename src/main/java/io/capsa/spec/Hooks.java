package io.capsa.spec;

import java.util.List;

/** {@code hooks}. {@code prestart} is deprecated by the spec but still honoured by runc. */
public record Hooks(
        List<Hook> prestart,
        List<Hook> createRuntime,
        List<Hook> createContainer,
        List<Hook> startContainer,
        List<Hook> poststart,
        List<Hook> poststop) {
}
