package io.capsa.cgroup.v1;

import io.capsa.cgroup.Cgroup;
import io.capsa.cgroup.CgroupDirs;
import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupLayout;
import io.capsa.cgroup.DeviceRule;
import io.capsa.cgroup.Stats;
import io.capsa.cgroup.v2.HugetlbV2;
import io.capsa.cgroup.v2.V2Cgroup;
import io.capsa.spec.LinuxCpu;
import io.capsa.spec.LinuxResources;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's cgroup on cgroup v1: one directory per mounted hierarchy (and, on a hybrid host, one
 * in the unified hierarchy, key "", which only holds the processes, as runc does).
 */
public final class V1Cgroup implements Cgroup {
    private final Map<String, Path> paths;

    public V1Cgroup(Map<String, Path> paths) {
        this.paths = Collections.unmodifiableMap(new LinkedHashMap<>(paths));
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Map<String, Path> paths() {
        return paths;
    }

    /** The directory of a controller's hierarchy, or null when the controller is not mounted. */
    public Path dir(String controller) {
        for (Map.Entry<String, Path> e : paths.entrySet()) {
            for (String c : e.getKey().split(",")) {
                if (c.equals(controller)) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    private Path need(String controller, String field) {
        Path d = dir(controller);
        if (d == null) {
            throw new CgroupException(field + ": the " + controller + " cgroup controller is not mounted");
        }
        return d;
    }

    @Override
    public void create() {
        List<Path> created = new ArrayList<>();
        try {
            for (Path p : paths.values()) {
                created.addAll(CgroupDirs.mkdirs(p));
            }
            Path cpuset = dir("cpuset");
            if (cpuset != null) {
                CpusetV1.init(mountOf("cpuset", cpuset), cpuset);
            }
        } catch (RuntimeException e) {
            for (Path p : created.reversed()) {
                CgroupDirs.remove(p);
            }
            throw e;
        }
    }

    private static Path mountOf(String controller, Path dir) {
        CgroupLayout.Hierarchy h = CgroupLayout.host().hierarchy(controller);
        if (h != null && dir.startsWith(h.mountPoint())) {
            return h.mountPoint();
        }
        return dir.getParent();
    }

    @Override
    public void join(long pid) {
        for (Path p : paths.values()) {
            CgroupDirs.join(p, pid);
        }
    }

    @Override
    public void apply(LinuxResources r) {
        set(r);
    }

    @Override
    public void update(LinuxResources r) {
        set(r);
    }

    /** Unset (null) fields are left alone, so apply and update are the same on v1. */
    private void set(LinuxResources r) {
        if (r == null) {
            return;
        }
        LinuxCpu cpu = r.cpu();
        if (CpusetV1.isSet(cpu)) {
            CpusetV1.apply(need("cpuset", "linux.resources.cpu.cpus"), cpu);
        }
        List<DeviceRule> rules = DeviceRule.of(r.devices());
        if (!rules.isEmpty()) {
            DevicesV1.apply(need("devices", "linux.resources.devices"), rules);
        }
        if (MemoryV1.isSet(r.memory())) {
            MemoryV1.apply(need("memory", "linux.resources.memory"), r.memory());
        }
        if (CpuV1.isSet(cpu)) {
            CpuV1.apply(need("cpu", "linux.resources.cpu"), cpu);
        }
        if (PidsV1.isSet(r.pids())) {
            PidsV1.apply(need("pids", "linux.resources.pids"), r.pids());
        }
        if (BlkioV1.isSet(r.blockIO())) {
            BlkioV1.apply(need("blkio", "linux.resources.blockIO"), r.blockIO());
        }
        if (r.hugepageLimits() != null && !r.hugepageLimits().isEmpty()) {
            Path unified = unifiedHugetlb();
            if (unified != null) {
                V2Cgroup.enableController(CgroupLayout.host().unified(), unified, "hugetlb", "linux.resources.hugepageLimits");
                HugetlbV2.apply(unified, r.hugepageLimits());
            } else {
                HugetlbV1.apply(need("hugetlb", "linux.resources.hugepageLimits"), r.hugepageLimits());
            }
        }
        if (NetClsV1.isSet(r.network())) {
            NetClsV1.apply(need("net_cls", "linux.resources.network.classID"), r.network());
        }
        if (NetPrioV1.isSet(r.network())) {
            NetPrioV1.apply(need("net_prio", "linux.resources.network.priorities"), r.network());
        }
        if (RdmaV1.isSet(r.rdma())) {
            RdmaV1.apply(need("rdma", "linux.resources.rdma"), r.rdma());
        }
        if (r.unified() != null && !r.unified().isEmpty()) {
            throw new CgroupException("linux.resources.unified: needs cgroup v2, but this host uses cgroup v1"
                    + (paths.containsKey("") ? " for its controllers (hybrid layout)" : ""));
        }
    }

    /**
     * On a hybrid host whose hugetlb controller is bound to the unified hierarchy (not mounted as v1),
     * the container's unified directory, where hugetlb is then applied the v2 way; else null.
     */
    private Path unifiedHugetlb() {
        Path u = paths.get("");
        CgroupLayout l = CgroupLayout.host();
        if (dir("hugetlb") != null || u == null || l.unified() == null) {
            return null;
        }
        String c = io.capsa.cgroup.CgroupFiles.readOrNull(l.unified().resolve("cgroup.controllers"));
        return c != null && java.util.Arrays.asList(c.strip().split("\\s+")).contains("hugetlb") ? u : null;
    }

    @Override
    public void freeze() {
        FreezerV1.freeze(need("freezer", "freezer"));
    }

    @Override
    public void thaw() {
        FreezerV1.thaw(need("freezer", "freezer"));
    }

    @Override
    public boolean isFrozen() {
        Path d = dir("freezer");
        return d != null && FreezerV1.state(d).equals("FROZEN");
    }

    @Override
    public List<Long> pids() {
        for (String c : new String[] {"freezer", "devices", "pids", "memory", "cpu"}) {
            Path d = dir(c);
            if (d != null) {
                return CgroupDirs.pids(d);
            }
        }
        return paths.isEmpty() ? List.of() : CgroupDirs.pids(paths.values().iterator().next());
    }

    @Override
    public void killAll(int signal) {
        Path f = dir("freezer");
        boolean frozen = false;
        if (f != null && java.nio.file.Files.isDirectory(f)) {
            // a paused container stays paused (the signal waits for resume), except for SIGKILL:
            // v1-frozen tasks only die once thawed
            boolean paused = FreezerV1.state(f).equals("FROZEN");
            if (!paused) {
                FreezerV1.freeze(f);
            }
            frozen = !paused || signal == 9;
        }
        try {
            for (long pid : pids()) {
                io.capsa.cgroup.Signals.kill(pid, signal);
            }
        } finally {
            if (frozen) {
                FreezerV1.thaw(f);
            }
        }
    }

    @Override
    public Stats stats() {
        Path cpuacct = dir("cpuacct");
        Path cpu = dir("cpu");
        Path mem = dir("memory");
        Path pids = dir("pids");
        Path blkio = dir("blkio");
        Path huge = dir("hugetlb");
        return new Stats(
                new Stats.Cpu(cpuacct == null ? new Stats.CpuUsage(0, List.of(), List.of(), List.of(), 0, 0)
                        : CpuacctV1.usage(cpuacct),
                        cpu == null ? new Stats.Throttling(0, 0, 0) : CpuV1.throttling(cpu)),
                mem == null ? new Stats.Memory(0, null, null, null, null, Map.of()) : MemoryV1.stats(mem),
                pids == null ? new Stats.Pids(0, 0) : PidsV1.stats(pids),
                blkio == null ? Stats.Blkio.of(List.of(), List.of()) : BlkioV1.stats(blkio),
                huge != null ? HugetlbV1.stats(huge) : unifiedHugetlb() != null ? HugetlbV2.stats(unifiedHugetlb()) : Map.of());
    }

    @Override
    public long oomKillCount() {
        Path m = dir("memory");
        return m == null ? 0 : MemoryV1.oomKills(m);
    }

    @Override
    public boolean exists() {
        return paths.values().stream().anyMatch(java.nio.file.Files::isDirectory);
    }

    @Override
    public void destroy() {
        List<String> errors = new ArrayList<>();
        for (Path p : paths.values()) {
            String e = CgroupDirs.remove(p);
            if (e != null) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw new CgroupException(String.join("; ", errors));
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
