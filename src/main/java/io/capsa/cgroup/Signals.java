package io.capsa.cgroup;

import io.capsa.sys.Errno;
import io.capsa.sys.SysException;
import io.capsa.sys.Syscall;

/** kill(2) for the processes of a cgroup: one that has exited meanwhile (ESRCH) is fine. */
public final class Signals {
    private Signals() {
    }

    public static void kill(long pid, int signal) {
        try {
            Syscall.kill(pid, signal);
        } catch (SysException e) {
            if (e.errno() != Errno.ESRCH) {
                throw new CgroupException(e.getMessage(), e);
            }
        }
    }
}
