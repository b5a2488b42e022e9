package io.capsa.seccomp;

import io.capsa.spec.Json;
import io.capsa.spec.LinuxSeccomp;
import io.capsa.spec.OciVersion;
import io.capsa.spec.RecordJson;
import io.capsa.sys.FdPassing;
import io.capsa.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's half of runc's seccomp agent protocol. When the filter has SCMP_ACT_NOTIFY rules, the stage
 * installs it with SECCOMP_FILTER_FLAG_NEW_LISTENER and stops at a SYNC; the runtime then copies the notify fd
 * out of the stage (pidfd_getfd), connects to {@code linux.seccomp.listenerPath} and sends one message: the
 * {@code ContainerProcessState} JSON ({@code ociVersion}, {@code fds: ["seccompFd"]}, {@code pid},
 * {@code metadata}, {@code state}) with the fd attached as SCM_RIGHTS, like runc's sendContainerProcessState.
 * It is done by the runtime (on the host) because the socket path is a host path, out of the container's reach
 * once the stage has pivoted into the rootfs.
 */
public final class SeccompListener {
    private SeccompListener() {
    }

    /** What /proc/PID/fd/N of a seccomp notify fd reads. */
    public static final String NOTIFY_FD_LINK = "anon_inode:seccomp notify";

    /**
     * Sends the notify fd of stage process {@code stagePid} to the agent of {@code s}.
     * @param processPid the container process the filter belongs to (the init, or an exec'd process)
     * @param stateJson the container's state JSON (runtime-spec State)
     */
    public static void send(long stagePid, LinuxSeccomp s, long processPid, String stateJson) {
        if (s == null || s.listenerPath() == null || s.listenerPath().isEmpty())
            throw new SeccompException("linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY");
        byte[] msg = message(processPid, s.listenerMetadata(), stateJson);
        int src = FdPassing.findFd(stagePid, NOTIFY_FD_LINK);
        if (src < 0) throw new SeccompException("linux.seccomp: the container process " + stagePid + " has no seccomp notify fd");
        int fd;
        try {
            fd = FdPassing.takeFd(stagePid, src);
        } catch (SysException e) {
            throw new SeccompException("linux.seccomp: taking the notify fd: " + e.getMessage(), e);
        }
        try {
            FdPassing.sendFd(s.listenerPath(), msg, fd);
        } catch (SysException e) {
            throw new SeccompException("linux.seccomp.listenerPath: sending the notify fd to the seccomp agent: "
                    + e.getMessage(), e);
        } finally {
            FdPassing.close(fd);
        }
    }

    /** The ContainerProcessState JSON sent with the fd. */
    static byte[] message(long processPid, String metadata, String stateJson) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ociVersion", OciVersion.CURRENT);
        o.put("fds", List.of(Seccomp.SECCOMP_FD_NAME));
        o.put("pid", processPid);
        if (metadata != null && !metadata.isEmpty()) o.put("metadata", metadata);
        o.put("state", RecordJson.read(stateJson.getBytes(StandardCharsets.UTF_8), Object.class));
        return Json.toBytes(o);
    }
}
