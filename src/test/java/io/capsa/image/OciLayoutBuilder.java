package io.capsa.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.spec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes OCI image layouts for tests: blobs, configs, manifests, (nested) indexes, index.json. */
public final class OciLayoutBuilder {
    /** A layer: its tar and how it is compressed in the image. */
    public record Layer(byte[] tar, Compression compression) {
        public byte[] blob() {
            return switch (compression) {
                case NONE -> tar;
                case GZIP -> TarBuilder.gzip(tar);
                case ZSTD -> TarBuilder.zstd(tar);
            };
        }

        public String mediaType() {
            return switch (compression) {
                case NONE -> MediaTypes.OCI_LAYER;
                case GZIP -> MediaTypes.OCI_LAYER_GZIP;
                case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
            };
        }
    }

    public enum Compression { NONE, GZIP, ZSTD }

    private final Path dir;
    private final List<Descriptor> top = new ArrayList<>();

    public OciLayoutBuilder(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("blobs/sha256"));
            Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Descriptor blob(byte[] data, String mediaType) {
        Digest d = Digest.sha256(data);
        try {
            Files.write(dir.resolve("blobs/sha256").resolve(d.hex()), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Descriptor(mediaType, d, data.length);
    }

    /** An image config JSON with this run config and the layers' diff_ids. */
    public static byte[] config(Platform p, List<Layer> layers, ObjectNode runConfig) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("created", "2024-01-01T00:00:00Z");
        c.put("architecture", p.architecture());
        if (p.variant() != null) c.put("variant", p.variant());
        c.put("os", p.os());
        if (runConfig != null) c.set("config", runConfig);
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        for (Layer l : layers) ids.add(Digest.sha256(l.tar()).toString());
        return Json.toBytes(c);
    }

    /** Writes an image (config, layers, manifest) and returns the manifest's descriptor (with the platform). */
    public Descriptor image(Platform p, List<Layer> layers, ObjectNode runConfig) {
        Descriptor cfg = blob(config(p, layers, runConfig), MediaTypes.OCI_CONFIG);
        ObjectNode m = Json.mapper().createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.set("config", Json.mapper().valueToTree(cfg));
        ArrayNode ls = m.putArray("layers");
        for (Layer l : layers) ls.add(Json.mapper().valueToTree(blob(l.blob(), l.mediaType())));
        Descriptor d = blob(Json.toBytes(m), MediaTypes.OCI_MANIFEST);
        return new Descriptor(d.mediaType(), d.digest(), d.size(), null, null, p);
    }

    /** Writes an index of these manifests and returns its descriptor. */
    public Descriptor index(List<Descriptor> manifests) {
        ObjectNode i = Json.mapper().createObjectNode();
        i.put("schemaVersion", 2);
        i.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode ms = i.putArray("manifests");
        for (Descriptor d : manifests) ms.add(Json.mapper().valueToTree(d));
        return blob(Json.toBytes(i), MediaTypes.OCI_INDEX);
    }

    /** Names a manifest or index in index.json with a tag (org.opencontainers.image.ref.name). */
    public OciLayoutBuilder tag(Descriptor d, String tag) {
        top.add(new Descriptor(d.mediaType(), d.digest(), d.size(), null,
                Map.of("org.opencontainers.image.ref.name", tag), d.platform()));
        ObjectNode i = Json.mapper().createObjectNode();
        i.put("schemaVersion", 2);
        ArrayNode ms = i.putArray("manifests");
        for (Descriptor x : top) ms.add(Json.mapper().valueToTree(x));
        try {
            Files.write(dir.resolve("index.json"), Json.toBytes(i));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A run config with the fields capsa run uses. */
    public static ObjectNode runConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workdir,
                                       String user, String stopSignal, String... ports) {
        ObjectNode c = Json.mapper().createObjectNode();
        if (entrypoint != null) entrypoint.forEach(c.putArray("Entrypoint")::add);
        if (cmd != null) cmd.forEach(c.putArray("Cmd")::add);
        if (env != null) env.forEach(c.putArray("Env")::add);
        if (workdir != null) c.put("WorkingDir", workdir);
        if (user != null) c.put("User", user);
        if (stopSignal != null) c.put("StopSignal", stopSignal);
        if (ports.length > 0) {
            ObjectNode p = c.putObject("ExposedPorts");
            for (String port : ports) p.putObject(port);
        }
        return c;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
