package io.capsa.spec;

import java.util.List;
import java.util.Map;

/**
 * Root of an OCI runtime-spec (v1.2) config.json. Every component is nullable: {@code null} means
 * "absent in the JSON", which the spec often distinguishes from an empty value.
 */
public record Spec(
        String ociVersion,
        ProcessSpec process,
        Root root,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Hooks hooks,
        Map<String, String> annotations,
        Linux linux) {
}
