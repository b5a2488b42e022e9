package io.capsa.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.cgroup.DeviceRule;
import io.capsa.spec.LinuxDevice;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxResources;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device cgroup rules as runc 1.1.5 on this machine makes them (checked by hand with runc run, devices.list). */
class DeviceRulesTest {
    static List<String> lines(LinuxResources r) {
        return DeviceRule.of(r.devices()).stream().map(d -> (d.allow() ? "allow " : "deny ") + d.v1Line()).toList();
    }

    static LinuxResources res(LinuxDeviceCgroup... rules) {
        return new LinuxResources(List.of(rules), null, null, null, null, null, null, null, null);
    }

    static LinuxDevice node(String path, long major, long minor) {
        return new LinuxDevice("c", path, major, minor, 0666, 0L, 0L);
    }

    @Test
    void denyAllThenTheConfigsRulesThenTheDefaults() {
        LinuxResources r = DeviceRules.complete(res(new LinuxDeviceCgroup(true, "c", 10L, 229L, "r")), null);
        assertThat(lines(r)).containsExactly("deny a *:* rwm", "allow c 10:229 r",
                "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:5 rwm", "allow c 1:7 rwm",
                "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm", "allow c 5:1 rwm", "allow c 5:2 rwm",
                "allow c 136:* rwm", "allow c 10:200 rwm");
    }

    @Test
    void linuxDevicesAddNoRuleOfTheirOwn() {
        // docker run --device /dev/fuse:/dev/myfuse:r: the node, and "allow c 10:229 r" in the config's rules
        LinuxResources r = DeviceRules.complete(res(new LinuxDeviceCgroup(false, null, null, null, "rwm"),
                new LinuxDeviceCgroup(true, "c", 10L, 229L, "r")), List.of(node("/dev/myfuse", 10, 229)));
        assertThat(lines(r)).filteredOn(l -> l.contains("10:229")).containsExactly("allow c 10:229 r");
        // a node with no rule at all is not allowed
        LinuxResources none = DeviceRules.complete(null, List.of(node("/dev/myfuse", 10, 229)));
        assertThat(lines(none)).noneMatch(l -> l.contains("10:229"));
    }

    @Test
    void aDefaultDeviceNamedInLinuxDevicesLosesItsDefaultRule() {
        // runc drops the default rule of a path linux.devices has: /dev/null is then only what the config allows
        LinuxResources r = DeviceRules.complete(res(new LinuxDeviceCgroup(true, "c", 1L, 3L, "r")),
                List.of(node("/dev/null", 1, 3)));
        assertThat(lines(r)).filteredOn(l -> l.contains(" 1:3 ")).containsExactly("allow c 1:3 r");
        // the same device under another path keeps the default (runc's dedup is by path)
        LinuxResources other = DeviceRules.complete(res(new LinuxDeviceCgroup(true, "c", 1L, 3L, "r")),
                List.of(node("/dev/mynull", 1, 3)));
        assertThat(lines(other)).filteredOn(l -> l.contains(" 1:3 ")).containsExactly("allow c 1:3 r", "allow c 1:3 rwm");
    }

    @Test
    void theOtherResourcesAreKept() {
        LinuxMemory mem = new LinuxMemory(64L << 20, null, null, null, null, null, null, null, null);
        LinuxResources r = DeviceRules.complete(new LinuxResources(null, mem, null, null, null, null, null, null, null), null);
        assertThat(r.memory()).isEqualTo(mem);
        assertThat(lines(r).getFirst()).isEqualTo("deny a *:* rwm");
    }
}
