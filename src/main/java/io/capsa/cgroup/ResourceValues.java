package io.capsa.cgroup;

import io.capsa.spec.LinuxCpu;
import io.capsa.spec.LinuxHugepageLimit;
import io.capsa.spec.LinuxThrottleDevice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the v1 and v2 controllers read alike from linux.resources: which values count as set, device numbers,
 * and the writes that differ between the versions only in a file name (hugetlb limits) or the line's form
 * (blockIO throttles).
 */
public final class ResourceValues {
    private ResourceValues() {
    }

    /** Set and not 0 (0 means "unset" for most resource values, as in runc). */
    public static boolean nz(Long v) {
        return v != null && v != 0;
    }

    public static boolean nz(Integer v) {
        return v != null && v != 0;
    }

    public static boolean notEmpty(List<?> l) {
        return l != null && !l.isEmpty();
    }

    public static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /** Whether linux.resources.cpu sets anything for the cpu controller (shares, CFS, RT, idle). */
    public static boolean cpuSet(LinuxCpu c) {
        return c != null && (nz(c.shares()) || nz(c.quota()) || nz(c.period()) || c.burst() != null
                || nz(c.realtimePeriod()) || nz(c.realtimeRuntime()) || c.idle() != null);
    }

    /** Whether linux.resources.cpu sets anything for the cpuset controller (cpus, mems). */
    public static boolean cpusetSet(LinuxCpu c) {
        return c != null && (notEmpty(c.cpus()) || notEmpty(c.mems()));
    }

    /** "MAJ:MIN" of a weight or throttle device; {@code field} names it in the error when one is missing. */
    public static String dev(Long major, Long minor, String field) {
        if (major == null || minor == null) {
            throw new CgroupException(field + ": major and minor are required");
        }
        return major + ":" + minor;
    }

    /**
     * Writes one blockIO throttle list ({@code name}, e.g. "throttleReadBpsDevice") to {@code file}, a line per
     * device: "MAJ:MIN RATE" (v1's blkio.throttle.* files) or, with a {@code key}, "MAJ:MIN KEY=RATE" where a
     * rate of 0 is "max" (v2's io.max, key rbps, wbps, riops or wiops).
     */
    public static void throttle(Path file, List<LinuxThrottleDevice> list, String name, String key) {
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            LinuxThrottleDevice d = list.get(i);
            String field = "linux.resources.blockIO." + name + "[" + i + "]";
            long rate = d.rate() == null ? 0 : d.rate();
            String value = key == null ? Long.toUnsignedString(rate)
                    : key + "=" + (rate == 0 ? "max" : Long.toUnsignedString(rate));
            CgroupFiles.write(field, file, dev(d.major(), d.minor(), field) + " " + value);
        }
    }

    /**
     * Writes linux.resources.hugepageLimits to hugetlb.SIZE.{@code limit} (v1: "limit_in_bytes", v2: "max"),
     * and to hugetlb.SIZE.rsvd.{@code limit} where the kernel has it, as runc does.
     */
    public static void hugepageLimits(Path dir, List<LinuxHugepageLimit> limits, String limit) {
        if (limits == null) {
            return;
        }
        for (int i = 0; i < limits.size(); i++) {
            LinuxHugepageLimit l = limits.get(i);
            String field = "linux.resources.hugepageLimits[" + i + "]";
            Path file = dir.resolve("hugetlb." + l.pageSize() + "." + limit);
            if (!Files.exists(file)) {
                throw new CgroupException(field + ".pageSize: " + file + " does not exist (page size \"" + l.pageSize()
                        + "\" is not supported; the host has " + HugePageSizes.host() + ")");
            }
            String v = Long.toUnsignedString(l.limit() == null ? 0 : l.limit());
            CgroupFiles.write(field + ".limit", file, v);
            Path rsvd = dir.resolve("hugetlb." + l.pageSize() + ".rsvd." + limit);
            if (Files.exists(rsvd)) {
                CgroupFiles.write(field + ".limit", rsvd, v);
            }
        }
    }
}
