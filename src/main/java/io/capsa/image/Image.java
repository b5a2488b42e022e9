package io.capsa.image;

import java.time.Instant;
import java.util.List;

/**
 * An image in the local store, resolved from a name or id: what {@code capsa run} builds a container from.
 *
 * @param id             the image id: the digest of the config blob (Docker's IMAGE ID)
 * @param names          the names (fully qualified references) that point to it in the store
 * @param manifestDigest the digest of the platform manifest
 * @param repoDigests    {@code name@digest} forms the image was pulled by (the index digest for multi-arch)
 * @param manifest       the manifest
 * @param config         the parsed config blob (Entrypoint, Cmd, Env, WorkingDir, User, ExposedPorts, StopSignal)
 * @param size           total size of the layer blobs (compressed as stored)
 * @param added          when it was added to the store
 */
public record Image(
        Digest id,
        List<String> names,
        Digest manifestDigest,
        List<String> repoDigests,
        Manifest manifest,
        ImageConfig config,
        long size,
        Instant added) {

    /** The layers' diff_ids, bottom first (the keys of the unpacked layers). */
    public List<Digest> diffIds() {
        return config.diffIds();
    }

    /** The run configuration (never null; its fields may be). */
    public ImageConfig.RunConfig runConfig() {
        return config.runConfig();
    }
}
