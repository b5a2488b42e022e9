package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class DefaultSpecTest {

    @Test
    void isRuncsDefaultSpec() throws IOException {
        String expected = SpecLoaderTest.resource("default-spec.json");
        assertThat(DefaultSpec.toJson(DefaultSpec.create(false))).isEqualTo(expected);
        assertThat(expected).doesNotEndWith("\n").startsWith("{\n\t\"ociVersion\": \"" + OciVersion.CURRENT + "\",");
    }

    @Test
    void matchesRunc115ApartFromVersionAndNewerDefaults() throws IOException {
        // runc >= 1.2 dropped the ambient set and masks /sys/devices/virtual/tpm; the rest is unchanged
        String old = SpecLoaderTest.resource("runc-1.1.5-spec.json");
        Spec oldSpec = SpecLoader.parse(old, Spec.class, "config.json");
        Spec ours = DefaultSpec.create(false);
        assertThat(ours.mounts()).isEqualTo(oldSpec.mounts());
        assertThat(ours.root()).isEqualTo(oldSpec.root());
        assertThat(ours.hostname()).isEqualTo(oldSpec.hostname());
        assertThat(ours.linux().namespaces()).isEqualTo(oldSpec.linux().namespaces());
        assertThat(ours.linux().resources()).isEqualTo(oldSpec.linux().resources());
        assertThat(ours.linux().readonlyPaths()).isEqualTo(oldSpec.linux().readonlyPaths());
        assertThat(ours.linux().maskedPaths()).containsAll(oldSpec.linux().maskedPaths())
                .endsWith("/sys/devices/virtual/tpm");
        assertThat(ours.process().capabilities().bounding()).isEqualTo(oldSpec.process().capabilities().bounding());
        assertThat(ours.process().capabilities().ambient()).isNull();
        assertThat(ours.process().rlimits()).isEqualTo(oldSpec.process().rlimits());
        assertThat(ours.process().env()).isEqualTo(oldSpec.process().env());
    }

    @Test
    void cgroupNamespaceOnCgroup2Hosts() {
        assertThat(DefaultSpec.create(true).linux().namespaces()).extracting(LinuxNamespace::type)
                .containsExactly("pid", "network", "ipc", "uts", "mount", "cgroup");
    }

    @Test
    void rootlessVariantLikeRunc() throws IOException {
        Spec r = DefaultSpec.toRootless(DefaultSpec.create(false), 0, 0);
        Spec old = SpecLoader.parse(SpecLoaderTest.resource("runc-1.1.5-spec-rootless.json"), Spec.class, "c");
        assertThat(r.mounts()).isEqualTo(old.mounts());
        assertThat(r.linux().namespaces()).isEqualTo(old.linux().namespaces());
        assertThat(r.linux().uidMappings()).isEqualTo(old.linux().uidMappings());
        assertThat(r.linux().resources()).isNull();

        Spec u = DefaultSpec.toRootless(DefaultSpec.create(true), 1000, 1001);
        assertThat(u.linux().uidMappings()).containsExactly(new LinuxIdMapping(0L, 1000L, 1L));
        assertThat(u.linux().gidMappings()).containsExactly(new LinuxIdMapping(0L, 1001L, 1L));
        assertThat(u.linux().namespaces()).extracting(LinuxNamespace::type)
                .containsExactly("pid", "ipc", "uts", "mount", "cgroup", "user");
        Mount pts = u.mounts().get(2);
        assertThat(pts.options()).doesNotContain("gid=5").contains("ptmxmode=0666");
        assertThat(u.mounts().get(0).options()).isNull();
    }
}
