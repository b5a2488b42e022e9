package io.capsa.cgroup;

import io.capsa.spec.LinuxDeviceCgroup;

import java.util.ArrayList;
import java.util.List;

/**
 * One validated {@code linux.resources.devices[]} rule. Later rules override earlier ones (the last
 * matching rule decides), on v1 (devices.allow/deny) and in the v2 eBPF program alike.
 *
 * @param type   'a' (all), 'c' or 'b'
 * @param major  -1 for any
 * @param minor  -1 for any
 * @param access a non-empty subset of "rwm", in that order
 */
public record DeviceRule(boolean allow, char type, long major, long minor, String access) {

    /** Validates and normalises the rules; errors name linux.resources.devices[i]. */
    public static List<DeviceRule> of(List<LinuxDeviceCgroup> list) {
        List<DeviceRule> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            LinuxDeviceCgroup d = list.get(i);
            String f = "linux.resources.devices[" + i + "]";
            String t = d.type() == null || d.type().isEmpty() ? "a" : d.type();
            if (!t.equals("a") && !t.equals("c") && !t.equals("b")) {
                throw new CgroupException(f + ".type: \"" + t + "\" is not one of a, c, b");
            }
            String acc = d.access() == null || d.access().isEmpty() ? "rwm" : d.access();
            StringBuilder norm = new StringBuilder();
            for (char c : "rwm".toCharArray()) {
                if (acc.indexOf(c) >= 0) {
                    norm.append(c);
                }
            }
            for (char c : acc.toCharArray()) {
                if ("rwm".indexOf(c) < 0) {
                    throw new CgroupException(f + ".access: \"" + acc + "\" may only contain r, w and m");
                }
            }
            long major = d.major() == null ? -1 : d.major();
            long minor = d.minor() == null ? -1 : d.minor();
            if (major < -1 || minor < -1 || major > 0xFFFF_FFFFL || minor > 0xFFFF_FFFFL) {
                throw new CgroupException(f + ": major/minor out of range");
            }
            out.add(new DeviceRule(Boolean.TRUE.equals(d.allow()), t.charAt(0), major, minor, norm.toString()));
        }
        return out;
    }

    /** Whether this rule matches every device and every access ("a *:* rwm"). */
    public boolean matchesAll() {
        return type == 'a' && access.equals("rwm");
    }

    /** The v1 devices.allow/devices.deny line: "c 1:3 rwm", "a *:* rwm". */
    public String v1Line() {
        return type + " " + (major < 0 ? "*" : Long.toString(major)) + ":" + (minor < 0 ? "*" : Long.toString(minor))
                + " " + access;
    }

    /**
     * runc's default device rules (its spec conversion appends them after linux.resources.devices; linux.devices
     * get no rule of their own): mknod of any char/block device, /dev/null,
     * zero, full, random, urandom, tty, the pts devices and /dev/ptmx.
     */
    public static List<LinuxDeviceCgroup> runcDefaults() {
        return List.of(
                new LinuxDeviceCgroup(true, "c", null, null, "m"),
                new LinuxDeviceCgroup(true, "b", null, null, "m"),
                new LinuxDeviceCgroup(true, "c", 1L, 3L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 8L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 7L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 5L, 0L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 5L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 9L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 5L, 1L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 136L, null, "rwm"),
                new LinuxDeviceCgroup(true, "c", 5L, 2L, "rwm"));
    }
}
