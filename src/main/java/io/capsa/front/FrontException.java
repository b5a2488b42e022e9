package io.capsa.front;

/** A front-end failure with a message for the user (Docker's wording where Docker has one). */
public class FrontException extends RuntimeException {
    /** The exit status the command ends with (125: the command itself failed, as docker run). */
    private final int exitCode;

    public FrontException(String message) {
        this(message, 125);
    }

    public FrontException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public FrontException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = 125;
    }

    public int exitCode() {
        return exitCode;
    }
}
