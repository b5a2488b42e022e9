package io.capsa.cgroup;

/**
 * A cgroup operation failed. The message names the spec field (when there is one) and the cgroup
 * file, e.g. {@code linux.resources.memory.limit: writing 1000 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes:
 * Device or resource busy}.
 */
public class CgroupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
