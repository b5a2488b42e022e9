package io.capsa.cgroup;

import io.capsa.spec.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatsJsonTest {
    @Test
    void runcShape() throws Exception {
        Stats s = new Stats(
                new Stats.Cpu(new Stats.CpuUsage(5, List.of(2L, 3L), List.of(), List.of(), 1, 4),
                        new Stats.Throttling(0, 0, 0)),
                new Stats.Memory(0, new Stats.MemoryEntry(-1, 10, 0, 0), new Stats.MemoryEntry(0, 0, 0, 0),
                        new Stats.MemoryEntry(0, 0, 0, 0), new Stats.MemoryEntry(0, 0, 0, 0), Map.of()),
                new Stats.Pids(1, 0), Stats.Blkio.of(List.of(new Stats.BlkioEntry(8, 0, "Read", 4096)), List.of()),
                Map.of("2MB", new Stats.Hugetlb(0, 0, 0)));
        String json = Json.toJson(s);
        assertThat(json).isEqualTo("{\"cpu\":{\"usage\":{\"total\":5,\"percpu\":[2,3],\"kernel\":1,\"user\":4},"
                + "\"throttling\":{}},"
                + "\"memory\":{\"usage\":{\"limit\":18446744073709551615,\"usage\":10,\"failcnt\":0},"
                + "\"swap\":{\"limit\":0,\"failcnt\":0},\"kernel\":{\"limit\":0,\"failcnt\":0},"
                + "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
                + "\"pids\":{\"current\":1},"
                + "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096}]},"
                + "\"hugetlb\":{\"2MB\":{\"failcnt\":0}}}");
        // the databind mapper (for code off the hot path) writes the same
        assertThat(Json.mapper().writeValueAsString(s)).isEqualTo(json);
    }
}
