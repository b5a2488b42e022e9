package io.capsa.cgroup;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.capsa.spec.UInt;

import java.util.List;
import java.util.Map;

/**
 * A container's resource usage, shaped as runc's {@code events --stats} JSON ("data" of an event of
 * type "stats"): component names are the JSON keys, and the fields runc marks omitempty are left out
 * when zero or empty. Times are nanoseconds, sizes bytes. Same shape on cgroup v1 and v2. Written with
 * {@link io.capsa.spec.Json} (which honours these annotations without loading jackson-databind).
 */
public record Stats(Cpu cpu, Memory memory, Pids pids, Blkio blkio, Map<String, Hugetlb> hugetlb) {

    public record Cpu(CpuUsage usage, Throttling throttling) {
    }

    public record CpuUsage(
            @JsonInclude(Include.NON_DEFAULT) long total,
            @JsonInclude(Include.NON_EMPTY) List<Long> percpu,
            @JsonProperty("percpu_kernel") @JsonInclude(Include.NON_EMPTY) List<Long> percpuKernel,
            @JsonProperty("percpu_user") @JsonInclude(Include.NON_EMPTY) List<Long> percpuUser,
            long kernel,
            long user) {
    }

    public record Throttling(
            @JsonInclude(Include.NON_DEFAULT) long periods,
            @JsonInclude(Include.NON_DEFAULT) long throttledPeriods,
            @JsonInclude(Include.NON_DEFAULT) long throttledTime) {
    }

    public record Memory(
            @JsonInclude(Include.NON_DEFAULT) long cache,
            MemoryEntry usage,
            MemoryEntry swap,
            MemoryEntry kernel,
            MemoryEntry kernelTCP,
            @JsonInclude(Include.NON_EMPTY) Map<String, Long> raw) {
    }

    /** limit, usage and max are bytes; a limit of "max" is reported as 2^64-1 like runc (as unsigned). */
    public record MemoryEntry(
            @UInt.U64 long limit,
            @JsonInclude(Include.NON_DEFAULT) long usage,
            @JsonInclude(Include.NON_DEFAULT) long max,
            long failcnt) {
        static final MemoryEntry EMPTY = new MemoryEntry(0, 0, 0, 0);
    }

    public record Pids(
            @JsonInclude(Include.NON_DEFAULT) long current,
            @JsonInclude(Include.NON_DEFAULT) long limit) {
    }

    public record Blkio(
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioServiceBytesRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioServicedRecursive,
            @JsonProperty("ioQueueRecursive") @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioQueuedRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioServiceTimeRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioWaitTimeRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioMergedRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> ioTimeRecursive,
            @JsonInclude(Include.NON_EMPTY) List<BlkioEntry> sectorsRecursive) {
        public static Blkio of(List<BlkioEntry> bytes, List<BlkioEntry> ios) {
            return new Blkio(bytes, ios, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }

    public record BlkioEntry(
            @JsonInclude(Include.NON_DEFAULT) long major,
            @JsonInclude(Include.NON_DEFAULT) long minor,
            @JsonInclude(Include.NON_EMPTY) String op,
            @JsonInclude(Include.NON_DEFAULT) long value) {
    }

    public record Hugetlb(
            @JsonInclude(Include.NON_DEFAULT) long usage,
            @JsonInclude(Include.NON_DEFAULT) long max,
            long failcnt) {
    }
}
