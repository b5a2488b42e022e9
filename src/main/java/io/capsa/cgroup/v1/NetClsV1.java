package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.spec.LinuxNetwork;

import java.nio.file.Path;

/** The v1 net_cls controller: net_cls.classid. */
final class NetClsV1 {
    private NetClsV1() {
    }

    static boolean isSet(LinuxNetwork n) {
        return n != null && n.classID() != null && n.classID() != 0;
    }

    static void apply(Path dir, LinuxNetwork n) {
        if (isSet(n)) {
            CgroupFiles.write("linux.resources.network.classID", dir.resolve("net_cls.classid"), n.classID().toString());
        }
    }
}
