package io.capsa.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void sizesAsDocker() {
        assertThat(Units.bytes("-m", "64m")).isEqualTo(64L << 20);
        assertThat(Units.bytes("-m", "64M")).isEqualTo(64L << 20);
        assertThat(Units.bytes("-m", "1g")).isEqualTo(1L << 30);
        assertThat(Units.bytes("-m", "1.5g")).isEqualTo(3L << 29);
        assertThat(Units.bytes("-m", "512kb")).isEqualTo(512L << 10);
        assertThat(Units.bytes("-m", "100")).isEqualTo(100);
        assertThat(Units.bytes("-m", "2GiB")).isEqualTo(2L << 30);
        assertThat(Units.bytes("--memory-swap", "-1")).isEqualTo(-1);
        assertThatThrownBy(() -> Units.bytes("--memory", "lots")).hasMessageContaining("invalid argument \"lots\" for \"--memory\"");
    }

    @Test
    void cpus() {
        assertThat(Units.cpuQuota("0.5", 100_000)).isEqualTo(50_000);
        assertThat(Units.cpuQuota("1", 100_000)).isEqualTo(100_000);
        assertThatThrownBy(() -> Units.cpuQuota("1000", 100_000)).hasMessageContaining("range of CPUs");
        assertThatThrownBy(() -> Units.cpuQuota("x", 100_000)).hasMessageContaining("--cpus");
    }
}
