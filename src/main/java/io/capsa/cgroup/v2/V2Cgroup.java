package io.capsa.cgroup.v2;

import io.capsa.cgroup.Cgroup;
import io.capsa.cgroup.CgroupDirs;
import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.DeviceRule;
import io.capsa.cgroup.Signals;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxResources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A container's cgroup on cgroup v2: one directory of the unified hierarchy. */
public final class V2Cgroup implements Cgroup {
    private final Path dir;

    public V2Cgroup(Path dir) {
        this.dir = dir;
    }

    @Override
    public int version() {
        return 2;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Map<String, Path> paths() {
        return Map.of("", dir);
    }

    /**
     * mkdir -p, and in every ancestor below the mount enable (cgroup.subtree_control) the controllers
     * that it has, so the new cgroup gets them all (runc's CreateCgroupPath). Controllers that cannot be
     * enabled (e.g. an ancestor with processes of its own) are skipped; using one then fails with a
     * clear message.
     */
    @Override
    public void create() {
        List<Path> created = CgroupDirs.mkdirs(dir);
        try {
            Path mount = mountOf(dir);
            List<Path> chain = new ArrayList<>();
            for (Path p = dir.getParent(); p != null && p.startsWith(mount); p = p.getParent()) {
                chain.addFirst(p);
            }
            for (Path p : chain) {
                enableControllers(p);
            }
        } catch (RuntimeException e) {
            for (Path p : created.reversed()) {
                CgroupDirs.remove(p);
            }
            throw e;
        }
    }

    private static Path mountOf(Path dir) {
        Path u = io.capsa.cgroup.CgroupLayout.host().unified();
        return u != null && dir.startsWith(u) ? u : dir.getParent();
    }

    /**
     * Enables one controller for {@code dir}: "+controller" in the cgroup.subtree_control of each
     * ancestor from the mount down (used on a hybrid host for controllers only the unified hierarchy has).
     */
    public static void enableController(Path mount, Path dir, String controller, String field) {
        List<Path> chain = new ArrayList<>();
        for (Path p = dir.getParent(); p != null && p.startsWith(mount); p = p.getParent()) {
            chain.addFirst(p);
        }
        for (Path p : chain) {
            if (!words(CgroupFiles.readOrNull(p.resolve("cgroup.subtree_control"))).contains(controller)) {
                CgroupFiles.write(field, p.resolve("cgroup.subtree_control"), "+" + controller);
            }
        }
    }

    static void enableControllers(Path p) {
        Set<String> available = controllers(p);
        Set<String> enabled = words(CgroupFiles.readOrNull(p.resolve("cgroup.subtree_control")));
        List<String> missing = new ArrayList<>();
        for (String c : available) {
            if (!enabled.contains(c)) {
                missing.add("+" + c);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try {
            CgroupFiles.write(null, p.resolve("cgroup.subtree_control"), String.join(" ", missing));
        } catch (CgroupException e) {
            for (String m : missing) {
                try {
                    CgroupFiles.write(null, p.resolve("cgroup.subtree_control"), m);
                } catch (CgroupException ignored) {
                    // left disabled: reported when a resource needs it
                }
            }
        }
    }

    static Set<String> controllers(Path p) {
        return words(CgroupFiles.readOrNull(p.resolve("cgroup.controllers")));
    }

    static Set<String> words(String s) {
        Set<String> out = new LinkedHashSet<>();
        if (s != null) {
            for (String w : s.strip().split("\\s+")) {
                if (!w.isEmpty()) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    @Override
    public void join(long pid) {
        CgroupDirs.join(dir, pid);
    }

    @Override
    public void apply(LinuxResources r) {
        set(r, false);
    }

    @Override
    public void update(LinuxResources r) {
        set(r, true);
    }

    private Set<String> controllers;

    private void need(String controller, String field) {
        if (controllers == null) {
            controllers = controllers(dir);
        }
        if (!controllers.contains(controller)) {
            throw new CgroupException(field + ": the " + controller + " controller is not available in "
                    + dir.resolve("cgroup.controllers") + " (" + String.join(" ", controllers) + ")");
        }
    }

    private void set(LinuxResources r, boolean update) {
        if (r == null) {
            return;
        }
        controllers = null;
        if (CpusetV2.isSet(r.cpu())) {
            need("cpuset", "linux.resources.cpu.cpus");
            CpusetV2.apply(dir, r.cpu());
        }
        if (r.devices() != null && !r.devices().isEmpty()) {
            DevicesV2.apply(dir, DeviceRule.of(r.devices()));
        }
        if (MemoryV2.isSet(r.memory())) {
            need("memory", "linux.resources.memory");
            MemoryV2.apply(dir, r.memory(), update);
        }
        if (CpuV2.isSet(r.cpu())) {
            need("cpu", "linux.resources.cpu");
            CpuV2.apply(dir, r.cpu());
        }
        if (PidsV2.isSet(r.pids())) {
            need("pids", "linux.resources.pids");
            PidsV2.apply(dir, r.pids());
        }
        if (IoV2.isSet(r.blockIO())) {
            need("io", "linux.resources.blockIO");
            IoV2.apply(dir, r.blockIO());
        }
        if (r.hugepageLimits() != null && !r.hugepageLimits().isEmpty()) {
            need("hugetlb", "linux.resources.hugepageLimits");
            HugetlbV2.apply(dir, r.hugepageLimits());
        }
        if (RdmaV2.isSet(r.rdma())) {
            need("rdma", "linux.resources.rdma");
            RdmaV2.apply(dir, r.rdma());
        }
        // linux.resources.network (net_cls classID, net_prio priorities) has no v2 controller: ignored, as by runc
        if (r.unified() != null && !r.unified().isEmpty()) {
            UnifiedV2.apply(dir, r.unified(), controllers(dir));
        }
    }

    @Override
    public void freeze() {
        FreezerV2.set(dir, true);
    }

    @Override
    public void thaw() {
        FreezerV2.set(dir, false);
    }

    @Override
    public boolean isFrozen() {
        return Files.isDirectory(dir) && FreezerV2.requested(dir);
    }

    @Override
    public List<Long> pids() {
        return CgroupDirs.pids(dir);
    }

    /** SIGKILL through cgroup.kill where the kernel has it (5.14+); otherwise freeze, signal each, thaw. */
    @Override
    public void killAll(int signal) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        if (signal == 9 && Files.exists(dir.resolve("cgroup.kill"))) {
            CgroupFiles.write(null, dir.resolve("cgroup.kill"), "1");
            return;
        }
        boolean canFreeze = Files.exists(dir.resolve("cgroup.freeze")) && !FreezerV2.requested(dir); // paused stays paused
        if (canFreeze) {
            FreezerV2.set(dir, true);
        }
        try {
            for (long pid : pids()) {
                Signals.kill(pid, signal);
            }
        } finally {
            if (canFreeze) {
                FreezerV2.set(dir, false);
            }
        }
    }

    @Override
    public Stats stats() {
        return new Stats(CpuV2.stats(dir), MemoryV2.stats(dir), PidsV2.stats(dir), IoV2.stats(dir), HugetlbV2.stats(dir));
    }

    @Override
    public long oomKillCount() {
        return MemoryV2.oomKills(dir);
    }

    @Override
    public boolean exists() {
        return Files.isDirectory(dir);
    }

    @Override
    public void destroy() {
        String e = CgroupDirs.remove(dir);
        if (e != null) {
            throw new CgroupException(e);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
