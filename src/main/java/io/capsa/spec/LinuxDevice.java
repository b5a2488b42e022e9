package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** {@code linux.devices[]}: type is c, b, u or p; fileMode holds permission bits. */
@JsonPropertyOrder({"path", "type", "major", "minor", "fileMode", "uid", "gid"})
public record LinuxDevice(
        String type,
        String path,
        Long major,
        Long minor,
        Integer fileMode,
        @UInt.U32 Long uid,
        @UInt.U32 Long gid) {
}
