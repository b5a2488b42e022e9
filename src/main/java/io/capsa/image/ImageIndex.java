package io.capsa.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An OCI image index or Docker manifest list. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageIndex(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<Descriptor> manifests,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public static ImageIndex parse(byte[] json, String what) {
        ImageIndex i;
        try {
            i = io.capsa.spec.RecordJson.read(json, ImageIndex.class);
        } catch (io.capsa.spec.RecordJson.JsonBindException e) {
            throw new ImageException(what + ": invalid index JSON: " + e.getMessage());
        }
        if (i == null) throw new ImageException(what + ": invalid index JSON: null");
        if (i.schemaVersion != 2) throw new ImageException(what + ": unsupported index schemaVersion " + i.schemaVersion);
        return i;
    }

    public List<Descriptor> manifests() {
        return manifests == null ? List.of() : manifests;
    }

    /**
     * The manifest for the platform: the first entry whose platform matches (entries without a platform,
     * such as attestation manifests, are skipped); {@link ImageException} listing the platforms offered if none.
     */
    public Descriptor select(Platform platform, String what) {
        for (Descriptor d : manifests()) {
            if (d.platform() != null && platform.matches(d.platform())
                    && (d.mediaType() == null || MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))) {
                return d;
            }
        }
        StringBuilder offered = new StringBuilder();
        for (Descriptor d : manifests()) {
            if (d.platform() == null || "unknown".equals(d.platform().os())) continue;
            if (!offered.isEmpty()) offered.append(", ");
            offered.append(d.platform());
        }
        throw new ImageException(what + ": no manifest for platform " + platform
                + (offered.isEmpty() ? "" : " (the image is for " + offered + ")"));
    }
}
