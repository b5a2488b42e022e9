package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.HugePageSizes;
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
        for (int i = 0; i < limits.size(); i++) {
            LinuxHugepageLimit l = limits.get(i);
            String field = "linux.resources.hugepageLimits[" + i + "]";
            Path file = dir.resolve("hugetlb." + l.pageSize() + ".max");
            if (!Files.exists(file)) {
                throw new CgroupException(field + ".pageSize: " + file + " does not exist (page size \"" + l.pageSize()
                        + "\" is not supported; the host has " + HugePageSizes.host() + ")");
            }
            String v = Long.toUnsignedString(l.limit() == null ? 0 : l.limit());
            CgroupFiles.write(field + ".limit", file, v);
            Path rsvd = dir.resolve("hugetlb." + l.pageSize() + ".rsvd.max");
            if (Files.exists(rsvd)) {
                CgroupFiles.write(field + ".limit", rsvd, v);
            }
        }
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
