package io.capsa.spec;

import java.util.List;
import java.util.Map;

/** The {@code linux} object. */
public record Linux(
        List<LinuxIdMapping> uidMappings,
        List<LinuxIdMapping> gidMappings,
        Map<String, String> sysctl,
        LinuxResources resources,
        String cgroupsPath,
        List<LinuxNamespace> namespaces,
        List<LinuxDevice> devices,
        LinuxSeccomp seccomp,
        String rootfsPropagation,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String mountLabel,
        LinuxIntelRdt intelRdt,
        LinuxPersonality personality,
        Map<String, LinuxTimeOffset> timeOffsets,
        Map<String, LinuxNetDevice> netDevices) {
}
