package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeaturesTest {

    @Test
    void document() throws Exception {
        Features f = Features.create("0.1.0", List.of("SECCOMP_FILTER_FLAG_LOG"));
        String text = f.toJson();
        assertThat(text).startsWith("{\n    \"ociVersionMin\": \"1.0.0\",\n    \"ociVersionMax\": \""
                + OciVersion.CURRENT + "\",\n    \"hooks\": [\n        \"prestart\",").endsWith("}\n");
        JsonNode n = Json.mapper().readTree(text);
        assertThat(n.get("hooks")).hasSize(6);
        assertThat(Json.mapper().convertValue(n.get("mountOptions"), List.class))
                .isEqualTo(MountOptionsTest.RUNC_KNOWN);
        JsonNode l = n.get("linux");
        assertThat(l.get("namespaces").toString())
                .isEqualTo("[\"cgroup\",\"ipc\",\"mount\",\"network\",\"pid\",\"time\",\"user\",\"uts\"]");
        assertThat(l.get("capabilities")).hasSize(41);
        assertThat(l.get("capabilities").get(0).asText()).isEqualTo("CAP_CHOWN");
        assertThat(l.get("capabilities").get(40).asText()).isEqualTo("CAP_CHECKPOINT_RESTORE");
        assertThat(l.get("cgroup").toString())
                .isEqualTo("{\"v1\":true,\"v2\":true,\"systemd\":false,\"systemdUser\":false}");
        JsonNode sc = l.get("seccomp");
        assertThat(sc.get("enabled").asBoolean()).isTrue();
        assertThat(sc.get("actions")).hasSize(9);
        assertThat(sc.get("operators")).hasSize(7);
        assertThat(sc.get("archs").toString()).contains("\"SCMP_ARCH_X86_64\"");
        assertThat(sc.get("knownFlags")).hasSize(4);
        assertThat(sc.get("supportedFlags").toString()).isEqualTo("[\"SECCOMP_FILTER_FLAG_LOG\"]");
        assertThat(l.get("apparmor").toString()).isEqualTo("{\"enabled\":false}");
        assertThat(l.get("selinux").toString()).isEqualTo("{\"enabled\":false}");
        assertThat(l.get("intelRdt").toString()).isEqualTo("{\"enabled\":false}");
        assertThat(l.get("mountExtensions").toString()).isEqualTo("{\"idmap\":{\"enabled\":false}}");
        assertThat(n.get("annotations").toString()).isEqualTo("{\"io.capsa.version\":\"0.1.0\"}");
        // parses back into the record
        assertThat(Json.mapper().readValue(text, Features.class)).isEqualTo(f);
    }

    @Test
    void seccompFlagsByKernelVersion() {
        assertThat(Features.supportedSeccompFlags(new int[] {4, 9})).containsExactly("SECCOMP_FILTER_FLAG_TSYNC");
        assertThat(Features.supportedSeccompFlags(new int[] {5, 10})).containsExactly("SECCOMP_FILTER_FLAG_TSYNC",
                "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assertThat(Features.supportedSeccompFlags(new int[] {6, 1})).hasSize(4);
        assertThat(Features.kernelVersion()[0]).isGreaterThanOrEqualTo(3);
        assertThat(Features.current(null).annotations()).isNull();
    }
}
