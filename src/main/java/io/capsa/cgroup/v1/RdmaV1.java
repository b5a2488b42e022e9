package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupFiles;
import io.capsa.spec.LinuxRdma;

import java.nio.file.Path;
import java.util.Map;

/** The rdma controller (the same rdma.max file on v1 and v2). */
public final class RdmaV1 {
    private RdmaV1() {
    }

    static boolean isSet(Map<String, LinuxRdma> rdma) {
        return rdma != null && !rdma.isEmpty();
    }

    /** "mlx4_0 hca_handle=2 hca_object=2000" per device; unset limits are left alone. */
    public static void apply(Path dir, Map<String, LinuxRdma> rdma) {
        if (!isSet(rdma)) {
            return;
        }
        for (Map.Entry<String, LinuxRdma> e : rdma.entrySet()) {
            LinuxRdma l = e.getValue();
            StringBuilder line = new StringBuilder(e.getKey());
            if (l != null && l.hcaHandles() != null) {
                line.append(" hca_handle=").append(l.hcaHandles());
            }
            if (l != null && l.hcaObjects() != null) {
                line.append(" hca_object=").append(l.hcaObjects());
            }
            if (line.length() == e.getKey().length()) {
                continue;
            }
            CgroupFiles.write("linux.resources.rdma." + e.getKey(), dir.resolve("rdma.max"), line.toString());
        }
    }
}
