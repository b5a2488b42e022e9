package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code process.ioPriority}. The JSON key "class" is a Java keyword, so the component is {@code ioClass}
 * (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE); priority 0..7.
 */
public record IOPriority(@JsonProperty("class") String ioClass, Integer priority) {
}
