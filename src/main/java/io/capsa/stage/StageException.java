package io.capsa.stage;

import io.capsa.sys.Errno;

/** A step of the native stage failed: which op (its label names the config.json field), which call, which errno. */
public final class StageException extends RuntimeException {
    private final String label;
    private final String step;
    private final int errno;

    public StageException(String label, String step, int errno, String detail) {
        super(format(label, step, errno, detail));
        this.label = label;
        this.step = step;
        this.errno = errno;
    }

    private static String format(String label, String step, int errno, String detail) {
        StringBuilder sb = new StringBuilder();
        if (!label.isEmpty()) sb.append(label).append(": ");
        sb.append(step);
        if (detail != null && !detail.isEmpty()) sb.append(' ').append(detail);
        // runc's (Go's) lower-case errno texts: engines match them (see Errno.describeGo)
        if (errno != 0) sb.append(": ").append(Errno.describeGo(errno));
        return sb.toString();
    }

    public String label() { return label; }

    public String step() { return step; }

    public int errno() { return errno; }
}
