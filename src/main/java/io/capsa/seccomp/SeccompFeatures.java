package io.capsa.seccomp;

import io.capsa.spec.Features;
import io.capsa.spec.SeccompNames;
import io.capsa.sys.LibSeccomp;
import io.capsa.sys.SeccompProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code linux.seccomp} of the features document, found on this host when {@code features} is asked (it binds
 * libseccomp, so nothing else calls it): actions the kernel offers (/proc/sys/kernel/seccomp/actions_avail),
 * architectures libseccomp knows, and the filter flags the kernel accepts (probed with seccomp(2)).
 */
public final class SeccompFeatures {
    private SeccompFeatures() {
    }

    static final Path ACTIONS_AVAIL = Path.of("/proc/sys/kernel/seccomp/actions_avail");

    /** The probe; {@code enabled} is false when the kernel has no seccomp filters or libseccomp cannot be loaded. */
    public static Features.Seccomp probe() {
        Set<String> kernelActions = kernelActions();
        boolean kernel = kernelActions != null;
        boolean lib = LibSeccomp.available();

        List<String> actions = new ArrayList<>();
        for (String a : SeccompNames.ACTIONS) {
            if (kernelActions == null || kernelActions.contains(kernelName(a))) actions.add(a);
        }
        List<String> archs = new ArrayList<>();
        for (String a : SeccompNames.ARCHS) {
            if (!lib || LibSeccomp.archResolveName(Seccomp.libseccompArch(a)) != 0) archs.add(a);
        }
        List<String> supported = new ArrayList<>();
        if (kernel) {
            for (String f : SeccompNames.FLAGS) {
                long bits = switch (f) {
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> Seccomp.FLAG_TSYNC;
                    case "SECCOMP_FILTER_FLAG_LOG" -> Seccomp.FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> Seccomp.FLAG_SPEC_ALLOW;
                    case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> Seccomp.FLAG_WAIT_KILLABLE_RECV | Seccomp.FLAG_NEW_LISTENER;
                    default -> -1;
                };
                if (bits > 0 && SeccompProbe.filterFlagsSupported(bits)) supported.add(f);
            }
        }
        return new Features.Seccomp(kernel && lib, List.copyOf(actions), SeccompNames.OPERATORS, List.copyOf(archs),
                SeccompNames.FLAGS, List.copyOf(supported));
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
}
