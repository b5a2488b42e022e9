package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.spec.Json;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxPids;
import io.capsa.spec.LinuxResources;
import io.capsa.spec.RecordJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResourceControlTest {
    @Test
    void updateMergesIntoTheSavedResourcesKeyByKey() {
        Object saved = RecordJson.read(("{\"memory\":{\"limit\":100,\"swap\":-1,\"swappiness\":18446744073709551615},"
                + "\"pids\":{\"limit\":5},\"unified\":{\"a\":\"1\"},\"future\":[1.5]}").getBytes(StandardCharsets.UTF_8),
                Object.class);
        LinuxResources update = new LinuxResources(null,
                new LinuxMemory(300L, null, null, null, null, null, null, null, null), null, new LinuxPids(7L), null,
                null, null, null, null);
        Object merged = ResourceControl.merge(saved, RecordJson.read(RecordJson.toBytes(update), Object.class));
        assertThat(Json.toJson(merged)).isEqualTo("{\"memory\":{\"limit\":300,\"swap\":-1,\"swappiness\":18446744073709551615},"
                + "\"pids\":{\"limit\":7},\"unified\":{\"a\":\"1\"},\"future\":[1.5]}");
        assertThat(RecordJson.read(RecordJson.toBytes(merged), LinuxResources.class).memory().swappiness()).isEqualTo(-1L);
    }
}
