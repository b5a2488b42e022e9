package io.capsa.spec;

/** {@code linux.netDevices.<host interface name>}: name is the name inside the container (absent = same). */
public record LinuxNetDevice(String name) {
}
