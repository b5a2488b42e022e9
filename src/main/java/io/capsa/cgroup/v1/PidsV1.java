package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxPids;

import java.nio.file.Path;

/** The v1 pids controller (same files as v2's). */
final class PidsV1 {
    private PidsV1() {
    }

    static boolean isSet(LinuxPids p) {
        return p != null && p.limit() != null && p.limit() != 0;
    }

    /** runc: a positive limit is written as is, 0 leaves it alone, a negative one means "max". */
    static void apply(Path dir, LinuxPids p) {
        if (!isSet(p)) {
            return;
        }
        CgroupFiles.write("linux.resources.pids.limit", dir.resolve("pids.max"),
                p.limit() > 0 ? p.limit().toString() : "max");
    }

    static Stats.Pids stats(Path dir) {
        long max = CgroupFiles.readLongOr0(dir.resolve("pids.max"));
        return new Stats.Pids(CgroupFiles.readLongOr0(dir.resolve("pids.current")), max < 0 ? 0 : max);
    }
}
