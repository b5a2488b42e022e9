package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.ResourceValues;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxCpu;

import java.nio.file.Path;
import java.util.Map;

import static io.capsa.cgroup.ResourceValues.nz;

/**
 * The v2 cpu controller: shares to cpu.weight (crun's conversion, which runc adopted: 1024 shares,
 * v1's default, becomes weight 100, v2's default), quota/period to cpu.max, burst to cpu.max.burst,
 * idle to cpu.idle. Realtime bandwidth has no v2 file: a non-zero value is an error.
 */
final class CpuV2 {
    static final String F = "linux.resources.cpu.";

    private CpuV2() {
    }

    static boolean isSet(LinuxCpu c) {
        return ResourceValues.cpuSet(c);
    }

    /** cpu.shares (2..262144) to cpu.weight (1..10000): 10^((log2(s)^2 + 125 log2(s)) / 612 - 7/34). */
    static long weight(long shares) {
        if (shares == 0) {
            return 0;
        }
        if (shares < 0 || shares >= 262144) {
            return 10000;
        }
        if (shares <= 2) {
            return 1;
        }
        double l = Math.log(shares) / Math.log(2);
        double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }

    static void apply(Path dir, LinuxCpu c) {
        if (c == null) {
            return;
        }
        if (nz(c.realtimePeriod()) || nz(c.realtimeRuntime())) {
            throw new CgroupException(F + (nz(c.realtimeRuntime()) ? "realtimeRuntime" : "realtimePeriod")
                    + ": realtime bandwidth is not supported on cgroup v2 (no cpu.rt_* files)");
        }
        if (nz(c.shares())) {
            CgroupFiles.write(F + "shares", dir.resolve("cpu.weight"), Long.toString(weight(c.shares())));
        }
        if (nz(c.quota()) || nz(c.period())) {
            String quota;
            if (nz(c.quota())) {
                quota = c.quota() < 0 ? "max" : c.quota().toString();
            } else {
                // only the period changes: keep the current quota (cpu.max is "quota period")
                quota = CgroupFiles.read(dir.resolve("cpu.max")).strip().split("\\s+")[0];
            }
            String v = nz(c.period()) ? quota + " " + Long.toUnsignedString(c.period()) : quota;
            CgroupFiles.write(F + (nz(c.quota()) ? "quota" : "period"), dir.resolve("cpu.max"), v);
        }
        if (c.burst() != null) {
            CgroupFiles.write(F + "burst", dir.resolve("cpu.max.burst"), Long.toUnsignedString(c.burst()));
        }
        if (c.idle() != null) {
            CgroupFiles.write(F + "idle", dir.resolve("cpu.idle"), c.idle().toString());
        }
    }

    static Stats.Cpu stats(Path dir) {
        Map<String, Long> s = CgroupFiles.readKeyValues(dir.resolve("cpu.stat"));
        return new Stats.Cpu(
                new Stats.CpuUsage(s.getOrDefault("usage_usec", 0L) * 1000, java.util.List.of(), java.util.List.of(),
                        java.util.List.of(), s.getOrDefault("system_usec", 0L) * 1000, s.getOrDefault("user_usec", 0L) * 1000),
                new Stats.Throttling(s.getOrDefault("nr_periods", 0L), s.getOrDefault("nr_throttled", 0L),
                        s.getOrDefault("throttled_usec", 0L) * 1000));
    }
}
