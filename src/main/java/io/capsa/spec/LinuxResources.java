package io.capsa.spec;

import java.util.List;
import java.util.Map;

/** {@code linux.resources} (also the JSON given to {@code runc update -r}). */
public record LinuxResources(
        List<LinuxDeviceCgroup> devices,
        LinuxMemory memory,
        LinuxCpu cpu,
        LinuxPids pids,
        LinuxBlockIO blockIO,
        List<LinuxHugepageLimit> hugepageLimits,
        LinuxNetwork network,
        Map<String, LinuxRdma> rdma,
        Map<String, String> unified) {
}
