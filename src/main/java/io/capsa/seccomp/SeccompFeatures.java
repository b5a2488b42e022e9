package io.capsa.seccomp;

import io.capsa.spec.Features;
import io.capsa.spec.SeccompNames;
import io.capsa.sys.LibSeccomp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code linux.seccomp} of the features document as found on this host, without binding anything (the first FFM
 * downcall costs a cold JVM ~150 ms, more than the rest of {@code features}): actions are those the kernel offers
 * (/proc/sys/kernel/seccomp/actions_avail), architectures those the installed libseccomp (its version, from the
 * library's file name) knows, and the supported filter flags those of the running kernel's version (the same
 * table {@link Seccomp} uses to refuse a flag, so what features says and what create does agree).
 */
public final class SeccompFeatures {
    private SeccompFeatures() {
    }

    static final Path ACTIONS_AVAIL = Path.of("/proc/sys/kernel/seccomp/actions_avail");

    /** The probe; {@code enabled} is false when the kernel has no seccomp filters or libseccomp is not installed. */
    public static Features.Seccomp probe() {
        Set<String> kernelActions = kernelActions();
        Optional<int[]> lib = LibSeccomp.libraryFile().flatMap(p -> version(p.getFileName().toString()));
        List<String> actions = new ArrayList<>();
        for (String a : SeccompNames.ACTIONS) {
            if (kernelActions == null || kernelActions.contains(kernelName(a))) actions.add(a);
        }
        List<String> archs = new ArrayList<>();
        for (String a : SeccompNames.ARCHS) {
            if (lib.isEmpty() || atLeast(lib.get(), sinceLibseccomp(a))) archs.add(a);
        }
        List<String> flags = kernelActions == null ? List.of() : Features.supportedSeccompFlags(Features.kernelVersion());
        return new Features.Seccomp(kernelActions != null && lib.isPresent(), List.copyOf(actions),
                SeccompNames.OPERATORS, List.copyOf(archs), SeccompNames.FLAGS, flags);
    }

    /** The kernel's action names, or null if the kernel has no seccomp filter support. */
    static Set<String> kernelActions() {
        try {
            return Set.of(Files.readString(ACTIONS_AVAIL).trim().split("\\s+"));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** actions_avail's name of a runtime-spec action. */
    static String kernelName(String action) {
        return switch (action) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> "kill_thread";
            case "SCMP_ACT_KILL_PROCESS" -> "kill_process";
            case "SCMP_ACT_TRAP" -> "trap";
            case "SCMP_ACT_ERRNO" -> "errno";
            case "SCMP_ACT_TRACE" -> "trace";
            case "SCMP_ACT_LOG" -> "log";
            case "SCMP_ACT_NOTIFY" -> "user_notif";
            case "SCMP_ACT_ALLOW" -> "allow";
            default -> action;
        };
    }

    /** {major, minor, micro} of a "libseccomp.so.2.5.4" file name. */
    static Optional<int[]> version(String fileName) {
        Matcher m = Pattern.compile("^libseccomp\\.so\\.(\\d+)\\.(\\d+)\\.(\\d+)").matcher(fileName);
        if (!m.find()) return Optional.empty();
        return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
    }

    /**
     * The libseccomp release that added an architecture. Every one is in 2.5.0 (the libseccomp Debian 12 and its
     * peers ship); for older releases this is a conservative reading of libseccomp's CHANGELOG.
     */
    static int[] sinceLibseccomp(String arch) {
        return switch (arch) {
            case "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM" -> new int[] {2, 1, 0};
            case "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
                 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE" -> new int[] {2, 2, 0};
            case "SCMP_ARCH_PPC", "SCMP_ARCH_S390", "SCMP_ARCH_S390X" -> new int[] {2, 3, 0};
            case "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64" -> new int[] {2, 4, 0};
            default -> new int[] {2, 5, 0}; // riscv64, and anything newer
        };
    }

    private static boolean atLeast(int[] v, int[] min) {
        for (int i = 0; i < 3; i++) if (v[i] != min[i]) return v[i] > min[i];
        return true;
    }
}
