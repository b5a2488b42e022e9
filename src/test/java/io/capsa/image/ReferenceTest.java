package io.capsa.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceTest {
    static final String D = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
            "alpine, docker.io, library/alpine, latest, alpine:latest",
            "alpine:3.19, docker.io, library/alpine, 3.19, alpine:3.19",
            "user/app, docker.io, user/app, latest, user/app:latest",
            "docker.io/alpine, docker.io, library/alpine, latest, alpine:latest",
            "index.docker.io/library/alpine:edge, docker.io, library/alpine, edge, alpine:edge",
            "docker.io/library/a/b, docker.io, library/a/b, latest, library/a/b:latest",
            "localhost/foo, localhost, foo, latest, localhost/foo:latest",
            "localhost:5000/foo:bar, localhost:5000, foo, bar, localhost:5000/foo:bar",
            "127.0.0.1:5000/a/b/c:t_1.x-y, 127.0.0.1:5000, a/b/c, t_1.x-y, 127.0.0.1:5000/a/b/c:t_1.x-y",
            "ghcr.io/owner/img, ghcr.io, owner/img, latest, ghcr.io/owner/img:latest",
            "quay.io/a_b/c__d/e-f--g, quay.io, a_b/c__d/e-f--g, latest, quay.io/a_b/c__d/e-f--g:latest",
            "[::1]:5000/x, [::1]:5000, x, latest, [::1]:5000/x:latest",
    })
    void normalizes(String in, String registry, String repo, String tag, String familiar) {
        Reference r = Reference.parse(in);
        assertThat(r.registry()).isEqualTo(registry);
        assertThat(r.repository()).isEqualTo(repo);
        assertThat(r.tag()).isEqualTo(tag);
        assertThat(r.digest()).isNull();
        assertThat(r.familiar()).isEqualTo(familiar);
        assertThat(Reference.parse(r.toString())).isEqualTo(r);
    }

    @Test
    void digests() {
        Reference r = Reference.parse("alpine@" + D);
        assertThat(r.tag()).isNull();
        assertThat(r.digest().toString()).isEqualTo(D);
        assertThat(r.toString()).isEqualTo("docker.io/library/alpine@" + D);
        assertThat(r.manifestReference()).isEqualTo(D);
        Reference both = Reference.parse("localhost:5000/x:1@" + D);
        assertThat(both.tag()).isEqualTo("1");
        assertThat(both.digest().toString()).isEqualTo(D);
        assertThat(both.manifestReference()).isEqualTo(D);
        assertThat(Reference.parse("alpine").manifestReference()).isEqualTo("latest");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Alpine|repository name must be lowercase",
            "alpine:bad tag|invalid tag",
            "alpine:-x|invalid tag",
            "alpine@sha256:abc|invalid digest",
            "alpine@md5:" + "00000000000000000000000000000000|unsupported digest algorithm",
            "foo//bar|invalid repository component",
            "-foo|invalid repository component",
            "foo/|invalid repository component",
            "localhost:5000/|empty repository",
            "bad_host!:5000/x|invalid",
    })
    void refuses(String in, String message) {
        assertThatThrownBy(() -> Reference.parse(in)).isInstanceOf(ImageException.class)
                .hasMessageContaining("invalid reference format").hasMessageContaining(message);
    }

    @Test
    void refusesEmptyAndLong() {
        assertThatThrownBy(() -> Reference.parse("")).hasMessageContaining("empty image name");
        assertThatThrownBy(() -> Reference.parse("a/" + "b".repeat(260))).hasMessageContaining("255");
    }

    @Test
    void platforms() {
        Platform amd = new Platform("linux", "amd64", null);
        assertThat(amd.matches(Platform.parse("linux/amd64"))).isTrue();
        assertThat(amd.matches(Platform.parse("linux/arm64"))).isFalse();
        assertThat(Platform.parse("linux/arm64").matches(Platform.parse("linux/arm64/v8"))).isTrue();
        assertThat(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6"))).isFalse();
        assertThatThrownBy(() -> Platform.parse("linux")).hasMessageContaining("os/architecture");
    }
}
