package io.capsa.spec;

import java.util.List;

/** {@code linux.resources.network}: classID uint32. */
public record LinuxNetwork(@UInt.U32 Long classID, List<LinuxInterfacePriority> priorities) {
}
