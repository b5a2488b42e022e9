package io.capsa.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.cgroup.Cgroup;
import io.capsa.cgroup.Stats;
import io.capsa.spec.Json;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxResources;
import io.capsa.state.ContainerState;
import io.capsa.state.StateException;
import io.capsa.state.StateStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

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
            ObjectNode config;
            try {
                config = (ObjectNode) Json.mapper().readTree(st.configJson() == null ? "{}" : st.configJson());
            } catch (IOException e) {
                throw new UncheckedIOException("reading the saved config of " + id + ": " + e.getMessage(), e);
            }
            JsonNode linux = config.path("linux");
            LinuxResources saved = null;
            if (linux.has("resources")) {
                try {
                    saved = Json.mapper().treeToValue(linux.get("resources"), LinuxResources.class);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the saved resources of " + id + ": " + e.getMessage(), e);
                }
            }
            LinuxResources eff = withMemoryPair(r, saved);
            cgroup(st).update(eff);
            ObjectNode lin = linux.isObject() ? (ObjectNode) linux : config.putObject("linux");
            JsonNode merged = merge(lin.get("resources"), Json.mapper().valueToTree(eff));
            lin.set("resources", merged);
            store.save(new ContainerState(st.id(), st.phase(), st.bundle(), st.rootfs(), st.pid(), st.pidStartTime(),
                    st.created(), st.owner(), st.cgroupsPath(), st.annotations(), Json.toJson(config)));
        }
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

    /** Objects merged key by key (update's non-null values win); anything else replaced. */
    static JsonNode merge(JsonNode base, JsonNode upd) {
        if (base == null || !base.isObject() || !upd.isObject()) {
            return upd;
        }
        ObjectNode out = ((ObjectNode) base).deepCopy();
        upd.fields().forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
                out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
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
