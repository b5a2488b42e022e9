package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConversionsTest {
    @Test
    void cpuSharesToWeight() {
        assertThat(CpuV2.weight(0)).isZero();
        assertThat(CpuV2.weight(2)).isEqualTo(1);
        assertThat(CpuV2.weight(1024)).isEqualTo(100);
        assertThat(CpuV2.weight(262144)).isEqualTo(10000);
        assertThat(CpuV2.weight(512)).isBetween(40L, 60L);
        long prev = 0;
        for (long s = 2; s <= 262144; s += 97) {
            long w = CpuV2.weight(s);
            assertThat(w).isBetween(1L, 10000L).isGreaterThanOrEqualTo(prev);
            prev = w;
        }
    }

    @Test
    void blkioWeightToIoWeight() {
        assertThat(IoV2.ioWeight(10)).isEqualTo(1);
        assertThat(IoV2.ioWeight(1000)).isEqualTo(10000);
        assertThat(IoV2.ioWeight(500)).isEqualTo(1 + 490 * 9999 / 990);
        assertThat(IoV2.ioWeight(0)).isZero();
    }

    @Test
    void memorySwapToSwapMax() {
        assertThat(MemoryV2.swapV2(0, -1)).isEqualTo(-1);
        assertThat(MemoryV2.swapV2(-1, 100)).isEqualTo(-1);
        assertThat(MemoryV2.swapV2(0, 100)).isZero();
        assertThat(MemoryV2.swapV2(300, 100)).isEqualTo(200);
        assertThat(MemoryV2.swapV2(100, 100)).isZero();
        assertThatThrownBy(() -> MemoryV2.swapV2(50, 100)).isInstanceOf(CgroupException.class)
                .hasMessageContaining("linux.resources.memory.swap");
        assertThatThrownBy(() -> MemoryV2.swapV2(50, 0)).hasMessageContaining("without a memory limit");
    }
}
