package io.capsa.cgroup.v1;

import io.capsa.cgroup.CgroupException;
import io.capsa.cgroup.CgroupFiles;
import io.capsa.cgroup.Stats;
import io.capsa.spec.LinuxBlockIO;
import io.capsa.spec.LinuxWeightDevice;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.capsa.cgroup.ResourceValues.dev;
import static io.capsa.cgroup.ResourceValues.notEmpty;
import static io.capsa.cgroup.ResourceValues.nz;
import static io.capsa.cgroup.ResourceValues.throttle;

/**
 * The v1 blkio controller. Weights go to the CFQ files (blkio.weight, blkio.weight_device) where the
 * kernel still has them, else to BFQ's (blkio.bfq.weight, blkio.bfq.weight_device), as runc does.
 */
final class BlkioV1 {
    static final String F = "linux.resources.blockIO.";

    private BlkioV1() {
    }

    static boolean isSet(LinuxBlockIO b) {
        return b != null && (nz(b.weight()) || nz(b.leafWeight()) || notEmpty(b.weightDevice())
                || notEmpty(b.throttleReadBpsDevice()) || notEmpty(b.throttleWriteBpsDevice())
                || notEmpty(b.throttleReadIOPSDevice()) || notEmpty(b.throttleWriteIOPSDevice()));
    }

    static void apply(Path dir, LinuxBlockIO b) {
        if (b == null) {
            return;
        }
        boolean cfq = Files.exists(dir.resolve("blkio.weight"));
        String weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        String weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (nz(b.weight())) {
            CgroupFiles.write(F + "weight", need(dir, weightFile, "weight"), b.weight().toString());
        }
        if (nz(b.leafWeight())) {
            CgroupFiles.write(F + "leafWeight", need(dir, "blkio.leaf_weight", "leafWeight"), b.leafWeight().toString());
        }
        List<LinuxWeightDevice> wd = b.weightDevice() == null ? List.of() : b.weightDevice();
        for (int i = 0; i < wd.size(); i++) {
            LinuxWeightDevice d = wd.get(i);
            String field = F + "weightDevice[" + i + "]";
            if (nz(d.weight())) {
                CgroupFiles.write(field + ".weight", need(dir, weightDeviceFile, "weightDevice[" + i + "].weight"),
                        dev(d.major(), d.minor(), field) + " " + d.weight());
            }
            if (nz(d.leafWeight())) {
                CgroupFiles.write(field + ".leafWeight", need(dir, "blkio.leaf_weight_device",
                        "weightDevice[" + i + "].leafWeight"), dev(d.major(), d.minor(), field) + " " + d.leafWeight());
            }
        }
        throttle(dir.resolve("blkio.throttle.read_bps_device"), b.throttleReadBpsDevice(), "throttleReadBpsDevice", null);
        throttle(dir.resolve("blkio.throttle.write_bps_device"), b.throttleWriteBpsDevice(), "throttleWriteBpsDevice", null);
        throttle(dir.resolve("blkio.throttle.read_iops_device"), b.throttleReadIOPSDevice(), "throttleReadIOPSDevice", null);
        throttle(dir.resolve("blkio.throttle.write_iops_device"), b.throttleWriteIOPSDevice(), "throttleWriteIOPSDevice", null);
    }

    private static Path need(Path dir, String file, String field) {
        Path p = dir.resolve(file);
        if (!Files.exists(p)) {
            throw new CgroupException(F + field + ": " + p + " does not exist (the kernel's I/O scheduler has no "
                    + "weights: CFQ or BFQ is needed)");
        }
        return p;
    }

    static Stats.Blkio stats(Path dir) {
        String bytes = "blkio.throttle.io_service_bytes_recursive";
        String ios = "blkio.throttle.io_serviced_recursive";
        if (Files.exists(dir.resolve("blkio.io_service_bytes_recursive"))) {
            bytes = "blkio.io_service_bytes_recursive";
            ios = "blkio.io_serviced_recursive";
        }
        return Stats.Blkio.of(entries(dir.resolve(bytes)), entries(dir.resolve(ios)));
    }

    /** Lines "8:0 Read 4096"; "Total n" lines are skipped. */
    static List<Stats.BlkioEntry> entries(Path file) {
        List<Stats.BlkioEntry> out = new ArrayList<>();
        String s = CgroupFiles.readOrNull(file);
        if (s == null) {
            return out;
        }
        for (String line : s.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length != 3) {
                continue;
            }
            String[] mm = f[0].split(":");
            if (mm.length != 2) {
                continue;
            }
            try {
                out.add(new Stats.BlkioEntry(Long.parseLong(mm[0]), Long.parseLong(mm[1]), f[1], Long.parseLong(f[2])));
            } catch (NumberFormatException ignored) {
                // not an entry
            }
        }
        return out;
    }
}
