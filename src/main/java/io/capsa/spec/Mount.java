package io.capsa.spec;

import java.util.List;

/** {@code mounts[]}. Options are interpreted by {@link MountOptions}. */
public record Mount(
        String destination,
        String type,
        String source,
        List<String> options,
        List<LinuxIdMapping> uidMappings,
        List<LinuxIdMapping> gidMappings) {
}
