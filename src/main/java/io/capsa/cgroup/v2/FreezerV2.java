package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupDirs;
import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;

import java.nio.file.Files;
import java.nio.file.Path;

/** The v2 freezer: cgroup.freeze, state read back from cgroup.events ("frozen 0|1"). */
final class FreezerV2 {
    private FreezerV2() {
    }

    static void set(Path dir, boolean freeze) {
        Path f = dir.resolve("cgroup.freeze");
        if (!Files.exists(f)) {
            throw new CgroupException((freeze ? "freezing " : "thawing ") + dir + ": " + f
                    + " does not exist (the kernel's cgroup v2 freezer needs Linux 5.2)");
        }
        CgroupFiles.write(null, f, freeze ? "1" : "0");
        if (!CgroupDirs.await(() -> frozen(dir) == freeze, 5000)) {
            if (freeze) {
                CgroupFiles.write(null, f, "0");
            }
            throw new CgroupException((freeze ? "freezing " : "thawing ") + dir + ": timed out waiting for cgroup.events");
        }
    }

    /**
     * Whether the cgroup is paused: cgroup.freeze is 1 (cgroup.events may say "frozen 0" for a moment
     * while a task that got a fatal signal leaves, so the request is what tells "paused", as in runc).
     */
    static boolean requested(Path dir) {
        String v = CgroupFiles.readOrNull(dir.resolve("cgroup.freeze"));
        return v != null && v.strip().equals("1");
    }

    static boolean frozen(Path dir) {
        Long v = CgroupFiles.readKeyValues(dir.resolve("cgroup.events")).get("frozen");
        return v != null && v == 1;
    }
}
