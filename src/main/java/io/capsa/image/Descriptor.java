package io.capsa.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a manifest or index says about a blob. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Descriptor(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") String digest,
        @JsonProperty("size") long size,
        @JsonProperty("urls") List<String> urls,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("platform") Platform platform) {

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest.toString(), size, null, null, null);
    }

    /** The digest, validated ({@link ImageException} naming the text if malformed). */
    public Digest parsedDigest() {
        return Digest.parse(digest);
    }

    public Descriptor withAnnotations(Map<String, String> a) {
        return new Descriptor(mediaType, digest, size, urls, a, platform);
    }
}
