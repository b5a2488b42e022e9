package io.capsa.cgroup.v1;

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

/** The v1 hugetlb controller: hugetlb.&lt;size&gt;.limit_in_bytes (and .rsvd. where present, as runc). */
final class HugetlbV1 {
    private HugetlbV1() {
    }

    static void apply(Path dir, List<LinuxHugepageLimit> limits) {
        if (limits == null) {
            return;
        }
        for (int i = 0; i < limits.size(); i++) {
            LinuxHugepageLimit l = limits.get(i);
            String field = "linux.resources.hugepageLimits[" + i + "]";
            Path file = dir.resolve("hugetlb." + l.pageSize() + ".limit_in_bytes");
            if (!Files.exists(file)) {
                throw new CgroupException(field + ".pageSize: " + file + " does not exist (page size \"" + l.pageSize()
                        + "\" is not supported; the host has " + HugePageSizes.host() + ")");
            }
            String v = Long.toUnsignedString(l.limit() == null ? 0 : l.limit());
            CgroupFiles.write(field + ".limit", file, v);
            Path rsvd = dir.resolve("hugetlb." + l.pageSize() + ".rsvd.limit_in_bytes");
            if (Files.exists(rsvd)) {
                CgroupFiles.write(field + ".limit", rsvd, v);
            }
        }
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
