package io.capsa.spec;

/** {@code linux.resources.rdma.<device>}: uint32 limits. */
public record LinuxRdma(@UInt.U32 Long hcaHandles, @UInt.U32 Long hcaObjects) {
}
