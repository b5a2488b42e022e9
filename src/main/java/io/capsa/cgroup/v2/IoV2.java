package io.capsa.cgroup.v2;

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
 * The v2 io controller. blockIO.weight goes to io.bfq.weight unchanged where BFQ is there, else to
 * io.weight converted from v1's 10..1000 to 1..10000 (runc's linear conversion); the throttles go
 * to io.max as "MAJ:MIN rbps=N" (wbps, riops, wiops). leafWeight has no v2 file and is ignored, as by runc.
 */
final class IoV2 {
    static final String F = "linux.resources.blockIO.";

    private IoV2() {
    }

    static boolean isSet(LinuxBlockIO b) {
        return b != null && (nz(b.weight()) || notEmpty(b.weightDevice()) || notEmpty(b.throttleReadBpsDevice())
                || notEmpty(b.throttleWriteBpsDevice()) || notEmpty(b.throttleReadIOPSDevice())
                || notEmpty(b.throttleWriteIOPSDevice()));
    }

    /** runc's ConvertBlkIOToIOWeightValue: [10, 1000] to [1, 10000]. */
    static long ioWeight(long blkioWeight) {
        return blkioWeight == 0 ? 0 : 1 + (blkioWeight - 10) * 9999 / 990;
    }

    static void apply(Path dir, LinuxBlockIO b) {
        boolean bfq = Files.exists(dir.resolve("io.bfq.weight"));
        if (nz(b.weight())) {
            if (bfq) {
                CgroupFiles.write(F + "weight", dir.resolve("io.bfq.weight"), b.weight().toString());
            } else {
                CgroupFiles.write(F + "weight", dir.resolve("io.weight"), "default " + ioWeight(b.weight()));
            }
        }
        List<LinuxWeightDevice> wd = b.weightDevice() == null ? List.of() : b.weightDevice();
        for (int i = 0; i < wd.size(); i++) {
            LinuxWeightDevice d = wd.get(i);
            String field = F + "weightDevice[" + i + "]";
            if (nz(d.weight())) {
                String dev = dev(d.major(), d.minor(), field);
                if (bfq) {
                    CgroupFiles.write(field + ".weight", dir.resolve("io.bfq.weight"), dev + " " + d.weight());
                } else {
                    CgroupFiles.write(field + ".weight", dir.resolve("io.weight"), dev + " " + ioWeight(d.weight()));
                }
            }
        }
        Path max = dir.resolve("io.max");
        throttle(max, b.throttleReadBpsDevice(), "throttleReadBpsDevice", "rbps");
        throttle(max, b.throttleWriteBpsDevice(), "throttleWriteBpsDevice", "wbps");
        throttle(max, b.throttleReadIOPSDevice(), "throttleReadIOPSDevice", "riops");
        throttle(max, b.throttleWriteIOPSDevice(), "throttleWriteIOPSDevice", "wiops");
    }

    /** io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" as runc's v1-shaped entries. */
    static Stats.Blkio stats(Path dir) {
        List<Stats.BlkioEntry> bytes = new ArrayList<>();
        List<Stats.BlkioEntry> ios = new ArrayList<>();
        String s = CgroupFiles.readOrNull(dir.resolve("io.stat"));
        if (s != null) {
            for (String line : s.split("\n")) {
                String[] f = line.strip().split("\\s+");
                String[] mm = f[0].split(":");
                if (mm.length != 2) {
                    continue;
                }
                long major = Long.parseLong(mm[0]);
                long minor = Long.parseLong(mm[1]);
                for (int i = 1; i < f.length; i++) {
                    String[] kv = f[i].split("=");
                    if (kv.length != 2) {
                        continue;
                    }
                    long v = Long.parseLong(kv[1]);
                    switch (kv[0]) {
                        case "rbytes" -> bytes.add(new Stats.BlkioEntry(major, minor, "Read", v));
                        case "wbytes" -> bytes.add(new Stats.BlkioEntry(major, minor, "Write", v));
                        case "rios" -> ios.add(new Stats.BlkioEntry(major, minor, "Read", v));
                        case "wios" -> ios.add(new Stats.BlkioEntry(major, minor, "Write", v));
                        default -> {
                        }
                    }
                }
            }
        }
        return Stats.Blkio.of(bytes, ios);
    }
}
