package io.capsa.front;

import com.fasterxml.jackson.databind.JsonNode;
import io.capsa.spec.Json;
import io.capsa.spec.LinuxSeccomp;
import io.capsa.spec.LinuxSyscall;
import io.capsa.spec.SpecLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The seccomp profiles of {@code capsa run}: Docker's default (moby's profiles/seccomp/default.json, Apache-2.0,
 * as dockerd renders it on amd64 for its default capabilities: resource {@code seccomp-default.json}), opened up
 * for added capabilities as Docker's profile does; and {@code --security-opt seccomp=FILE}, in the OCI form
 * (linux.seccomp) or Docker's (archMap, includes and excludes by capability and architecture).
 */
public final class SeccompProfiles {
    private SeccompProfiles() {}

    /** What Docker's default profile allows only with a capability beyond Docker's default set. */
    private static final Map<String, List<String>> BY_CAPABILITY = Map.ofEntries(
            Map.entry("CAP_SYS_ADMIN", List.of("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                    "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                    "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2",
                    "unshare")),
            Map.entry("CAP_SYS_BOOT", List.of("reboot")),
            Map.entry("CAP_SYS_MODULE", List.of("delete_module", "init_module", "finit_module")),
            Map.entry("CAP_SYS_PACCT", List.of("acct")),
            Map.entry("CAP_SYS_PTRACE", List.of("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                    "process_vm_writev", "ptrace")),
            Map.entry("CAP_SYS_RAWIO", List.of("iopl", "ioperm")),
            Map.entry("CAP_SYS_TIME", List.of("settimeofday", "stime", "clock_settime", "clock_settime64")),
            Map.entry("CAP_SYS_TTY_CONFIG", List.of("vhangup")),
            Map.entry("CAP_SYS_NICE", List.of("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node")),
            Map.entry("CAP_SYSLOG", List.of("syslog")),
            Map.entry("CAP_BPF", List.of("bpf")),
            Map.entry("CAP_PERFMON", List.of("perf_event_open")),
            Map.entry("CAP_DAC_READ_SEARCH", List.of("open_by_handle_at")));

    /** Docker's default profile for a container with these capabilities. */
    public static LinuxSeccomp defaultFor(List<String> caps) {
        LinuxSeccomp base;
        try (InputStream in = SeccompProfiles.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) throw new IllegalStateException("seccomp-default.json is missing from the class path");
            base = SpecLoader.parse(in.readAllBytes(), LinuxSeccomp.class, "seccomp-default.json");
        } catch (IOException e) {
            throw new IllegalStateException("reading seccomp-default.json: " + e.getMessage(), e);
        }
        Set<String> extra = new LinkedHashSet<>();
        for (String c : caps) {
            if (SpecBuilder.DEFAULT_CAPS.contains(c)) continue;
            extra.addAll(BY_CAPABILITY.getOrDefault(c, List.of()));
        }
        if (extra.isEmpty()) return base;
        List<LinuxSyscall> rules = new ArrayList<>();
        for (LinuxSyscall r : base.syscalls()) {
            // clone's flag check and clone3's ENOSYS give way to a plain allow with CAP_SYS_ADMIN, as in Docker's
            if (extra.contains("clone") && (r.names().contains("clone") || r.names().contains("clone3"))) continue;
            rules.add(r);
        }
        rules.add(new LinuxSyscall(List.copyOf(extra), "SCMP_ACT_ALLOW", null, null));
        return new LinuxSeccomp(base.defaultAction(), base.defaultErrnoRet(), base.architectures(), base.flags(), null, null, rules);
    }

    /** --security-opt seccomp=FILE: an OCI linux.seccomp object, or a profile in Docker's format rendered for the caps. */
    public static LinuxSeccomp fromFile(Path file, List<String> caps) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new FrontException("--security-opt seccomp=" + file + ": " + e.getMessage());
        }
        JsonNode tree;
        try {
            tree = Json.mapper().readTree(data);
        } catch (IOException e) {
            throw new FrontException("--security-opt seccomp=" + file + ": invalid JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) throw new FrontException("--security-opt seccomp=" + file + ": not a JSON object");
        boolean docker = tree.has("archMap");
        for (JsonNode s : tree.path("syscalls")) docker |= s.has("includes") || s.has("excludes") || s.has("name");
        if (!docker) {
            try {
                return SpecLoader.parse(data, LinuxSeccomp.class, file.toString());
            } catch (RuntimeException e) {
                throw new FrontException("--security-opt seccomp=" + file + ": " + e.getMessage());
            }
        }
        return renderDocker(tree, caps, file);
    }

    /** Docker's profile format: architectures from archMap, rules filtered by includes/excludes (caps, arches). */
    static LinuxSeccomp renderDocker(JsonNode t, List<String> caps, Path file) {
        String hostArch = "amd64"; // the only architecture this build targets (io.capsa.sys.Syscall)
        List<String> archs = new ArrayList<>();
        for (JsonNode m : t.path("archMap")) {
            if (m.path("architecture").asText().equals("SCMP_ARCH_X86_64")) {
                archs.add("SCMP_ARCH_X86_64");
                for (JsonNode s : m.path("subArchitectures")) archs.add(s.asText());
            }
        }
        for (JsonNode a : t.path("architectures")) if (!archs.contains(a.asText())) archs.add(a.asText());
        Set<String> capSet = new HashSet<>(caps);
        List<LinuxSyscall> rules = new ArrayList<>();
        for (JsonNode s : t.path("syscalls")) {
            if (!applies(s.path("includes"), capSet, hostArch, true) || !applies(s.path("excludes"), capSet, hostArch, false)) continue;
            List<String> names = new ArrayList<>();
            if (s.has("name")) names.add(s.path("name").asText());
            for (JsonNode n : s.path("names")) names.add(n.asText());
            Long errnoRet = s.has("errnoRet") ? s.path("errnoRet").asLong() : null;
            List<io.capsa.spec.LinuxSeccompArg> args = null;
            if (s.has("args") && s.path("args").isArray() && !s.path("args").isEmpty()) {
                args = new ArrayList<>();
                for (JsonNode a : s.path("args"))
                    args.add(new io.capsa.spec.LinuxSeccompArg(a.path("index").asLong(), a.path("value").asLong(),
                            a.path("valueTwo").asLong(), a.path("op").asText()));
            }
            rules.add(new LinuxSyscall(names, s.path("action").asText(), errnoRet, args));
        }
        if (!t.hasNonNull("defaultAction")) throw new FrontException("--security-opt seccomp=" + file + ": defaultAction is required");
        return new LinuxSeccomp(t.path("defaultAction").asText(), t.has("defaultErrnoRet") ? t.path("defaultErrnoRet").asLong() : null,
                archs.isEmpty() ? null : archs, null, null, null, rules);
    }

    /** includes (all must hold) or excludes (none may hold) of a Docker profile rule. */
    private static boolean applies(JsonNode f, Set<String> caps, String arch, boolean include) {
        if (f.isMissingNode() || f.isNull() || f.isEmpty()) return true;
        boolean capsHit = false, archHit = false;
        boolean hasCaps = f.path("caps").isArray() && !f.path("caps").isEmpty();
        boolean hasArches = f.path("arches").isArray() && !f.path("arches").isEmpty();
        if (include) {
            if (hasCaps) for (JsonNode c : f.path("caps")) if (!caps.contains(c.asText())) return false;
            if (hasArches) {
                for (JsonNode a : f.path("arches")) archHit |= a.asText().equals(arch);
                if (!archHit) return false;
            }
            return true; // minKernel: this build targets kernels newer than any the profile names
        }
        if (hasCaps) for (JsonNode c : f.path("caps")) capsHit |= caps.contains(c.asText());
        if (hasArches) for (JsonNode a : f.path("arches")) archHit |= a.asText().equals(arch);
        return !capsHit && !archHit;
    }
}
