package io.capsa.spec;

/** uid/gid mapping (uint32 each). */
public record LinuxIdMapping(@UInt.U32 Long containerID, @UInt.U32 Long hostID, @UInt.U32 Long size) {
}
