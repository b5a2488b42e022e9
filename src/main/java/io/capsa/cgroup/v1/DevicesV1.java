package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.DeviceRule;

import java.nio.file.Path;
import java.util.List;

/**
 * The v1 devices controller. Rules are written in order, each to devices.allow or devices.deny; a
 * rule matching everything resets the list (the kernel's own semantics for "a"), so rules before
 * the last such rule are skipped.
 */
final class DevicesV1 {
    private DevicesV1() {
    }

    static void apply(Path dir, List<DeviceRule> rules) {
        if (rules.isEmpty()) {
            return;
        }
        int start = 0;
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).matchesAll()) {
                start = i;
            }
        }
        for (int i = start; i < rules.size(); i++) {
            DeviceRule r = rules.get(i);
            CgroupFiles.write("linux.resources.devices[" + i + "]", dir.resolve(r.allow() ? "devices.allow" : "devices.deny"),
                    r.v1Line());
        }
    }
}
