package io.capsa.spec;

import java.util.List;

/** The OCI namespace types with their clone(2) flags and /proc/PID/ns entry names. */
public enum Namespaces {
    CGROUP("cgroup", 0x02000000, "cgroup"),
    IPC("ipc", 0x08000000, "ipc"),
    MOUNT("mount", 0x00020000, "mnt"),
    NETWORK("network", 0x40000000, "net"),
    PID("pid", 0x20000000, "pid"),
    TIME("time", 0x00000080, "time"),
    USER("user", 0x10000000, "user"),
    UTS("uts", 0x04000000, "uts");

    public static final int CLONE_NEWCGROUP = 0x02000000;
    public static final int CLONE_NEWIPC = 0x08000000;
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int CLONE_NEWPID = 0x20000000;
    public static final int CLONE_NEWTIME = 0x00000080;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final int CLONE_NEWUTS = 0x04000000;

    /** OCI type names, sorted (what {@code features} reports). */
    public static final List<String> TYPES =
            List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts");

    private final String type;
    private final int cloneFlag;
    private final String procName;

    Namespaces(String type, int cloneFlag, String procName) {
        this.type = type;
        this.cloneFlag = cloneFlag;
        this.procName = procName;
    }

    /** OCI name, e.g. "network". */
    public String type() {
        return type;
    }

    /** CLONE_NEW* flag (also the setns(2) nstype). */
    public int cloneFlag() {
        return cloneFlag;
    }

    /** Name under /proc/PID/ns, e.g. "net". */
    public String procName() {
        return procName;
    }

    /** The namespace for an OCI type name, or null if unknown. */
    public static Namespaces ofType(String type) {
        if (type == null) {
            return null;
        }
        for (Namespaces n : values()) {
            if (n.type.equals(type)) {
                return n;
            }
        }
        return null;
    }

    /** The entry of {@code spec.linux.namespaces} of this type, or null. */
    public LinuxNamespace find(Spec spec) {
        if (spec == null || spec.linux() == null || spec.linux().namespaces() == null) {
            return null;
        }
        for (LinuxNamespace ns : spec.linux().namespaces()) {
            if (ns != null && type.equals(ns.type())) {
                return ns;
            }
        }
        return null;
    }

    /** Whether the spec lists this namespace (new or joined by path). */
    public boolean in(Spec spec) {
        return find(spec) != null;
    }

    /** Whether the spec asks for a new namespace of this type (listed without a path). */
    public boolean isNewIn(Spec spec) {
        LinuxNamespace ns = find(spec);
        return ns != null && (ns.path() == null || ns.path().isEmpty());
    }
}
