package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.HugePageSizes;
import io.capsa.cgroup.ResourceValues;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxHugepageLimit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The v1 hugetlb controller: hugetlb.&lt;size&gt;.limit_in_bytes (and .rsvd. where present, as runc). */
final class HugetlbV1 {
    private HugetlbV1() {
    }

    static void apply(Path dir, List<LinuxHugepageLimit> limits) {
        ResourceValues.hugepageLimits(dir, limits, "limit_in_bytes");
    }

    static Map<String, Stats.Hugetlb> stats(Path dir) {
        Map<String, Stats.Hugetlb> out = new LinkedHashMap<>();
        for (String size : HugePageSizes.host()) {
            String p = "hugetlb." + size + ".";
            if (Files.exists(dir.resolve(p + "usage_in_bytes"))) {
                out.put(size, new Stats.Hugetlb(CgroupFiles.readLongOr0(dir.resolve(p + "usage_in_bytes")),
                        CgroupFiles.readLongOr0(dir.resolve(p + "max_usage_in_bytes")),
                        CgroupFiles.readLongOr0(dir.resolve(p + "failcnt"))));
            }
        }
        return out;
    }
}
