package io.capsa.spec;

/** {@code linux.resources.network.priorities[]}: priority uint32. */
public record LinuxInterfacePriority(String name, @UInt.U32 Long priority) {
}
