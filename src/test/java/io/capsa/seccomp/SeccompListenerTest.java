package io.capsa.seccomp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capsa.spec.Json;
import org.junit.jupiter.api.Test;

/** The message of runc's seccomp agent protocol (specs-go ContainerProcessState). */
class SeccompListenerTest {
    @Test
    void containerProcessState() throws Exception {
        String state = "{\"ociVersion\":\"1.2.1\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}";
        JsonNode m = Json.mapper().readTree(SeccompListener.message(42, "meta", state));
        assertThat(m.path("ociVersion").asText()).isNotEmpty();
        assertThat(m.path("fds").toString()).isEqualTo("[\"seccompFd\"]");
        assertThat(m.path("pid").asLong()).isEqualTo(42);
        assertThat(m.path("metadata").asText()).isEqualTo("meta");
        assertThat(m.path("state")).isEqualTo(Json.mapper().readTree(state));
        // no metadata: omitted, as Go's omitempty
        assertThat(Json.mapper().readTree(SeccompListener.message(7, "", state)).has("metadata")).isFalse();
        assertThat(Json.mapper().readTree(SeccompListener.message(7, null, state)).has("metadata")).isFalse();
    }
}
