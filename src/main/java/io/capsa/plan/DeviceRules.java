package io.capsa.plan;

import io.capsa.spec.LinuxDevice;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxResources;
import java.util.ArrayList;
import java.util.List;

/**
 * The device cgroup rules a container really gets, as runc: deny all, the config's rules, the devices every
 * container may use, then an allow rule for each device of linux.devices. Later rules win.
 */
public final class DeviceRules {
    private DeviceRules() {}

    private static final List<LinuxDeviceCgroup> ALWAYS = List.of(
            rule("c", null, null, "m"), rule("b", null, null, "m"), // mknod of any device (access still checked)
            rule("c", 1L, 3L, "rwm"), rule("c", 1L, 5L, "rwm"), rule("c", 1L, 7L, "rwm"), // null, zero, full
            rule("c", 1L, 8L, "rwm"), rule("c", 1L, 9L, "rwm"), // random, urandom
            rule("c", 5L, 0L, "rwm"), rule("c", 5L, 1L, "rwm"), rule("c", 5L, 2L, "rwm"), // tty, console, ptmx
            rule("c", 136L, null, "rwm"), // /dev/pts/*
            rule("c", 10L, 200L, "rwm")); // /dev/net/tun

    private static LinuxDeviceCgroup rule(String type, Long major, Long minor, String access) {
        return new LinuxDeviceCgroup(true, type, major, minor, access);
    }

    /** {@code r} (may be null) with the device rules completed. */
    public static LinuxResources complete(LinuxResources r, List<LinuxDevice> devices) {
        // as runc: deny everything first, then the config's rules, then what every container may use
        List<LinuxDeviceCgroup> rules = new ArrayList<>();
        rules.add(new LinuxDeviceCgroup(false, "a", null, null, "rwm"));
        if (r != null && r.devices() != null) rules.addAll(r.devices());
        rules.addAll(ALWAYS);
        if (devices != null) {
            for (LinuxDevice d : devices) {
                String type = "u".equals(d.type()) ? "c" : d.type();
                if ("p".equals(type)) continue;
                rules.add(rule(type, d.major(), d.minor(), "rwm"));
            }
        }
        if (r == null) return new LinuxResources(rules, null, null, null, null, null, null, null, null);
        return new LinuxResources(rules, r.memory(), r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified());
    }
}
