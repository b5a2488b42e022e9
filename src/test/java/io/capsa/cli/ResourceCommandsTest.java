package io.capsa.cli;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceCommandsTest {
    @Test
    void sizesLikeRunc() {
        assertThat(ResourceCommands.bytes("--memory", "512")).isEqualTo(512);
        assertThat(ResourceCommands.bytes("--memory", "10m")).isEqualTo(10L << 20);
        assertThat(ResourceCommands.bytes("--memory", "1G")).isEqualTo(1L << 30);
        assertThat(ResourceCommands.bytes("--memory", "2GiB")).isEqualTo(2L << 30);
        assertThat(ResourceCommands.bytes("--memory", "1.5k")).isEqualTo(1536);
        assertThat(ResourceCommands.bytes("--memory-swap", "-1")).isEqualTo(-1);
        assertThatThrownBy(() -> ResourceCommands.bytes("--memory", "ten")).hasMessageContaining("--memory");
    }

    @Test
    void durations() {
        assertThat(ResourceCommands.durationMillis("5s")).isEqualTo(5000);
        assertThat(ResourceCommands.durationMillis("250ms")).isEqualTo(250);
        assertThat(ResourceCommands.durationMillis("1m30s")).isEqualTo(90_000);
        assertThatThrownBy(() -> ResourceCommands.durationMillis("5")).hasMessageContaining("--interval");
        assertThatThrownBy(() -> ResourceCommands.durationMillis("5s junk")).hasMessageContaining("--interval");
    }

    @Test
    void psFilterKeepsHeaderAndTheContainersLines() {
        String ps = """
                UID          PID    PPID  C STIME TTY          TIME CMD
                root           1       0  0 05:33 ?        00:00:01 /sbin/init
                root         200       1  0 05:33 ?        00:00:00 sleep 60
                root         201     200  0 05:33 ?        00:00:00 sh
                """;
        assertThat(ResourceCommands.filter(ps, Set.of(200L, 201L))).isEqualTo("""
                UID          PID    PPID  C STIME TTY          TIME CMD
                root         200       1  0 05:33 ?        00:00:00 sleep 60
                root         201     200  0 05:33 ?        00:00:00 sh
                """);
        assertThatThrownBy(() -> ResourceCommands.filter("USER CMD\nroot x\n", Set.of()))
                .hasMessageContaining("PID field");
    }
}
