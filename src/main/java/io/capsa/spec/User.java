package io.capsa.spec;

import java.util.List;

/** {@code process.user}: uid/gid/additionalGids are uint32 in the spec, umask is uint32 (kept as Integer). */
public record User(
        @UInt.U32 Long uid,
        @UInt.U32 Long gid,
        Integer umask,
        @UInt.U32List List<Long> additionalGids,
        String username) {
}
