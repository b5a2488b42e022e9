package io.capsa.cli;

import io.capsa.cgroup.Cgroup;
import io.capsa.runtime.ResourceControl;
import io.capsa.spec.Json;
import io.capsa.spec.LinuxBlockIO;
import io.capsa.spec.LinuxCpu;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxPids;
import io.capsa.spec.LinuxResources;
import io.capsa.spec.SpecLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** runc's resource commands: pause, resume, update, events, ps. */
final class ResourceCommands {
    private ResourceCommands() {
    }

    static ResourceControl control(RuntimeCommand root) {
        return new ResourceControl(root.resolve(root.root), root.runtime());
    }

    @Command(name = "pause", description = "pause suspends all processes inside the container")
    static final class Pause extends RuntimeCommands.OnContainer {
        @Override
        public Integer call() {
            control(root).pause(id);
            return 0;
        }
    }

    @Command(name = "resume", description = "resumes all processes that have been previously paused")
    static final class Resume extends RuntimeCommands.OnContainer {
        @Override
        public Integer call() {
            control(root).resume(id);
            return 0;
        }
    }

    @Command(name = "update", description = "update container resource constraints")
    static final class Update extends RuntimeCommands.OnContainer {
        @Option(names = {"-r", "--resources"}, description = "path to a file containing the resources to update or '-' to read from the standard input") String resources;
        @Option(names = "--blkio-weight", description = "specifies per cgroup weight, range is from 10 to 1000") Integer blkioWeight;
        @Option(names = "--cpu-period", description = "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default") String cpuPeriod;
        @Option(names = "--cpu-quota", description = "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period") String cpuQuota;
        @Option(names = "--cpu-burst", description = "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period") String cpuBurst;
        @Option(names = "--cpu-share", description = "CPU shares (relative weight vs. other containers)") String cpuShare;
        @Option(names = "--cpu-rt-period", description = "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default") String cpuRtPeriod;
        @Option(names = "--cpu-rt-runtime", description = "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period") String cpuRtRuntime;
        @Option(names = "--cpu-idle", description = "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE") String cpuIdle;
        @Option(names = "--cpuset-cpus", description = "CPU(s) to use") String cpusetCpus;
        @Option(names = "--cpuset-mems", description = "memory node(s) to use") String cpusetMems;
        @Option(names = "--kernel-memory", description = "(obsoleted; do not use)") String kernelMemory;
        @Option(names = "--kernel-memory-tcp", description = "(obsoleted; do not use)") String kernelMemoryTcp;
        @Option(names = {"-m", "--memory"}, description = "memory limit (in bytes)") String memory;
        @Option(names = "--memory-reservation", description = "memory reservation or soft_limit (in bytes)") String memoryReservation;
        @Option(names = "--memory-swap", description = "total memory usage (memory + swap); set '-1' to enable unlimited swap") String memorySwap;
        @Option(names = "--pids-limit", description = "maximum number of pids allowed in the container") Long pidsLimit;
        @Option(names = "--l3-cache-schema", description = "the string of Intel RDT/CAT L3 cache schema") String l3;
        @Option(names = "--mem-bw-schema", description = "the string of Intel RDT/MBA memory bandwidth schema") String mba;

        @Override
        public Integer call() {
            if (l3 != null || mba != null) {
                throw new IllegalArgumentException("Intel RDT is not supported by capsa-runtime");
            }
            LinuxResources r = resources != null ? readResources() : fromFlags();
            control(root).update(id, r);
            return 0;
        }

        private LinuxResources readResources() {
            try {
                byte[] in;
                if (resources.equals("-")) {
                    InputStream s = System.in;
                    in = s.readAllBytes();
                } else {
                    in = Files.readAllBytes(root.resolve(resources));
                }
                return SpecLoader.parse(in, LinuxResources.class, "--resources " + resources);
            } catch (IOException e) {
                throw new UncheckedIOException("--resources " + resources + ": " + e.getMessage(), e);
            }
        }

        private LinuxResources fromFlags() {
            LinuxMemory m = null;
            if (memory != null || memorySwap != null || memoryReservation != null || kernelMemory != null
                    || kernelMemoryTcp != null) {
                m = new LinuxMemory(bytes("--memory", memory), bytes("--memory-reservation", memoryReservation),
                        bytes("--memory-swap", memorySwap), bytes("--kernel-memory", kernelMemory),
                        bytes("--kernel-memory-tcp", kernelMemoryTcp), null, null, null, null);
            }
            LinuxCpu c = null;
            if (cpuPeriod != null || cpuQuota != null || cpuBurst != null || cpuShare != null || cpuRtPeriod != null
                    || cpuRtRuntime != null || cpuIdle != null || cpusetCpus != null || cpusetMems != null) {
                c = new LinuxCpu(u64("--cpu-share", cpuShare), i64("--cpu-quota", cpuQuota), u64("--cpu-burst", cpuBurst),
                        u64("--cpu-period", cpuPeriod), i64("--cpu-rt-runtime", cpuRtRuntime),
                        u64("--cpu-rt-period", cpuRtPeriod), cpusetCpus, cpusetMems, i64("--cpu-idle", cpuIdle));
            }
            LinuxBlockIO b = blkioWeight == null ? null : new LinuxBlockIO(blkioWeight, null, null, null, null, null, null);
            LinuxPids p = pidsLimit == null ? null : new LinuxPids(pidsLimit);
            return new LinuxResources(null, m, c, p, b, null, null, null, null);
        }
    }

    private static final Pattern RAM = Pattern.compile("(?i)^(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?$");

    /** docker's RAMInBytes, as runc update parses sizes: "512", "10m", "1.5g", "2GiB"; "-1" unlimited. */
    static Long bytes(String flag, String v) {
        if (v == null) {
            return null;
        }
        if (v.equals("-1")) {
            return -1L;
        }
        Matcher mm = RAM.matcher(v.strip());
        if (!mm.matches()) {
            throw new IllegalArgumentException(flag + ": invalid value \"" + v + "\": expected a size like 512, 10m or 1g");
        }
        double n = Double.parseDouble(mm.group(1));
        String unit = mm.group(2) == null ? "" : mm.group(2).toLowerCase();
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        return (long) (n * (1L << shift));
    }

    static Long u64(String flag, String v) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": invalid value \"" + v + "\": expected an unsigned integer");
        }
    }

    static Long i64(String flag, String v) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": invalid value \"" + v + "\": expected an integer");
        }
    }

    @Command(name = "events", description = "display container events such as OOM notifications, cpu, memory, and IO usage statistics")
    static final class Events extends RuntimeCommands.OnContainer {
        @Option(names = "--interval", description = "set the stats collection interval (default: 5s)") String interval = "5s";
        @Option(names = "--stats", description = "display the container's stats then exit") boolean stats;

        @Override
        public Integer call() throws InterruptedException {
            ResourceControl rc = control(root);
            Cgroup cg = rc.running(id);
            if (stats) {
                root.out.println(Json.toJson(event("stats", cg.stats())));
                return 0;
            }
            long every = durationMillis(interval);
            if (every <= 0) {
                throw new IllegalArgumentException("duration interval must be greater than 0");
            }
            long ooms = cg.oomKillCount();
            long next = System.nanoTime();
            while (rc.isRunning(id) && cg.exists()) {
                long now = System.nanoTime();
                if (now >= next) {
                    root.out.println(Json.toJson(event("stats", cg.stats())));
                    root.out.flush();
                    next = now + every * 1_000_000L;
                }
                long o = cg.oomKillCount();
                for (; ooms < o; ooms++) {
                    root.out.println(Json.toJson(event("oom", null)));
                    root.out.flush();
                }
                Thread.sleep(Math.min(100, Math.max(1, (next - System.nanoTime()) / 1_000_000L)));
            }
            // an OOM kill that ended the container is still reported
            try {
                long o = cg.oomKillCount();
                for (; ooms < o; ooms++) {
                    root.out.println(Json.toJson(event("oom", null)));
                }
            } catch (RuntimeException ignored) {
                // cgroup already gone
            }
            return 0;
        }

        private Map<String, Object> event(String type, Object data) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            m.put("id", id);
            if (data != null) {
                m.put("data", data);
            }
            return m;
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    /** Go's time.ParseDuration for the forms runc users write: "5s", "500ms", "1m30s". */
    static long durationMillis(String s) {
        Matcher m = DURATION.matcher(s.strip());
        double total = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double v = Double.parseDouble(m.group(1));
            total += switch (m.group(2)) {
                case "ns" -> v / 1e6;
                case "us", "µs" -> v / 1e3;
                case "ms" -> v;
                case "s" -> v * 1e3;
                case "m" -> v * 60e3;
                default -> v * 3600e3;
            };
            end = m.end();
        }
        if (end == 0 || end != s.strip().length()) {
            throw new IllegalArgumentException("--interval: invalid duration \"" + s + "\"");
        }
        return (long) total;
    }

    @Command(name = "ps", description = "ps displays the processes running inside a container")
    static final class Ps extends RuntimeCommands.OnContainer {
        @Option(names = {"-f", "--format"}, description = "select one of: table or json (default: \"table\")") String format = "table";
        @Parameters(index = "1..*", paramLabel = "<ps options>") List<String> psArgs = new ArrayList<>();

        @Override
        public Integer call() throws IOException, InterruptedException {
            List<Long> pids = control(root).pids(id);
            switch (format) {
                case "json" -> {
                    root.out.println(Json.toJson(pids));
                    return 0;
                }
                case "table" -> {
                }
                default -> throw new IllegalArgumentException("invalid format option");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add("ps");
            // "--" separates ps's options (options stop at the first positional, so it arrives here)
            List<String> args = !psArgs.isEmpty() && psArgs.getFirst().equals("--") ? psArgs.subList(1, psArgs.size()) : psArgs;
            cmd.addAll(args.isEmpty() ? List.of("-ef") : args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new RuntimeException("ps: " + out.strip());
            }
            root.out.print(filter(out, new HashSet<>(pids)));
            return 0;
        }
    }

    /** The header and the lines of ps output whose PID column is one of the pids (as runc). */
    static String filter(String psOut, Set<Long> pids) {
        String[] lines = psOut.split("\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            return psOut;
        }
        String[] header = lines[0].strip().split("\\s+");
        int col = -1;
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals("PID")) {
                col = i;
            }
        }
        if (col < 0) {
            throw new RuntimeException("couldn't find PID field in ps output");
        }
        StringBuilder b = new StringBuilder(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split("\\s+");
            if (f.length > col) {
                try {
                    if (pids.contains(Long.parseLong(f[col]))) {
                        b.append(lines[i]).append('\n');
                    }
                } catch (NumberFormatException e) {
                    throw new RuntimeException("unexpected pid '" + f[col] + "' in ps output");
                }
            }
        }
        return b.toString();
    }
}
