package io.capsa.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The image configuration blob (OCI image config / Docker image JSON): what {@code capsa run} needs from it
 * is in {@link #config()}; {@link #rootfs()} lists the layers' diff_ids (digests of the uncompressed tars).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("variant") String variant,
        @JsonProperty("os") String os,
        @JsonProperty("config") RunConfig config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    /** The execution parameters ({@code config} in the JSON). Any field may be null. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RunConfig(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("Healthcheck") Object healthcheck,
            @JsonProperty("ArgsEscaped") Boolean argsEscaped,
            @JsonProperty("OnBuild") List<String> onBuild,
            @JsonProperty("Shell") List<String> shell) {
        public static final RunConfig EMPTY = new RunConfig(null, null, null, null, null, null, null, null, null,
                null, null, null, null);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<String> diffIds) {
        public List<String> diffIds() {
            return diffIds == null ? List.of() : diffIds;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {}

    /** Parses a config blob; {@link ImageException} naming {@code what} if it is malformed. */
    public static ImageConfig parse(byte[] json, String what) {
        ImageConfig c;
        try {
            c = io.capsa.spec.RecordJson.read(json, ImageConfig.class);
        } catch (io.capsa.spec.RecordJson.JsonBindException e) {
            throw new ImageException(what + ": invalid image config JSON: " + e.getMessage());
        }
        if (c == null) throw new ImageException(what + ": invalid image config JSON: null");
        if (c.rootfs == null) throw new ImageException(what + ": image config has no rootfs");
        for (String d : c.rootfs.diffIds()) Digest.parse(d);
        return c;
    }

    /** The run config, never null. */
    public RunConfig runConfig() {
        return config == null ? RunConfig.EMPTY : config;
    }

    /** The layers' diff_ids in order, bottom first. */
    public List<Digest> diffIds() {
        return rootfs == null ? List.of() : rootfs.diffIds().stream().map(Digest::parse).toList();
    }

    /** The platform this config says the image is for. */
    public Platform platform() {
        return new Platform(os == null ? "linux" : os, architecture == null ? "unknown" : architecture, variant);
    }
}
