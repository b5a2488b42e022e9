package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstantsTest {

    @Test
    void capabilityNumbers() {
        Capability[] all = Capability.values();
        for (int i = 0; i < all.length; i++) {
            assertThat(all[i].number()).isEqualTo(i);
        }
        assertThat(all).hasSize(Capability.LAST + 1);
        assertThat(Capability.byName("CAP_SYS_ADMIN").number()).isEqualTo(21);
        assertThat(Capability.byName("CAP_BPF").mask()).isEqualTo(1L << 39);
        assertThat(Capability.byName("SYS_ADMIN")).isNull();
        assertThat(Capability.maskOf(List.of("CAP_CHOWN", "CAP_KILL"))).isEqualTo(0b100001);
        assertThatThrownBy(() -> Capability.maskOf(List.of("CAP_X"))).hasMessage("unknown capability CAP_X");
    }

    @Test
    void capabilitiesCoverTheRunningKernel() throws IOException {
        Path last = Path.of("/proc/sys/kernel/cap_last_cap");
        if (Files.exists(last)) {
            int kernelLast = Integer.parseInt(Files.readString(last).trim());
            assertThat(Capability.LAST).isGreaterThanOrEqualTo(Math.min(kernelLast, 40));
        }
    }

    @Test
    void namespaces() {
        assertThat(Namespaces.ofType("network").cloneFlag()).isEqualTo(Namespaces.CLONE_NEWNET);
        assertThat(Namespaces.ofType("mount").procName()).isEqualTo("mnt");
        assertThat(Namespaces.ofType("net")).isNull();
        int all = 0;
        for (Namespaces n : Namespaces.values()) {
            assertThat(Integer.bitCount(n.cloneFlag())).isEqualTo(1);
            assertThat(all & n.cloneFlag()).isZero();
            all |= n.cloneFlag();
            assertThat(Path.of("/proc/self/ns", n.procName())).exists();
        }
        assertThat(Namespaces.TYPES).isSorted().hasSize(Namespaces.values().length);
        Spec spec = DefaultSpec.create(false);
        assertThat(Namespaces.PID.isNewIn(spec)).isTrue();
        assertThat(Namespaces.USER.in(spec)).isFalse();
    }

    @Test
    void rlimits() {
        assertThat(RlimitType.byName("RLIMIT_NOFILE").resource()).isEqualTo(7);
        assertThat(RlimitType.byName("RLIMIT_RTTIME").resource()).isEqualTo(15);
        assertThat(RlimitType.byName("NOFILE")).isNull();
        assertThat(RlimitType.NAMES).hasSize(16);
    }

    @Test
    void versions() {
        assertThat(OciVersion.major("1.0.2-dev")).isEqualTo(1);
        assertThat(OciVersion.major("1.2.1")).isEqualTo(1);
        assertThat(OciVersion.major("10.0.0+meta")).isEqualTo(10);
        assertThat(OciVersion.major("1.0")).isEqualTo(-1);
        assertThat(OciVersion.major("v1.0.0")).isEqualTo(-1);
        assertThat(OciVersion.major("01.0.0")).isEqualTo(-1);
    }
}
