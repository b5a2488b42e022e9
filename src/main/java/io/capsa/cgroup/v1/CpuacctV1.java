package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The v1 cpuacct controller: usage statistics only. */
final class CpuacctV1 {
    /** cpuacct.stat counts USER_HZ ticks (100 per second on Linux). */
    static final long NANOS_PER_TICK = 10_000_000L;

    private CpuacctV1() {
    }

    static Stats.CpuUsage usage(Path dir) {
        long total = CgroupFiles.readLongOr0(dir.resolve("cpuacct.usage"));
        Map<String, Long> st = CgroupFiles.readKeyValues(dir.resolve("cpuacct.stat"));
        List<Long> percpu = numbers(dir.resolve("cpuacct.usage_percpu"));
        List<Long> pk = new ArrayList<>();
        List<Long> pu = new ArrayList<>();
        // cpuacct.usage_all: "cpu user system" per line
        String all = CgroupFiles.readOrNull(dir.resolve("cpuacct.usage_all"));
        if (all != null) {
            for (String line : all.split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3 && !f[0].equals("cpu")) {
                    pu.add(Long.parseLong(f[1]));
                    pk.add(Long.parseLong(f[2]));
                }
            }
        }
        return new Stats.CpuUsage(total, percpu, pk, pu, st.getOrDefault("system", 0L) * NANOS_PER_TICK,
                st.getOrDefault("user", 0L) * NANOS_PER_TICK);
    }

    static List<Long> numbers(Path file) {
        List<Long> out = new ArrayList<>();
        String s = CgroupFiles.readOrNull(file);
        if (s != null) {
            for (String n : s.strip().split("\\s+")) {
                if (!n.isEmpty()) {
                    out.add(Long.parseLong(n));
                }
            }
        }
        return out;
    }
}
