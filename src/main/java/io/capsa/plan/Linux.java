package io.capsa.plan;

import io.capsa.spec.MountOptions;
import io.capsa.spec.Namespaces;

/** Kernel constants the planner writes into plans, beyond the spec model's tables. */
final class Linux {
    private Linux() {}

    static final long CLONE_NEWTIME = Namespaces.CLONE_NEWTIME, CLONE_NEWNS = Namespaces.CLONE_NEWNS,
            CLONE_NEWCGROUP = Namespaces.CLONE_NEWCGROUP, CLONE_NEWUTS = Namespaces.CLONE_NEWUTS,
            CLONE_NEWIPC = Namespaces.CLONE_NEWIPC, CLONE_NEWUSER = Namespaces.CLONE_NEWUSER,
            CLONE_NEWNET = Namespaces.CLONE_NEWNET, CLONE_NEWPID = Namespaces.CLONE_NEWPID;

    static final long MS_RDONLY = MountOptions.MS_RDONLY, MS_NOSUID = MountOptions.MS_NOSUID,
            MS_NODEV = MountOptions.MS_NODEV, MS_NOEXEC = MountOptions.MS_NOEXEC, MS_BIND = MountOptions.MS_BIND,
            MS_REC = MountOptions.MS_REC, MS_SLAVE = MountOptions.MS_SLAVE;

    /** Bits of a mount that only a remount can change on a bind mount. */
    static final long BIND_REMOUNT_FLAGS = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MountOptions.MS_MANDLOCK
            | MountOptions.MS_DIRSYNC | MountOptions.MS_NOSYMFOLLOW | MountOptions.MS_NOATIME
            | MountOptions.MS_NODIRATIME | MountOptions.MS_RELATIME | MountOptions.MS_STRICTATIME;

    /** The clone flag of a namespace type of config.json, or 0 when unknown. */
    static long namespaceFlag(String type) {
        Namespaces n = type == null ? null : Namespaces.ofType(type);
        return n == null ? 0 : n.cloneFlag();
    }
}
