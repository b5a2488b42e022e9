package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.spec.LinuxCpu;

import java.nio.file.Path;

/** The v2 cpuset controller: cpuset.cpus and cpuset.mems (empty means the parent's, no set-up needed). */
final class CpusetV2 {
    static final String F = "linux.resources.cpu.";

    private CpusetV2() {
    }

    static boolean isSet(LinuxCpu c) {
        return c != null && ((c.cpus() != null && !c.cpus().isEmpty()) || (c.mems() != null && !c.mems().isEmpty()));
    }

    static void apply(Path dir, LinuxCpu c) {
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            CgroupFiles.write(F + "cpus", dir.resolve("cpuset.cpus"), c.cpus());
        }
        if (c.mems() != null && !c.mems().isEmpty()) {
            CgroupFiles.write(F + "mems", dir.resolve("cpuset.mems"), c.mems());
        }
    }
}
