package io.capsa.spec;

import java.util.List;

/** {@code process.scheduler} (sched_setattr(2)): policy SCHED_*, flags SCHED_FLAG_*, times in ns (uint64). */
public record Scheduler(
        String policy,
        Integer nice,
        Integer priority,
        List<String> flags,
        @UInt.U64 Long runtime,
        @UInt.U64 Long deadline,
        @UInt.U64 Long period) {
}
