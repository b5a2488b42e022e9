package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.ResourceValues;
import io.capsa.spec.LinuxCpu;

import java.nio.file.Path;

import static io.capsa.cgroup.ResourceValues.notEmpty;

/** The v2 cpuset controller: cpuset.cpus and cpuset.mems (empty means the parent's, no set-up needed). */
final class CpusetV2 {
    static final String F = "linux.resources.cpu.";

    private CpusetV2() {
    }

    static boolean isSet(LinuxCpu c) {
        return ResourceValues.cpusetSet(c);
    }

    static void apply(Path dir, LinuxCpu c) {
        if (notEmpty(c.cpus())) {
            CgroupFiles.write(F + "cpus", dir.resolve("cpuset.cpus"), c.cpus());
        }
        if (notEmpty(c.mems())) {
            CgroupFiles.write(F + "mems", dir.resolve("cpuset.mems"), c.mems());
        }
    }
}
