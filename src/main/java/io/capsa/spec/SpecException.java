package io.capsa.spec;

/**
 * A bad bundle or config.json. The message names the file and/or the JSON path of the offending field, e.g.
 * {@code config.json: process.args: expected an array of strings} or {@code root.path: /b/rootfs does not exist}.
 */
public class SpecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpecException(String message) {
        super(message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
