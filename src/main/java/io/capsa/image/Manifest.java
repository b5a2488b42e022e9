package io.capsa.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An image manifest (OCI image manifest or Docker v2 schema 2). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Manifest(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("config") Descriptor config,
        @JsonProperty("layers") List<Descriptor> layers,
        @JsonProperty("annotations") Map<String, String> annotations) {

    /** Parses manifest JSON; {@link ImageException} naming {@code what} if it is not a usable manifest. */
    public static Manifest parse(byte[] json, String what) {
        Manifest m;
        try {
            m = io.capsa.spec.RecordJson.read(json, Manifest.class);
        } catch (io.capsa.spec.RecordJson.JsonBindException e) {
            throw new ImageException(what + ": invalid manifest JSON: " + e.getMessage());
        }
        if (m == null) throw new ImageException(what + ": invalid manifest JSON: null");
        if (m.schemaVersion != 2) {
            throw new ImageException(what + ": unsupported manifest schemaVersion " + m.schemaVersion
                    + " (Docker v2 schema 1 images are not supported)");
        }
        if (m.config == null) throw new ImageException(what + ": manifest has no config");
        m.config.parsedDigest();
        if (m.layers != null) {
            for (Descriptor l : m.layers) {
                l.parsedDigest();
                if (l.mediaType() != null && !MediaTypes.isLayer(l.mediaType())) {
                    throw new ImageException(what + ": unsupported layer media type " + l.mediaType()
                            + " (layer " + l.digest() + ")");
                }
            }
        }
        return m;
    }

    public List<Descriptor> layers() {
        return layers == null ? List.of() : layers;
    }
}
