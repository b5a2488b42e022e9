package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.ResourceValues;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxCpu;

import java.nio.file.Path;
import java.util.Map;

import static io.capsa.cgroup.ResourceValues.nz;

/** The v1 cpu controller: cpu.shares, CFS quota/period/burst, RT runtime/period, cpu.idle. */
final class CpuV1 {
    static final String F = "linux.resources.cpu.";

    private CpuV1() {
    }

    static boolean isSet(LinuxCpu c) {
        return ResourceValues.cpuSet(c);
    }

    /** RT bandwidth must be in place before a (possibly SCHED_RR) process joins: runc sets it on join too. */
    static void applyRealtime(Path dir, LinuxCpu c) {
        if (c == null) {
            return;
        }
        if (nz(c.realtimePeriod())) {
            CgroupFiles.write(F + "realtimePeriod", dir.resolve("cpu.rt_period_us"), Long.toUnsignedString(c.realtimePeriod()));
        }
        if (nz(c.realtimeRuntime())) {
            CgroupFiles.write(F + "realtimeRuntime", dir.resolve("cpu.rt_runtime_us"), c.realtimeRuntime().toString());
        }
    }

    static void apply(Path dir, LinuxCpu c) {
        if (c == null) {
            return;
        }
        if (nz(c.shares())) {
            long want = c.shares();
            CgroupFiles.write(F + "shares", dir.resolve("cpu.shares"), Long.toUnsignedString(want));
            // the kernel clamps out-of-range shares silently: report it as runc does
            long got = CgroupFiles.readLong(dir.resolve("cpu.shares"));
            if (Long.compareUnsigned(want, got) > 0) {
                throw new CgroupException(F + "shares: the maximum allowed cpu-shares is " + got
                        + " (" + dir.resolve("cpu.shares") + ")");
            } else if (Long.compareUnsigned(want, got) < 0) {
                throw new CgroupException(F + "shares: the minimum allowed cpu-shares is " + got
                        + " (" + dir.resolve("cpu.shares") + ")");
            }
        }
        String pendingPeriod = null;
        if (nz(c.period())) {
            String period = Long.toUnsignedString(c.period());
            try {
                CgroupFiles.write(F + "period", dir.resolve("cpu.cfs_period_us"), period);
            } catch (CgroupException e) {
                // a smaller period can be refused (EINVAL) while the old quota/new period exceeds the parent's
                // quota; runc retries it after setting the quota
                if (!e.getMessage().endsWith("Invalid argument") || !nz(c.quota())) {
                    throw e;
                }
                pendingPeriod = period;
            }
        }
        if (nz(c.quota())) {
            CgroupFiles.write(F + "quota", dir.resolve("cpu.cfs_quota_us"), c.quota() < 0 ? "-1" : c.quota().toString());
            if (pendingPeriod != null) {
                CgroupFiles.write(F + "period", dir.resolve("cpu.cfs_period_us"), pendingPeriod);
            }
        }
        if (c.burst() != null) {
            CgroupFiles.write(F + "burst", dir.resolve("cpu.cfs_burst_us"), Long.toUnsignedString(c.burst()));
        }
        applyRealtime(dir, c);
        if (c.idle() != null) {
            CgroupFiles.write(F + "idle", dir.resolve("cpu.idle"), c.idle().toString());
        }
    }

    static Stats.Throttling throttling(Path dir) {
        Map<String, Long> s = CgroupFiles.readKeyValues(dir.resolve("cpu.stat"));
        return new Stats.Throttling(s.getOrDefault("nr_periods", 0L), s.getOrDefault("nr_throttled", 0L),
                s.getOrDefault("throttled_time", 0L));
    }
}
