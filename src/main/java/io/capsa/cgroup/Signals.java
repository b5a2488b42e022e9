package io.capsa.cgroup;

import io.capsa.sys.Errno;
import io.capsa.sys.SysException;
import io.capsa.sys.Syscall;

/** kill(2) for the processes of a cgroup: one that has exited meanwhile (ESRCH) is fine. */
public final class Signals {
    private Signals() {
    }

    /**
     * Sends the signal. KILL and TERM go through the JDK's ProcessHandle (its own native code, which also checks
     * the process's start time, and sends nothing to a zombie): binding our kill(2) downcall costs a cold JVM
     * ~15 ms, and delete signals the (often already exited) processes of every container's cgroup. Any other
     * signal through kill(2).
     */
    public static void kill(long pid, int signal) {
        if (signal == 9 || signal == 15) {
            ProcessHandle.of(pid).ifPresent(h -> {
                if (signal == 9) h.destroyForcibly(); else h.destroy();
            });
            return;
        }
        try {
            Syscall.kill(pid, signal);
        } catch (SysException e) {
            if (e.errno() != Errno.ESRCH) {
                throw new CgroupException(e.getMessage(), e);
            }
        }
    }
}
