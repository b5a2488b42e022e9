package io.capsa.plan;

import io.capsa.spec.LinuxDevice;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxResources;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The device cgroup rules a container really gets, as runc's spec conversion makes them: deny all, the config's
 * linux.resources.devices, then the devices every container may use (appended, so they win over the config's).
 *
 * <p>linux.devices only makes device nodes: it adds no cgroup rule (runc neither), so a node's access is what
 * linux.resources.devices says. Docker's {@code --device /dev/x:/dev/y:r} puts the node in linux.devices and
 * {@code allow c MAJ:MIN r} in the rules: writing it fails with EPERM. A default device whose path linux.devices
 * also names (e.g. /dev/null) loses its default rule, as in runc (the config's entry takes its place).
 */
public final class DeviceRules {
    private DeviceRules() {}

    /** A default rule, with the path of the node it is for (null: not one node). */
    private record Default(String path, LinuxDeviceCgroup rule) {}

    /** runc's AllowedDevices (libcontainer/specconv), with /dev/console (5:1) besides. */
    private static final List<Default> ALWAYS = List.of(
            rule(null, "c", null, null, "m"), rule(null, "b", null, null, "m"), // mknod of any device (access still checked)
            rule("/dev/null", "c", 1L, 3L, "rwm"), rule("/dev/zero", "c", 1L, 5L, "rwm"), rule("/dev/full", "c", 1L, 7L, "rwm"),
            rule("/dev/random", "c", 1L, 8L, "rwm"), rule("/dev/urandom", "c", 1L, 9L, "rwm"),
            rule("/dev/tty", "c", 5L, 0L, "rwm"), rule(null, "c", 5L, 1L, "rwm"), rule(null, "c", 5L, 2L, "rwm"), // console, ptmx
            rule(null, "c", 136L, null, "rwm"), // /dev/pts/*
            rule(null, "c", 10L, 200L, "rwm")); // /dev/net/tun

    private static Default rule(String path, String type, Long major, Long minor, String access) {
        return new Default(path, new LinuxDeviceCgroup(true, type, major, minor, access));
    }

    /** {@code r} (may be null) with the device rules completed; {@code devices} is linux.devices (may be null). */
    public static LinuxResources complete(LinuxResources r, List<LinuxDevice> devices) {
        Set<String> nodes = new HashSet<>();
        if (devices != null) for (LinuxDevice d : devices) if (d.path() != null) nodes.add(d.path());
        List<LinuxDeviceCgroup> rules = new ArrayList<>();
        rules.add(new LinuxDeviceCgroup(false, "a", null, null, "rwm"));
        if (r != null && r.devices() != null) rules.addAll(r.devices());
        for (Default d : ALWAYS) if (d.path() == null || !nodes.contains(d.path())) rules.add(d.rule());
        if (r == null) return new LinuxResources(rules, null, null, null, null, null, null, null, null);
        return new LinuxResources(rules, r.memory(), r.cpu(), r.pids(), r.blockIO(), r.hugepageLimits(), r.network(),
                r.rdma(), r.unified());
    }
}
