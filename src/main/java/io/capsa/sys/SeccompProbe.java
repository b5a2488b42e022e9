package io.capsa.sys;

/** Asks the running kernel what seccomp(2) supports, without installing anything. */
public final class SeccompProbe {
    private SeccompProbe() {
    }

    static final long SYS_SECCOMP = System.getProperty("os.arch").equals("aarch64") ? 277 : 317;
    static final long SECCOMP_SET_MODE_FILTER = 1;

    /**
     * Whether the kernel accepts these SECCOMP_SET_MODE_FILTER flags: seccomp(2) is called with a NULL program,
     * so it fails either way, with EFAULT once the flags passed validation and EINVAL if they did not (the probe
     * libseccomp uses).
     */
    public static boolean filterFlagsSupported(long flags) {
        try {
            Syscall.call("seccomp", SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, 0, 0, 0, 0);
            return true; // cannot happen with a NULL program
        } catch (SysException e) {
            return e.errno() == Errno.EFAULT;
        }
    }
}
