package io.capsa.stage;

/** The operations of the native stage; the numbers are the contract with capsa-stage.c (docs/stage-protocol.md). */
public enum Op {
    SETNS(1), UNSHARE(2), WRITE_FILE(3), CLONE(4), SYNC(5), NOTIFY(6), SETRESID(7), SETHOSTNAME(8),
    SETDOMAINNAME(9), MOUNT_PROPAGATION(10), ROOTFS(11), MOUNT(12), MKNOD(13), BIND_DEV(14), SYMLINK(15),
    PIVOT_ROOT(16), CHROOT_MOVE(17), MASK(18), READONLY(19), REMOUNT_RO(20), CONSOLE(21), SETSID(22), HOOK(23),
    SETRLIMIT(24), NO_NEW_PRIVS(25), CAPS_BOUNDING(26), USER(27), CAPS(28), CHDIR(29), CLOSE_FDS(30),
    FIND_EXEC(31), WAIT_START(32), SECCOMP(33), EXEC(34), SET_DUMPABLE(35), CLOSE_FD(36), SECCOMP_LISTENER(37),
    OPEN_FIFO(38), CONSOLE_SOCKET(39), CONSOLE_PAIR(40),
    LOOPBACK_UP(41), EXIT_MONITOR(42);

    public final int code;

    Op(int code) { this.code = code; }

    /** MOUNT ext bits (MNT_RRO: apply the recursive attributes attr_set/attr_clr with mount_setattr). */
    public static final long MNT_MKDIR = 1, MNT_MKFILE = 2, MNT_BIND_REMOUNT = 4, MNT_RRO = 8, MNT_SRC_IN_ROOT = 16;
    /** CLONE modes. */
    public static final long CLONE_DETACH = 0, CLONE_WAIT = 1;
}
