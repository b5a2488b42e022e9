package io.capsa.state;

/** A state directory problem: unknown or duplicate container, unreadable state. */
public final class StateException extends RuntimeException {
    public StateException(String message) { super(message); }
}
