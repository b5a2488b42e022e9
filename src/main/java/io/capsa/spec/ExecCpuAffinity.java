package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code process.execCPUAffinity}: CPU lists ("0-3,7") for the runtime while joining the container
 * ({@code initial}) and for the process once it runs ({@code final}, a Java keyword, hence {@code finalCpus}).
 */
public record ExecCpuAffinity(String initial, @JsonProperty("final") String finalCpus) {
}
