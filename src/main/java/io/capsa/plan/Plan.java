package io.capsa.plan;

import io.capsa.spec.Hook;
import io.capsa.spec.Spec;
import io.capsa.stage.PlanWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * A container (or exec) fully planned: the ops for the native stage, and what the runtime itself does at the
 * stage's sync points.
 * @param ops the stage's program
 * @param parentFds the runtime's fds the stage installs at 0..n-1 (stdio, then preserved fds)
 * @param uidMap uid_map text to write for a new user namespace, or null
 * @param gidMap gid_map text, or null
 * @param runtimeHooks prestart and createRuntime hooks, run by the runtime at the "hooks" sync point
 * @param rootfs the absolute root filesystem path
 * @param warnings what the planner accepted with a warning (as runc does)
 */
public record Plan(
        PlanWriter ops,
        int[] parentFds,
        String uidMap,
        String gidMap,
        List<Hook> runtimeHooks,
        Spec spec,
        Path rootfs,
        List<String> warnings) {

    /** The sync point after the clone: id maps, cgroup placement. */
    public static final String SYNC_PID = "pid";
    /** The sync point before pivot_root: prestart and createRuntime hooks. */
    public static final String SYNC_HOOKS = "hooks";
    /** After SECCOMP with a notify listener: the runtime hands the notify fd to linux.seccomp.listenerPath. */
    public static final String SYNC_SECCOMP = "seccomp";
    /** Sent when the container waits for start. */
    public static final String NOTIFY_READY = "ready";
}
