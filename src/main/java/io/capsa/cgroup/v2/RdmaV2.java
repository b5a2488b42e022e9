package io.capsa.cgroup.v2;

import io.capsa.cgroup.v1.RdmaV1;
import io.capsa.spec.LinuxRdma;

import java.nio.file.Path;
import java.util.Map;

/** The v2 rdma controller: rdma.max has the same format as on v1. */
final class RdmaV2 {
    private RdmaV2() {
    }

    static boolean isSet(Map<String, LinuxRdma> rdma) {
        return rdma != null && !rdma.isEmpty();
    }

    static void apply(Path dir, Map<String, LinuxRdma> rdma) {
        RdmaV1.apply(dir, rdma);
    }
}
