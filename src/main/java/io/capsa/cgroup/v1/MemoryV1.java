package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxMemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.capsa.cgroup.ResourceValues.nz;

/** The v1 memory controller (memory.limit_in_bytes, memory.memsw.limit_in_bytes, ...). */
final class MemoryV1 {
    static final String F = "linux.resources.memory.";

    private MemoryV1() {
    }

    static boolean isSet(LinuxMemory m) {
        return m != null && (nz(m.limit()) || nz(m.reservation()) || nz(m.swap()) || nz(m.kernelTCP())
                || m.swappiness() != null || Boolean.TRUE.equals(m.disableOOMKiller()) || m.useHierarchy() != null);
    }

    static void apply(Path dir, LinuxMemory m) {
        if (m == null) {
            return;
        }
        long limit = m.limit() == null ? 0 : m.limit();
        long swap = m.swap() == null ? 0 : m.swap();
        boolean swapAccounting = Files.exists(dir.resolve("memory.memsw.limit_in_bytes"));
        // runc: memory -1 with swap unset means both unlimited
        if (limit == -1 && swap == 0 && swapAccounting) {
            swap = -1;
        }
        if (swap != 0 && !swapAccounting) {
            throw new CgroupException(F + "swap: " + dir.resolve("memory.memsw.limit_in_bytes")
                    + " does not exist (swap accounting is not enabled in the kernel)");
        }
        if (limit != 0 && swap != 0) {
            // order the two writes so that limit <= memsw holds after each (runc does the same)
            long cur = CgroupFiles.readLong(dir.resolve("memory.limit_in_bytes"));
            if (swap == -1 || Long.compareUnsigned(cur, swap) < 0) {
                setSwap(dir, swap);
                setLimit(dir, limit);
            } else {
                setLimit(dir, limit);
                setSwap(dir, swap);
            }
        } else {
            if (limit != 0) {
                setLimit(dir, limit);
            }
            if (swap != 0) {
                setSwap(dir, swap);
            }
        }
        if (nz(m.reservation())) {
            CgroupFiles.write(F + "reservation", dir.resolve("memory.soft_limit_in_bytes"), m.reservation().toString());
        }
        // memory.kernel: deprecated in the runtime spec and by the kernel (kmem.limit_in_bytes is a no-op or
        // EOPNOTSUPP since 5.16); ignored like runc 1.2 does.
        if (nz(m.kernelTCP())) {
            CgroupFiles.write(F + "kernelTCP", dir.resolve("memory.kmem.tcp.limit_in_bytes"), m.kernelTCP().toString());
        }
        if (m.swappiness() != null) {
            long s = m.swappiness();
            if (s < 0 || s > 100) {
                throw new CgroupException(F + "swappiness: invalid value " + Long.toUnsignedString(s)
                        + ", valid memory swappiness range is 0-100");
            }
            CgroupFiles.write(F + "swappiness", dir.resolve("memory.swappiness"), Long.toString(s));
        }
        if (Boolean.TRUE.equals(m.disableOOMKiller())) {
            CgroupFiles.write(F + "disableOOMKiller", dir.resolve("memory.oom_control"), "1");
        }
        if (m.useHierarchy() != null) {
            CgroupFiles.write(F + "useHierarchy", dir.resolve("memory.use_hierarchy"), m.useHierarchy() ? "1" : "0");
        }
    }

    private static void setLimit(Path dir, long limit) {
        try {
            CgroupFiles.write(F + "limit", dir.resolve("memory.limit_in_bytes"), Long.toString(limit));
        } catch (CgroupException e) {
            if (e.getMessage().endsWith("Device or resource busy")) {
                throw new CgroupException(e.getMessage() + " (current usage: "
                        + CgroupFiles.readLongOr0(dir.resolve("memory.usage_in_bytes")) + ", peak usage: "
                        + CgroupFiles.readLongOr0(dir.resolve("memory.max_usage_in_bytes")) + ")", e);
            }
            throw e;
        }
    }

    private static void setSwap(Path dir, long swap) {
        CgroupFiles.write(F + "swap", dir.resolve("memory.memsw.limit_in_bytes"), Long.toString(swap));
    }

    static long oomKills(Path dir) {
        Long v = CgroupFiles.readKeyValues(dir.resolve("memory.oom_control")).get("oom_kill");
        return v == null ? 0 : v;
    }

    static Stats.Memory stats(Path dir) {
        Map<String, Long> raw = CgroupFiles.readKeyValues(dir.resolve("memory.stat"));
        return new Stats.Memory(raw.getOrDefault("cache", 0L), entry(dir, "memory."), entry(dir, "memory.memsw."),
                entry(dir, "memory.kmem."), entry(dir, "memory.kmem.tcp."), raw);
    }

    private static Stats.MemoryEntry entry(Path dir, String prefix) {
        if (!Files.exists(dir.resolve(prefix + "usage_in_bytes"))) {
            return new Stats.MemoryEntry(0, 0, 0, 0);
        }
        return new Stats.MemoryEntry(CgroupFiles.readLongOr0(dir.resolve(prefix + "limit_in_bytes")),
                CgroupFiles.readLongOr0(dir.resolve(prefix + "usage_in_bytes")),
                CgroupFiles.readLongOr0(dir.resolve(prefix + "max_usage_in_bytes")),
                CgroupFiles.readLongOr0(dir.resolve(prefix + "failcnt")));
    }
}
