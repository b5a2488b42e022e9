package io.capsa.spec;

import java.util.Map;

/** The runtime state JSON ({@code runc state}, and what hooks receive on stdin). status: creating, created, running, stopped. */
public record State(
        String ociVersion,
        String id,
        String status,
        Integer pid,
        String bundle,
        Map<String, String> annotations) {
}
