package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.spec.LinuxInterfacePriority;
import io.capsa.spec.LinuxNetwork;

import java.nio.file.Path;
import java.util.List;

/** The v1 net_prio controller: one "ifname priority" line per interface into net_prio.ifpriomap. */
final class NetPrioV1 {
    private NetPrioV1() {
    }

    static boolean isSet(LinuxNetwork n) {
        return n != null && n.priorities() != null && !n.priorities().isEmpty();
    }

    static void apply(Path dir, LinuxNetwork n) {
        if (!isSet(n)) {
            return;
        }
        List<LinuxInterfacePriority> ps = n.priorities();
        for (int i = 0; i < ps.size(); i++) {
            LinuxInterfacePriority p = ps.get(i);
            CgroupFiles.write("linux.resources.network.priorities[" + i + "]", dir.resolve("net_prio.ifpriomap"),
                    p.name() + " " + (p.priority() == null ? 0 : p.priority()));
        }
    }
}
