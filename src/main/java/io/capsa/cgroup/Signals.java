package io.capsa.cgroup;

import java.io.IOException;
import java.util.Optional;

/**
 * Sends a signal to a pid. SIGKILL and SIGTERM go through ProcessHandle (kill(2) in the JDK); other
 * signals through /bin/kill, a rare path (kill --all with e.g. SIGUSR1).
 * TODO: use io.capsa.sys kill(2) once the lead's Sys class lands.
 */
public final class Signals {
    private Signals() {
    }

    public static void kill(long pid, int signal) {
        if (signal == 9 || signal == 15) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                if (signal == 9) {
                    h.get().destroyForcibly();
                } else {
                    h.get().destroy();
                }
            }
            return;
        }
        try {
            Process p = new ProcessBuilder("kill", "-s", Integer.toString(signal), Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor();
        } catch (IOException e) {
            throw new CgroupException("sending signal " + signal + " to " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
