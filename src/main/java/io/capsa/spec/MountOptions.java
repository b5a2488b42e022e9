package io.capsa.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mount options of {@code mounts[].options}, as runc interprets them (libcontainer/specconv): each known
 * option is a mount(2) flag to set or clear, a propagation change, a recursive mount_setattr(2) attribute to set
 * or clear, or a runtime extension; everything else is filesystem data, joined with "," into mount(2)'s data.
 *
 * <p>Use {@link #parse(List)} to turn a list of options into flags exactly as runc does, including its quirks
 * (later options override earlier ones; {@code rnorelatime} is a no-op because MOUNT_ATTR_RELATIME is 0).
 */
public final class MountOptions {
    private MountOptions() {
    }

    // mount(2) flags (linux/mount.h)
    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_MANDLOCK = 64;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOSYMFOLLOW = 256;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_MOVE = 8192;
    public static final long MS_REC = 16384;
    public static final long MS_SILENT = 32768;
    public static final long MS_POSIXACL = 1 << 16;
    public static final long MS_UNBINDABLE = 1 << 17;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_SHARED = 1 << 20;
    public static final long MS_RELATIME = 1 << 21;
    public static final long MS_I_VERSION = 1 << 23;
    public static final long MS_STRICTATIME = 1 << 24;
    public static final long MS_LAZYTIME = 1 << 25;

    // mount_setattr(2) attributes (linux/mount.h)
    public static final long MOUNT_ATTR_RDONLY = 0x00000001;
    public static final long MOUNT_ATTR_NOSUID = 0x00000002;
    public static final long MOUNT_ATTR_NODEV = 0x00000004;
    public static final long MOUNT_ATTR_NOEXEC = 0x00000008;
    /** Mask of the access-time setting (an enum inside the bits, not independent flags). */
    public static final long MOUNT_ATTR__ATIME = 0x00000070;
    public static final long MOUNT_ATTR_RELATIME = 0x00000000;
    public static final long MOUNT_ATTR_NOATIME = 0x00000010;
    public static final long MOUNT_ATTR_STRICTATIME = 0x00000020;
    public static final long MOUNT_ATTR_NODIRATIME = 0x00000080;
    public static final long MOUNT_ATTR_IDMAP = 0x00100000;
    public static final long MOUNT_ATTR_NOSYMFOLLOW = 0x00200000;
    /** mount_setattr(2) flag: apply to the whole subtree. */
    public static final int AT_RECURSIVE = 0x8000;

    /** What an option does. */
    public enum Kind {
        /** A mount(2) flag: {@code flag} bits set, or cleared if {@code clear}. */
        FLAG,
        /** A propagation change applied after mounting: {@code flag} = MS_PRIVATE/SLAVE/SHARED/UNBINDABLE [|MS_REC]. */
        PROPAGATION,
        /** A recursive mount_setattr(2) attribute: {@code flag} = MOUNT_ATTR_* to set, or clear if {@code clear}. */
        RECURSIVE_ATTR,
        /** A runtime extension (tmpcopyup: copy the destination's former content into the new tmpfs). */
        EXTENSION,
        /** An id-mapped mount request (idmap, ridmap); Capsa does not support id-mapped mounts yet. */
        IDMAP
    }

    /** One known option. {@code flag} is 0 for "defaults" (a no-op), EXTENSION and IDMAP. */
    public record Option(String name, Kind kind, boolean clear, long flag) {
    }

    private static final Map<String, Option> TABLE;

    static {
        Map<String, Option> t = new LinkedHashMap<>();
        // mount(2) flags
        flag(t, "async", true, MS_SYNCHRONOUS);
        flag(t, "atime", true, MS_NOATIME);
        flag(t, "bind", false, MS_BIND);
        flag(t, "defaults", false, 0);
        flag(t, "dev", true, MS_NODEV);
        flag(t, "diratime", true, MS_NODIRATIME);
        flag(t, "dirsync", false, MS_DIRSYNC);
        flag(t, "exec", true, MS_NOEXEC);
        flag(t, "iversion", false, MS_I_VERSION);
        flag(t, "lazytime", false, MS_LAZYTIME);
        flag(t, "loud", true, MS_SILENT);
        flag(t, "mand", false, MS_MANDLOCK);
        flag(t, "noatime", false, MS_NOATIME);
        flag(t, "nodev", false, MS_NODEV);
        flag(t, "nodiratime", false, MS_NODIRATIME);
        flag(t, "noexec", false, MS_NOEXEC);
        flag(t, "noiversion", true, MS_I_VERSION);
        flag(t, "nolazytime", true, MS_LAZYTIME);
        flag(t, "nomand", true, MS_MANDLOCK);
        flag(t, "norelatime", true, MS_RELATIME);
        flag(t, "nostrictatime", true, MS_STRICTATIME);
        flag(t, "nosuid", false, MS_NOSUID);
        flag(t, "nosymfollow", false, MS_NOSYMFOLLOW);
        flag(t, "rbind", false, MS_BIND | MS_REC);
        flag(t, "relatime", false, MS_RELATIME);
        flag(t, "remount", false, MS_REMOUNT);
        flag(t, "ro", false, MS_RDONLY);
        flag(t, "rw", true, MS_RDONLY);
        flag(t, "silent", false, MS_SILENT);
        flag(t, "strictatime", false, MS_STRICTATIME);
        flag(t, "suid", true, MS_NOSUID);
        flag(t, "sync", false, MS_SYNCHRONOUS);
        flag(t, "symfollow", true, MS_NOSYMFOLLOW);
        // propagation
        prop(t, "rprivate", MS_PRIVATE | MS_REC);
        prop(t, "private", MS_PRIVATE);
        prop(t, "rslave", MS_SLAVE | MS_REC);
        prop(t, "slave", MS_SLAVE);
        prop(t, "rshared", MS_SHARED | MS_REC);
        prop(t, "shared", MS_SHARED);
        prop(t, "runbindable", MS_UNBINDABLE | MS_REC);
        prop(t, "unbindable", MS_UNBINDABLE);
        // recursive attributes (mount_setattr with AT_RECURSIVE)
        attr(t, "rro", false, MOUNT_ATTR_RDONLY);
        attr(t, "rrw", true, MOUNT_ATTR_RDONLY);
        attr(t, "rnosuid", false, MOUNT_ATTR_NOSUID);
        attr(t, "rsuid", true, MOUNT_ATTR_NOSUID);
        attr(t, "rnodev", false, MOUNT_ATTR_NODEV);
        attr(t, "rdev", true, MOUNT_ATTR_NODEV);
        attr(t, "rnoexec", false, MOUNT_ATTR_NOEXEC);
        attr(t, "rexec", true, MOUNT_ATTR_NOEXEC);
        attr(t, "rnodiratime", false, MOUNT_ATTR_NODIRATIME);
        attr(t, "rdiratime", true, MOUNT_ATTR_NODIRATIME);
        attr(t, "rrelatime", false, MOUNT_ATTR_RELATIME);
        attr(t, "rnorelatime", true, MOUNT_ATTR_RELATIME);
        attr(t, "rnoatime", false, MOUNT_ATTR_NOATIME);
        attr(t, "ratime", true, MOUNT_ATTR_NOATIME);
        attr(t, "rstrictatime", false, MOUNT_ATTR_STRICTATIME);
        attr(t, "rnostrictatime", true, MOUNT_ATTR_STRICTATIME);
        attr(t, "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW);
        attr(t, "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW);
        // extensions
        t.put("tmpcopyup", new Option("tmpcopyup", Kind.EXTENSION, false, 0));
        t.put("idmap", new Option("idmap", Kind.IDMAP, false, 0));
        t.put("ridmap", new Option("ridmap", Kind.IDMAP, false, 0));
        TABLE = Collections.unmodifiableMap(t);
    }

    private static void flag(Map<String, Option> t, String name, boolean clear, long flag) {
        t.put(name, new Option(name, Kind.FLAG, clear, flag));
    }

    private static void prop(Map<String, Option> t, String name, long flag) {
        t.put(name, new Option(name, Kind.PROPAGATION, false, flag));
    }

    private static void attr(Map<String, Option> t, String name, boolean clear, long flag) {
        t.put(name, new Option(name, Kind.RECURSIVE_ATTR, clear, flag));
    }

    /** The whole table, in a fixed order. */
    public static Map<String, Option> table() {
        return TABLE;
    }

    /** The known option {@code name}, or null if it is filesystem data. */
    public static Option lookup(String name) {
        return TABLE.get(name);
    }

    /** Propagation value for {@code linux.rootfsPropagation} (e.g. "rslave" -> MS_SLAVE|MS_REC), or -1 if unknown. */
    public static long propagation(String name) {
        Option o = TABLE.get(name);
        return o != null && o.kind() == Kind.PROPAGATION ? o.flag() : -1;
    }

    /** The options {@code features} reports: all known ones except idmap/ridmap, sorted. */
    public static List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (Option o : TABLE.values()) {
            if (o.kind() != Kind.IDMAP) {
                names.add(o.name());
            }
        }
        Collections.sort(names);
        return List.copyOf(names);
    }

    /**
     * The result of interpreting a mount's options.
     *
     * @param flags        mount(2) flags to use
     * @param clearedFlags flags explicitly cleared (e.g. "rw" clears MS_RDONLY); matters for bind remounts, which
     *                     should keep the source's flags except those explicitly cleared
     * @param propagation  propagation changes, in option order
     * @param attrSet      mount_setattr attr_set (apply recursively when attrSet or attrClr is non-zero)
     * @param attrClr      mount_setattr attr_clr
     * @param tmpcopyup    whether "tmpcopyup" was given
     * @param idmap        null, "idmap" or "ridmap" (last one given)
     * @param data         filesystem-specific data (unknown options joined with ","), "" if none
     */
    public record Parsed(long flags, long clearedFlags, List<Long> propagation, long attrSet, long attrClr,
                         boolean tmpcopyup, String idmap, String data) {
        /** Whether MS_BIND is set. */
        public boolean isBind() {
            return (flags & MS_BIND) != 0;
        }

        /** Whether a recursive mount_setattr is needed. */
        public boolean hasRecursiveAttr() {
            return attrSet != 0 || attrClr != 0;
        }
    }

    /** Interprets mount options exactly like runc's parseMountOptions. A null list is treated as empty. */
    public static Parsed parse(List<String> options) {
        long flags = 0;
        long cleared = 0;
        long attrSet = 0;
        long attrClr = 0;
        boolean copyup = false;
        String idmap = null;
        List<Long> propagation = new ArrayList<>();
        List<String> data = new ArrayList<>();
        if (options != null) {
            for (String o : options) {
                Option opt = o == null ? null : TABLE.get(o);
                if (opt == null) {
                    if (o != null) {
                        data.add(o);
                    }
                    continue;
                }
                switch (opt.kind()) {
                    case FLAG -> {
                        if (opt.clear()) {
                            flags &= ~opt.flag();
                            cleared |= opt.flag();
                        } else {
                            flags |= opt.flag();
                            cleared &= ~opt.flag();
                        }
                    }
                    case PROPAGATION -> propagation.add(opt.flag());
                    case RECURSIVE_ATTR -> {
                        if (opt.clear()) {
                            attrClr |= opt.flag();
                            attrSet &= ~opt.flag();
                        } else {
                            attrSet |= opt.flag();
                            attrClr &= ~opt.flag();
                            if ((opt.flag() & MOUNT_ATTR__ATIME) == opt.flag()) {
                                // mount_setattr(2): an access-time setting in attr_set needs MOUNT_ATTR__ATIME in attr_clr
                                attrClr |= MOUNT_ATTR__ATIME;
                            }
                        }
                    }
                    case EXTENSION -> copyup = true;
                    case IDMAP -> idmap = opt.name();
                }
            }
        }
        return new Parsed(flags, cleared, List.copyOf(propagation), attrSet, attrClr, copyup, idmap,
                String.join(",", data));
    }
}
