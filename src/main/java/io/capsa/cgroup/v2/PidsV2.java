package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxPids;

import java.nio.file.Path;

/** The v2 pids controller: pids.max ("max" for a limit of 0 or less, as runc). */
final class PidsV2 {
    private PidsV2() {
    }

    static boolean isSet(LinuxPids p) {
        return p != null && p.limit() != null && p.limit() != 0;
    }

    static void apply(Path dir, LinuxPids p) {
        CgroupFiles.write("linux.resources.pids.limit", dir.resolve("pids.max"),
                p.limit() > 0 ? p.limit().toString() : "max");
    }

    static Stats.Pids stats(Path dir) {
        long max = CgroupFiles.readLongOr0(dir.resolve("pids.max"));
        return new Stats.Pids(CgroupFiles.readLongOr0(dir.resolve("pids.current")), max < 0 ? 0 : max);
    }
}
