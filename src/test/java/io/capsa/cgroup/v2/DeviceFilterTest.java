package io.capsa.cgroup.v2;

import io.capsa.cgroup.DeviceRule;
import io.capsa.spec.LinuxDeviceCgroup;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeviceFilterTest {
    static List<DeviceFilter.Insn> prog(LinuxDeviceCgroup... rules) {
        return DeviceFilter.instructions(DeviceRule.of(List.of(rules)));
    }

    static LinuxDeviceCgroup rule(boolean allow, String type, Long major, Long minor, String access) {
        return new LinuxDeviceCgroup(allow, type, major, minor, access);
    }

    @Test
    void runcDefaultsAfterDenyAll() {
        List<LinuxDeviceCgroup> rules = new ArrayList<>();
        rules.add(rule(false, null, null, null, "rwm"));
        rules.addAll(DeviceRule.runcDefaults());
        var p = DeviceFilter.instructions(DeviceRule.of(rules));
        assertThat(DeviceFilter.allows(p, 'c', 1, 3, "rw")).isTrue();   // /dev/null
        assertThat(DeviceFilter.allows(p, 'c', 1, 5, "r")).isTrue();    // /dev/zero
        assertThat(DeviceFilter.allows(p, 'c', 136, 7, "rw")).isTrue(); // a pts
        assertThat(DeviceFilter.allows(p, 'b', 8, 0, "r")).isFalse();   // a disk
        assertThat(DeviceFilter.allows(p, 'b', 8, 0, "m")).isTrue();    // mknod any
        assertThat(DeviceFilter.allows(p, 'c', 10, 200, "rw")).isFalse(); // /dev/net/tun
        assertThat(DeviceFilter.allows(p, 'c', 1, 1, "r")).isFalse();   // /dev/mem
    }

    @Test
    void lastMatchingRuleWins() {
        var p = prog(rule(true, "a", null, null, "rwm"), rule(false, "c", 1L, 5L, "w"));
        assertThat(DeviceFilter.allows(p, 'c', 1, 5, "r")).isTrue();
        assertThat(DeviceFilter.allows(p, 'c', 1, 5, "w")).isFalse();
        assertThat(DeviceFilter.allows(p, 'c', 1, 5, "rw")).isFalse(); // partial deny wins
        assertThat(DeviceFilter.allows(p, 'b', 1, 5, "w")).isTrue();
        var q = prog(rule(false, "c", 1L, 5L, null), rule(true, "c", 1L, 5L, "r"));
        assertThat(DeviceFilter.allows(q, 'c', 1, 5, "r")).isTrue();
        assertThat(DeviceFilter.allows(q, 'c', 1, 5, "rw")).isFalse();
    }

    @Test
    void allowNeedsAllRequestedAccess() {
        var p = prog(rule(true, "c", 1L, null, "r"));
        assertThat(DeviceFilter.allows(p, 'c', 1, 9, "r")).isTrue();
        assertThat(DeviceFilter.allows(p, 'c', 1, 9, "rw")).isFalse();
        assertThat(DeviceFilter.allows(p, 'c', 2, 9, "r")).isFalse();
    }

    @Test
    void noRulesBeforeAnAllowAllOnlyTheLastCatchAllCounts() {
        var p = prog(rule(true, "c", 1L, 3L, "rwm"), rule(false, "a", null, null, "rwm"));
        assertThat(DeviceFilter.allows(p, 'c', 1, 3, "r")).isFalse();
        assertThat(p).hasSize(8); // prologue (6) + default (2)
    }

    @Test
    void bigMajorNumbersCompareAs32Bit() {
        var p = prog(rule(true, "c", 4294967295L, 0L, "r"));
        assertThat(DeviceFilter.allows(p, 'c', 4294967295L, 0, "r")).isTrue();
        assertThat(DeviceFilter.allows(p, 'c', 1, 0, "r")).isFalse();
    }

    @Test
    void encoding() {
        byte[] b = DeviceFilter.encode(List.of(new DeviceFilter.Insn(DeviceFilter.LDX_MEM_W, 2, 1, 4, 0),
                new DeviceFilter.Insn(DeviceFilter.JMP32_JNE_K, 4, 0, 3, 0x12345678)));
        assertThat(b).containsExactly(0x61, 0x12, 4, 0, 0, 0, 0, 0,
                0x56, 0x04, 3, 0, 0x78, 0x56, 0x34, 0x12);
    }
}
