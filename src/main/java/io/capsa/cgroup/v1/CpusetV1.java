package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.ResourceValues;
import io.capsa.spec.LinuxCpu;

import java.nio.file.Path;

import static io.capsa.cgroup.ResourceValues.notEmpty;

/** The v1 cpuset controller: cpuset.cpus and cpuset.mems. */
final class CpusetV1 {
    static final String F = "linux.resources.cpu.";

    private CpusetV1() {
    }

    /**
     * A new v1 cpuset starts with empty cpus and mems, and a process cannot join it until both are set:
     * copy them down from the nearest ancestor that has them, for every directory from the mount down.
     */
    static void init(Path mount, Path dir) {
        Path rel = mount.relativize(dir);
        Path cur = mount;
        for (Path name : rel) {
            Path parent = cur;
            cur = cur.resolve(name);
            for (String f : new String[] {"cpuset.cpus", "cpuset.mems"}) {
                String v = CgroupFiles.readOrNull(cur.resolve(f));
                if (v != null && v.isBlank()) {
                    String pv = CgroupFiles.read(parent.resolve(f)).strip();
                    CgroupFiles.write(null, cur.resolve(f), pv);
                }
            }
        }
    }

    static boolean isSet(LinuxCpu c) {
        return ResourceValues.cpusetSet(c);
    }

    static void apply(Path dir, LinuxCpu c) {
        if (c == null) {
            return;
        }
        if (notEmpty(c.cpus())) {
            CgroupFiles.write(F + "cpus", dir.resolve("cpuset.cpus"), c.cpus());
        }
        if (notEmpty(c.mems())) {
            CgroupFiles.write(F + "mems", dir.resolve("cpuset.mems"), c.mems());
        }
    }
}
