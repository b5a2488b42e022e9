package io.capsa.runtime;

import io.capsa.cgroup.Cgroup;
import io.capsa.cgroup.Stats;
import io.capsa.spec.Json;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxResources;
import io.capsa.spec.RecordJson;
import io.capsa.state.ContainerState;
import io.capsa.state.StateException;
import io.capsa.state.StateStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroup side of runc's pause, resume, update, events and ps, on a container of the state store.
 * Each takes the container's lock for what it changes; statuses come from {@link ContainerRuntime#status}.
 */
public final class ResourceControl {
    private final StateStore store;
    private final ContainerRuntime runtime;

    public ResourceControl(Path root, ContainerRuntime runtime) {
        this.store = new StateStore(root);
        this.runtime = runtime;
    }

    private ContainerState load(String id) {
        ContainerState st = store.load(id);
        if (st == null) {
            throw new StateException("container " + id + " is still being created");
        }
        return st;
    }

    private static Cgroup cgroup(ContainerState st) {
        return Cgroup.restore(st.cgroupsPath());
    }

    /** Freezes every process of a running (or created) container. */
    public void pause(String id) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = load(id);
            String status = runtime.status(st);
            if (!status.equals("running") && !status.equals("created")) {
                throw new RuntimeException("container not running");
            }
            cgroup(st).freeze();
        }
    }

    /** Thaws a paused container. */
    public void resume(String id) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = load(id);
            if (!runtime.status(st).equals("paused")) {
                throw new RuntimeException("container not paused");
            }
            cgroup(st).thaw();
        }
    }

    /**
     * Applies changed resources to a live container and records them in its saved config (so a later
     * update merges with them). As runc, a memory limit of -1 without a swap value means unlimited swap
     * too, and a memory update carries the saved swap (or limit) along so v1's limit &lt;= memsw holds.
     */
    public void update(String id, LinuxResources r) {
        try (StateStore.Lock lock = store.lock(id)) {
            ContainerState st = load(id);
            String status = runtime.status(st);
            if (status.equals("stopped")) {
                throw new RuntimeException("container not running");
            }
            Map<String, Object> config = asObject(readJson(st.configJson() == null ? "{}" : st.configJson(),
                    "reading the saved config of " + id));
            if (config == null) {
                config = new LinkedHashMap<>();
            }
            Map<String, Object> linux = asObject(config.get("linux"));
            LinuxResources saved = null;
            if (linux != null && linux.containsKey("resources")) {
                try {
                    saved = RecordJson.read(RecordJson.toBytes(linux.get("resources")), LinuxResources.class);
                } catch (RecordJson.JsonBindException e) {
                    throw new IllegalStateException("reading the saved resources of " + id + ": " + e.getMessage(), e);
                }
            }
            LinuxResources eff = withMemoryPair(r, saved);
            cgroup(st).update(eff);
            if (linux == null) {
                linux = new LinkedHashMap<>();
                config.put("linux", linux);
            }
            linux.put("resources", merge(linux.get("resources"), RecordJson.read(RecordJson.toBytes(eff), Object.class)));
            store.save(new ContainerState(st.id(), st.phase(), st.bundle(), st.rootfs(), st.pid(), st.pidStartTime(),
                    st.created(), st.owner(), st.cgroupsPath(), st.annotations(), Json.toJson(config)));
        }
    }

    /** A JSON document as maps, lists and scalars. */
    private static Object readJson(String json, String what) {
        try {
            return RecordJson.read(json.getBytes(StandardCharsets.UTF_8), Object.class);
        } catch (RecordJson.JsonBindException e) {
            throw new IllegalStateException(what + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    static LinuxResources withMemoryPair(LinuxResources r, LinuxResources saved) {
        LinuxMemory m = r.memory();
        if (m == null || (m.limit() == null && m.swap() == null)) {
            return r;
        }
        LinuxMemory old = saved == null ? null : saved.memory();
        Long limit = m.limit();
        Long swap = m.swap();
        if (limit != null && limit == -1 && swap == null) {
            swap = -1L;
        }
        if (limit == null && old != null) {
            limit = old.limit();
        }
        if (swap == null && old != null && old.swap() != null && limit != null && limit != -1
                && Long.compareUnsigned(old.swap(), limit) >= 0) {
            swap = old.swap();
        }
        LinuxMemory nm = new LinuxMemory(limit, m.reservation(), swap, m.kernel(), m.kernelTCP(), m.swappiness(),
                m.disableOOMKiller(), m.useHierarchy(), m.checkBeforeUpdate());
        return new LinuxResources(r.devices(), nm, r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified());
    }

    /** Objects (maps) merged key by key (update's non-null values win); anything else replaced. */
    static Object merge(Object base, Object upd) {
        if (!(base instanceof Map<?, ?> b) || !(upd instanceof Map<?, ?> u)) {
            return upd;
        }
        Map<Object, Object> out = new LinkedHashMap<>(b);
        u.forEach((k, v) -> {
            if (v != null) {
                out.put(k, merge(out.get(k), v));
            }
        });
        return out;
    }

    /** A running container's cgroup, for events: fails like runc when it is not running. */
    public Cgroup running(String id) {
        ContainerState st = load(id);
        String status = runtime.status(st);
        if (status.equals("stopped")) {
            throw new RuntimeException("container with id " + id + " is not running");
        }
        return cgroup(st);
    }

    /** Whether the container still runs (events streams until it does not). */
    public boolean isRunning(String id) {
        try {
            if (!store.exists(id)) {
                return false;
            }
            ContainerState st = store.load(id);
            return st != null && !runtime.status(st).equals("stopped");
        } catch (StateException e) {
            return false;
        }
    }

    public Stats stats(String id) {
        return running(id).stats();
    }

    /** The pids of every process in the container's cgroup. */
    public List<Long> pids(String id) {
        ContainerState st = load(id);
        Cgroup cg = cgroup(st);
        return cg.exists() ? cg.pids() : List.of();
    }
}
