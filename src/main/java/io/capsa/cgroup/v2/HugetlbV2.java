package io.capsa.cgroup.v2;

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

/** The v2 hugetlb controller: hugetlb.&lt;size&gt;.max (and .rsvd.max where present, as runc). */
public final class HugetlbV2 {
    private HugetlbV2() {
    }

    public static void apply(Path dir, List<LinuxHugepageLimit> limits) {
        ResourceValues.hugepageLimits(dir, limits, "max");
    }

    public static Map<String, Stats.Hugetlb> stats(Path dir) {
        Map<String, Stats.Hugetlb> out = new LinkedHashMap<>();
        for (String size : HugePageSizes.host()) {
            String p = "hugetlb." + size + ".";
            if (Files.exists(dir.resolve(p + "current"))) {
                out.put(size, new Stats.Hugetlb(CgroupFiles.readLongOr0(dir.resolve(p + "current")), 0,
                        CgroupFiles.readKeyValues(dir.resolve(p + "events")).getOrDefault("max", 0L)));
            }
        }
        return out;
    }
}
