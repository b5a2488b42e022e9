package io.capsa.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Linux capabilities known to Capsa, with their kernel numbers (linux/capability.h). */
public enum Capability {
    CAP_CHOWN(0),
    CAP_DAC_OVERRIDE(1),
    CAP_DAC_READ_SEARCH(2),
    CAP_FOWNER(3),
    CAP_FSETID(4),
    CAP_KILL(5),
    CAP_SETGID(6),
    CAP_SETUID(7),
    CAP_SETPCAP(8),
    CAP_LINUX_IMMUTABLE(9),
    CAP_NET_BIND_SERVICE(10),
    CAP_NET_BROADCAST(11),
    CAP_NET_ADMIN(12),
    CAP_NET_RAW(13),
    CAP_IPC_LOCK(14),
    CAP_IPC_OWNER(15),
    CAP_SYS_MODULE(16),
    CAP_SYS_RAWIO(17),
    CAP_SYS_CHROOT(18),
    CAP_SYS_PTRACE(19),
    CAP_SYS_PACCT(20),
    CAP_SYS_ADMIN(21),
    CAP_SYS_BOOT(22),
    CAP_SYS_NICE(23),
    CAP_SYS_RESOURCE(24),
    CAP_SYS_TIME(25),
    CAP_SYS_TTY_CONFIG(26),
    CAP_MKNOD(27),
    CAP_LEASE(28),
    CAP_AUDIT_WRITE(29),
    CAP_AUDIT_CONTROL(30),
    CAP_SETFCAP(31),
    CAP_MAC_OVERRIDE(32),
    CAP_MAC_ADMIN(33),
    CAP_SYSLOG(34),
    CAP_WAKE_ALARM(35),
    CAP_BLOCK_SUSPEND(36),
    CAP_AUDIT_READ(37),
    CAP_PERFMON(38),
    CAP_BPF(39),
    CAP_CHECKPOINT_RESTORE(40);

    /** Highest capability number known here (CAP_LAST_CAP of the kernel may be lower or higher). */
    public static final int LAST = 40;

    private static final Map<String, Capability> BY_NAME = new HashMap<>();
    /** All names in number order (what {@code features} reports). */
    public static final List<String> NAMES;

    static {
        List<String> names = new ArrayList<>();
        for (Capability c : values()) {
            BY_NAME.put(c.name(), c);
            names.add(c.name());
        }
        NAMES = Collections.unmodifiableList(names);
    }

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** Kernel capability number (bit index in the capability sets). */
    public int number() {
        return number;
    }

    /** Bit mask of this capability in a 64-bit capability set. */
    public long mask() {
        return 1L << number;
    }

    /** The capability named {@code name} (e.g. "CAP_KILL"), or null if unknown. */
    public static Capability byName(String name) {
        return BY_NAME.get(name);
    }

    /** 64-bit set of the named capabilities; unknown names throw IllegalArgumentException. */
    public static long maskOf(List<String> names) {
        long m = 0;
        if (names != null) {
            for (String n : names) {
                Capability c = byName(n);
                if (c == null) {
                    throw new IllegalArgumentException("unknown capability " + n);
                }
                m |= c.mask();
            }
        }
        return m;
    }
}
