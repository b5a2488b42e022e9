package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxMemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.capsa.cgroup.ResourceValues.nz;

/**
 * The v2 memory controller: limit to memory.max, reservation to memory.low, swap (memory+swap in
 * the spec, v1's meaning) converted to memory.swap.max = swap - limit, as runc does. swappiness,
 * kernel, kernelTCP, disableOOMKiller and useHierarchy have no v2 file and are ignored, as by runc.
 */
final class MemoryV2 {
    static final String F = "linux.resources.memory.";

    private MemoryV2() {
    }

    static boolean isSet(LinuxMemory m) {
        return m != null && (nz(m.limit()) || nz(m.reservation()) || nz(m.swap()));
    }

    /** runc's ConvertMemorySwapToCgroupV2Value: -1 = max, 0 = unset. */
    static long swapV2(long swap, long limit) {
        if (limit == -1 && swap == 0) {
            return -1;
        }
        if (swap == -1 || swap == 0) {
            return swap;
        }
        if (limit == 0 || limit == -1) {
            throw new CgroupException(F + "swap: unable to set a swap limit without a memory limit");
        }
        if (limit < 0) {
            throw new CgroupException(F + "limit: invalid memory value " + limit);
        }
        if (swap < limit) {
            throw new CgroupException(F + "swap: memory+swap limit (" + swap + ") should be >= memory limit (" + limit + ")");
        }
        return swap - limit;
    }

    static void apply(Path dir, LinuxMemory m, boolean update) {
        if (m == null) {
            return;
        }
        long limit = m.limit() == null ? 0 : m.limit();
        long swap = m.swap() == null ? 0 : m.swap();
        long sw = swapV2(swap, limit);
        String swapStr = sw == -1 ? "max" : sw == 0 ? (swap > 0 ? "0" : null) : Long.toString(sw);
        if (swapStr != null) {
            Path f = dir.resolve("memory.swap.max");
            if (Files.exists(f)) {
                CgroupFiles.write(F + "swap", f, swapStr);
            } else if (!swapStr.equals("max") && !swapStr.equals("0")) {
                throw new CgroupException(F + "swap: " + f + " does not exist (swap accounting is not enabled)");
            }
        }
        if (limit != 0) {
            if (update && Boolean.TRUE.equals(m.checkBeforeUpdate()) && limit > 0) {
                long cur = CgroupFiles.readLong(dir.resolve("memory.current"));
                if (cur > limit) {
                    throw new CgroupException(F + "limit: the new limit " + limit + " is lower than the current usage "
                            + cur + " (" + dir.resolve("memory.current") + "; memory.checkBeforeUpdate is set)");
                }
            }
            CgroupFiles.write(F + "limit", dir.resolve("memory.max"), limit == -1 ? "max" : Long.toString(limit));
        }
        if (nz(m.reservation())) {
            long r = m.reservation();
            CgroupFiles.write(F + "reservation", dir.resolve("memory.low"), r == -1 ? "max" : Long.toString(r));
        }
    }

    static long oomKills(Path dir) {
        return CgroupFiles.readKeyValues(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    }

    static Stats.Memory stats(Path dir) {
        Map<String, Long> raw = CgroupFiles.readKeyValues(dir.resolve("memory.stat"));
        long usage = CgroupFiles.readLongOr0(dir.resolve("memory.current"));
        long max = CgroupFiles.readLongOr0(dir.resolve("memory.max"));
        long peak = CgroupFiles.readLongOr0(dir.resolve("memory.peak"));
        long failcnt = CgroupFiles.readKeyValues(dir.resolve("memory.events")).getOrDefault("max", 0L);
        Stats.MemoryEntry mem = new Stats.MemoryEntry(max, usage, peak, failcnt);
        // v2 has no memsw: report swap as swap+memory like runc, so it reads as on v1
        Stats.MemoryEntry swap = new Stats.MemoryEntry(0, 0, 0, 0);
        if (Files.exists(dir.resolve("memory.swap.current"))) {
            long swapUsage = CgroupFiles.readLongOr0(dir.resolve("memory.swap.current"));
            long swapMax = CgroupFiles.readLongOr0(dir.resolve("memory.swap.max"));
            long swapPeak = CgroupFiles.readLongOr0(dir.resolve("memory.swap.peak"));
            long limit = (swapMax == -1 || max == -1) ? -1 : swapMax + max;
            swap = new Stats.MemoryEntry(limit, swapUsage + usage, swapPeak == 0 ? 0 : swapPeak + peak, 0);
        }
        Stats.MemoryEntry none = new Stats.MemoryEntry(0, 0, 0, 0);
        return new Stats.Memory(raw.getOrDefault("file", 0L), mem, swap, none, none, raw);
    }
}
