package io.capsa.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which Linux security modules this host has enabled (what runc's apparmor and selinux packages check). */
public final class Lsm {
    private Lsm() {}

    /** AppArmor is enabled: the module says Y and its filesystem is there. */
    public static boolean apparmorEnabled() {
        try {
            return Files.readString(Path.of("/sys/module/apparmor/parameters/enabled")).startsWith("Y")
                    && Files.isDirectory(Path.of("/sys/kernel/security/apparmor"));
        } catch (IOException e) {
            return false;
        }
    }

    /** SELinux is enabled: selinuxfs is mounted. */
    public static boolean selinuxEnabled() {
        return Files.exists(Path.of("/sys/fs/selinux/enforce"));
    }

    /** Where a process sets the AppArmor profile of its next exec (the LSM-specific file on newer kernels). */
    public static String apparmorExecAttr() {
        return Files.exists(Path.of("/proc/self/attr/apparmor/exec")) ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec";
    }
}
