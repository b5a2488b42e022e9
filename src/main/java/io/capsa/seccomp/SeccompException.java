package io.capsa.seccomp;

/** linux.seccomp cannot be compiled or installed; the message starts with the field's path. */
public final class SeccompException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SeccompException(String message) {
        super(message);
    }

    public SeccompException(String message, Throwable cause) {
        super(message, cause);
    }
}
