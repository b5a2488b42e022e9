package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupDirs;
import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;

import java.nio.file.Path;

/** The v1 freezer: freezer.state FROZEN / THAWED. */
final class FreezerV1 {
    private FreezerV1() {
    }

    static void freeze(Path dir) {
        Path f = dir.resolve("freezer.state");
        // FREEZING can stall (a task in an uninterruptible sleep); runc re-asserts the state until it sticks
        for (int attempt = 0; attempt < 50; attempt++) {
            CgroupFiles.write(null, f, "FROZEN");
            if (CgroupDirs.await(() -> state(dir).equals("FROZEN"), 100)) {
                return;
            }
            if (attempt % 10 == 9) {
                // let a stuck task move on before trying again
                CgroupFiles.write(null, f, "THAWED");
            }
        }
        CgroupFiles.write(null, f, "THAWED");
        throw new CgroupException("freezing " + dir + ": timed out (freezer.state stays " + state(dir) + ")");
    }

    static void thaw(Path dir) {
        CgroupFiles.write(null, dir.resolve("freezer.state"), "THAWED");
        if (!CgroupDirs.await(() -> state(dir).equals("THAWED"), 5000)) {
            throw new CgroupException("thawing " + dir + ": timed out (freezer.state stays " + state(dir) + ")");
        }
    }

    static String state(Path dir) {
        return CgroupFiles.read(dir.resolve("freezer.state")).strip();
    }
}
