package io.capsa.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code features} document (runtime-spec features.md): what this runtime recognizes. {@code null} means
 * "unknown" and is not written.
 */
public record Features(
        String ociVersionMin,
        String ociVersionMax,
        List<String> hooks,
        List<String> mountOptions,
        LinuxFeatures linux,
        Map<String, String> annotations,
        List<String> potentiallyUnsafeConfigAnnotations) {

    /** Hook names, in lifecycle order. */
    public static final List<String> HOOKS = List.of("prestart", "createRuntime", "createContainer",
            "startContainer", "poststart", "poststop");

    /** Annotation naming the Capsa version. */
    public static final String ANNOTATION_VERSION = "io.capsa.version";

    /** {@code linux} of the features document. */
    public record LinuxFeatures(
            List<String> namespaces,
            List<String> capabilities,
            Cgroup cgroup,
            Seccomp seccomp,
            Enabled apparmor,
            Enabled selinux,
            IntelRdt intelRdt,
            MountExtensions mountExtensions,
            Enabled netDevices) {
    }

    /** {@code linux.cgroup}: what is compiled in, unrelated to what the host uses. */
    public record Cgroup(Boolean v1, Boolean v2, Boolean systemd, Boolean systemdUser, Boolean rdma) {
    }

    /** {@code linux.seccomp}. */
    public record Seccomp(
            Boolean enabled,
            List<String> actions,
            List<String> operators,
            List<String> archs,
            List<String> knownFlags,
            List<String> supportedFlags) {
    }

    /** {@code {"enabled": ...}} objects (apparmor, selinux, netDevices). */
    public record Enabled(Boolean enabled) {
    }

    /** {@code linux.intelRdt}. */
    public record IntelRdt(Boolean enabled, Boolean schemata) {
    }

    /** {@code linux.mountExtensions}. */
    public record MountExtensions(Enabled idmap) {
    }

    /** Capsa's features on this host (seccomp supported flags depend on the running kernel). */
    public static Features current(String capsaVersion) {
        return create(capsaVersion, supportedSeccompFlags(kernelVersion()));
    }

    /** Capsa's features with an explicit list of seccomp flags supported here. */
    public static Features create(String capsaVersion, List<String> supportedSeccompFlags) {
        return create(capsaVersion, new Seccomp(true, SeccompNames.ACTIONS, SeccompNames.OPERATORS, SeccompNames.ARCHS,
                SeccompNames.FLAGS, supportedSeccompFlags));
    }

    /** Capsa's features with the seccomp support found on this host (see io.capsa.seccomp.SeccompFeatures). */
    public static Features create(String capsaVersion, Seccomp seccomp) {
        LinuxFeatures linux = new LinuxFeatures(
                Namespaces.TYPES,
                Capability.NAMES,
                new Cgroup(true, true, false, false, null),
                seccomp,
                new Enabled(Lsm.apparmorEnabled()),
                new Enabled(Lsm.selinuxEnabled()),
                new IntelRdt(false, null),
                new MountExtensions(new Enabled(false)),
                null);
        return new Features(OciVersion.MIN, OciVersion.CURRENT, HOOKS, MountOptions.featureNames(), linux,
                capsaVersion == null ? null : Map.of(ANNOTATION_VERSION, capsaVersion), null);
    }

    /** The text {@code features} prints: four-space indented JSON and a newline, like runc. */
    public String toJson() {
        return Json.toIndentedJson(this, "    ") + "\n";
    }

    /** Seccomp filter flags the kernel {@code major.minor} supports (TSYNC 3.17, LOG 4.14, SPEC_ALLOW 4.17, WAIT_KILLABLE_RECV 5.19). */
    public static List<String> supportedSeccompFlags(int[] kernel) {
        List<String> flags = new ArrayList<>();
        if (atLeast(kernel, 3, 17)) {
            flags.add("SECCOMP_FILTER_FLAG_TSYNC");
        }
        if (atLeast(kernel, 4, 14)) {
            flags.add("SECCOMP_FILTER_FLAG_LOG");
        }
        if (atLeast(kernel, 4, 17)) {
            flags.add("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        }
        if (atLeast(kernel, 5, 19)) {
            flags.add("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        }
        return List.copyOf(flags);
    }

    private static boolean atLeast(int[] v, int major, int minor) {
        return v[0] > major || (v[0] == major && v[1] >= minor);
    }

    /** {major, minor} of the running kernel (from /proc/sys/kernel/osrelease), {0, 0} if unknown. */
    public static int[] kernelVersion() {
        try {
            String r = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(r);
            if (m.find()) {
                return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
            }
        } catch (Exception e) {
            // unknown
        }
        return new int[] {0, 0};
    }
}
