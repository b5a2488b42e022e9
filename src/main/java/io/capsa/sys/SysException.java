package io.capsa.sys;

/** A system call failed: which one, and its errno. */
public final class SysException extends RuntimeException {
    private final int errno;

    public SysException(String what, int errno) {
        super(what + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public int errno() { return errno; }
}
