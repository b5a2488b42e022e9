package io.capsa.spec;

import java.util.List;

/** {@code linux.resources.blockIO}: weights are uint16 (10..1000). */
public record LinuxBlockIO(
        Integer weight,
        Integer leafWeight,
        List<LinuxWeightDevice> weightDevice,
        List<LinuxThrottleDevice> throttleReadBpsDevice,
        List<LinuxThrottleDevice> throttleWriteBpsDevice,
        List<LinuxThrottleDevice> throttleReadIOPSDevice,
        List<LinuxThrottleDevice> throttleWriteIOPSDevice) {
}
