package io.capsa.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capsa.spec.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The image documents are read by the record binder exactly as jackson-databind read them before. */
class ImageJsonTest {
    private static final String MANIFEST = """
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 7023,
                        "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
             "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 32654,
                         "digest": "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0",
                         "annotations": {"x": "y"}, "urls": ["https://example.com/l"]}],
             "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}, "extra": {"ignored": true}}
            """;
    private static final String INDEX = """
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
              {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7143,
               "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f",
               "platform": {"architecture": "arm64", "os": "linux", "variant": "v8", "os.features": ["a"]}},
              {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682,
               "digest": "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
               "platform": {"architecture": "amd64", "os": "linux", "os.version": "10.0"}}]}
            """;
    private static final String CONFIG = """
            {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
             "config": {"User": "www-data", "Env": ["PATH=/bin"], "Entrypoint": ["/init"], "Cmd": ["sh"],
                        "WorkingDir": "/srv", "Labels": {"a": "b"}, "StopSignal": "SIGQUIT",
                        "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}}, "ArgsEscaped": true,
                        "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000}},
             "rootfs": {"type": "layers", "diff_ids": [
               "sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0"]},
             "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD", "empty_layer": false}]}
            """;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readAsDatabindReadThem() throws Exception {
        assertThat(Manifest.parse(utf8(MANIFEST), "m")).isEqualTo(Json.mapper().readValue(MANIFEST, Manifest.class));
        assertThat(ImageIndex.parse(utf8(INDEX), "i")).isEqualTo(Json.mapper().readValue(INDEX, ImageIndex.class));
        assertThat(ImageConfig.parse(utf8(CONFIG), "c")).isEqualTo(Json.mapper().readValue(CONFIG, ImageConfig.class));
        assertThat(ImageIndex.parse(utf8(INDEX), "i").select(new Platform("linux", "amd64", null), "i").size())
                .isEqualTo(7682);
    }

    @Test
    void errorsNameTheDocumentAndTheField() {
        assertThatThrownBy(() -> Manifest.parse(utf8("{\"schemaVersion\": \"2\"}"), "busybox manifest"))
                .isInstanceOf(ImageException.class)
                .hasMessage("busybox manifest: invalid manifest JSON: schemaVersion: expected a 32-bit integer");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("{\"rootfs\": {\"diff_ids\": [1]}}"), "config"))
                .isInstanceOf(ImageException.class)
                .hasMessage("config: invalid image config JSON: rootfs.diff_ids[0]: expected a string");
        assertThatThrownBy(() -> ImageIndex.parse(utf8("{\"manifests\": [}"), "index"))
                .isInstanceOf(ImageException.class).hasMessageStartingWith("index: invalid index JSON: malformed JSON at line 1");
        assertThatThrownBy(() -> ImageConfig.parse(utf8("null"), "config"))
                .isInstanceOf(ImageException.class).hasMessage("config: invalid image config JSON: null");
    }
}
