package io.capsa.plan;

/** config.json asks for something that cannot be planned; the message starts with the field's path. */
public final class PlanException extends RuntimeException {
    public PlanException(String message) { super(message); }
}
