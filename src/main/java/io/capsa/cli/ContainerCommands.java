package io.capsa.cli;

import io.capsa.front.ContainerRecord;
import io.capsa.front.Containers;
import io.capsa.front.FrontException;
import io.capsa.front.RunOptions;
import io.capsa.front.Units;
import io.capsa.image.ConsoleProgress;
import io.capsa.image.Image;
import io.capsa.image.ImageException;
import io.capsa.image.Images;
import io.capsa.image.Platform;
import io.capsa.image.PullProgress;
import io.capsa.runtime.ContainerRuntime;
import io.capsa.spec.Json;
import io.capsa.sys.Proc;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code capsa}'s container commands (Docker's): one small class each, over {@link Containers}. */
final class ContainerCommands {
    private ContainerCommands() {}

    @Command(name = "run", description = "Create and run a new container from an image", sortOptions = false)
    static final class Run implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = "--rm", description = "remove the container (and its anonymous volumes) when it exits") boolean rm;
        @Option(names = {"-d", "--detach"}, description = "run in the background, print the container id; output goes to its log") boolean detach;
        @Option(names = {"-i", "--interactive"}, description = "keep stdin open") boolean interactive;
        @Option(names = {"-t", "--tty"}, description = "allocate a pseudo-TTY") boolean tty;
        @Option(names = "--name", description = "assign a name to the container") String name;
        @Option(names = {"-e", "--env"}, paramLabel = "VAR[=VALUE]", description = "set an environment variable (VAR alone: its value here)") List<String> env = new ArrayList<>();
        @Option(names = "--env-file", description = "read environment variables from a file") List<String> envFiles = new ArrayList<>();
        @Option(names = {"-w", "--workdir"}, description = "working directory inside the container") String workdir;
        @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = "user name or uid, group name or gid") String user;
        @Option(names = {"-v", "--volume"}, paramLabel = "[SRC:]DEST[:OPTS]", description = "bind mount a host path, or a named or anonymous volume") List<String> volumes = new ArrayList<>();
        @Option(names = "--mount", paramLabel = "type=bind|volume|tmpfs,...", description = "attach a mount (Docker's --mount syntax)") List<String> mounts = new ArrayList<>();
        @Option(names = "--read-only", description = "mount the container's root filesystem read-only") boolean readOnly;
        @Option(names = "--tmpfs", paramLabel = "DEST[:OPTS]", description = "mount a tmpfs") List<String> tmpfs = new ArrayList<>();
        @Option(names = {"-h", "--hostname"}, description = "container host name (default: the short id)") String hostname;
        @Option(names = {"-m", "--memory"}, description = "memory limit (e.g. 64m)") String memory;
        @Option(names = "--memory-swap", description = "memory plus swap limit (-1: unlimited swap)") String memorySwap;
        @Option(names = "--memory-reservation", description = "memory soft limit") String memoryReservation;
        @Option(names = "--cpus", description = "number of CPUs (CPU quota over a 100 ms period)") String cpus;
        @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight)") Long cpuShares;
        @Option(names = "--cpu-quota", description = "CFS quota in microseconds") Long cpuQuota;
        @Option(names = "--cpu-period", description = "CFS period in microseconds") Long cpuPeriod;
        @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)") String cpusetCpus;
        @Option(names = "--cpuset-mems", description = "memory nodes in which to allow execution") String cpusetMems;
        @Option(names = "--pids-limit", description = "maximum number of processes (-1: unlimited)") Long pidsLimit;
        @Option(names = "--device", paramLabel = "HOST[:CONTAINER[:PERMS]]", description = "add a host device") List<String> devices = new ArrayList<>();
        @Option(names = "--cap-add", description = "add a capability (or ALL)") List<String> capAdd = new ArrayList<>();
        @Option(names = "--cap-drop", description = "drop a capability (or ALL)") List<String> capDrop = new ArrayList<>();
        @Option(names = "--privileged", description = "all capabilities and devices, no masked paths, no seccomp") boolean privileged;
        @Option(names = "--security-opt", description = "seccomp=unconfined, no-new-privileges") List<String> securityOpts = new ArrayList<>();
        @Option(names = {"--network", "--net"}, description = "none (default: a network namespace with lo only) or host") String network;
        @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "set a resource limit") List<String> ulimits = new ArrayList<>();
        @Option(names = "--init", description = "run an init (tini) as PID 1 that forwards signals and reaps processes") boolean init;
        @Option(names = "--entrypoint", description = "overwrite the image's entrypoint (\"\": none)") String entrypoint;
        @Option(names = "--cgroup-parent", description = "parent cgroup of the container's (default: /capsa)") String cgroupParent;
        @Option(names = "--stop-signal", description = "signal that stops the container (default: the image's, else SIGTERM)") String stopSignal;
        @Option(names = "--stop-timeout", description = "seconds to wait for a stop before SIGKILL (default 10)") Integer stopTimeout;
        @Option(names = {"-l", "--label"}, description = "set a label") List<String> labels = new ArrayList<>();
        @Option(names = "--sysctl", description = "set a namespaced kernel parameter") List<String> sysctls = new ArrayList<>();
        @Option(names = "--group-add", description = "add a supplementary group") List<String> groupAdd = new ArrayList<>();
        @Option(names = "--oom-score-adj", description = "OOM score adjustment (-1000 to 1000)") Integer oomScoreAdj;
        @Option(names = "--shm-size", description = "size of /dev/shm (default 64m)") String shmSize;
        @Option(names = "--pull", description = "pull the image: missing (default), always, never") String pull = "missing";
        @Option(names = "--platform", description = "platform of the image to pull (os/arch[/variant])") String platform;
        @Option(names = {"-q", "--quiet"}, description = "no pull progress") boolean quiet;
        @Option(names = {"-p", "--publish"}, hidden = true) List<String> publish = new ArrayList<>();
        @Option(names = {"-P", "--publish-all"}, hidden = true) boolean publishAll;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(index = "0", paramLabel = "IMAGE") String image;
        @Parameters(index = "1..*", paramLabel = "COMMAND") List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            if (!publish.isEmpty() || publishAll)
                throw new FrontException("-p/--publish: publishing ports needs a container network, which is not supported yet "
                        + "(use --network host to use the host's ports)");
            RunOptions o = options();
            Containers cs = root.containers();
            Image img = image(root, image, pull, platform, quiet);
            ContainerRecord r = cs.create(o, img, root.env, root.cwd);
            root.debug("container " + r.id + " created");
            int rc = cs.start(r, root.selfCommand(List.of("container-cleanup", r.id)), List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
            if (detach) root.out.println(r.id);
            return rc;
        }

        RunOptions options() {
            RunOptions o = new RunOptions();
            o.image = image;
            o.command = command;
            o.remove = rm;
            o.detach = detach;
            o.interactive = interactive;
            o.tty = tty;
            o.readOnly = readOnly;
            o.privileged = privileged;
            o.init = init;
            o.name = name;
            o.workdir = workdir;
            o.user = user;
            o.hostname = hostname;
            o.entrypoint = entrypoint;
            o.env = env;
            o.envFiles = envFiles;
            o.volumes = volumes;
            o.mounts = mounts;
            o.tmpfs = tmpfs;
            if (memory != null) o.memory = Units.bytes("--memory", memory);
            if (memorySwap != null) o.memorySwap = Units.bytes("--memory-swap", memorySwap);
            if (memoryReservation != null) o.memoryReservation = Units.bytes("--memory-reservation", memoryReservation);
            o.cpus = cpus;
            o.cpuShares = cpuShares;
            o.cpuQuota = cpuQuota;
            o.cpuPeriod = cpuPeriod;
            o.cpusetCpus = cpusetCpus;
            o.cpusetMems = cpusetMems;
            o.pidsLimit = pidsLimit;
            o.devices = devices;
            o.capAdd = capAdd;
            o.capDrop = capDrop;
            o.securityOpts = securityOpts;
            o.network = network;
            o.ulimits = ulimits;
            o.cgroupParent = cgroupParent;
            o.stopSignal = stopSignal;
            o.stopTimeout = stopTimeout;
            o.labels = labels;
            o.sysctls = sysctls;
            o.groupAdd = groupAdd;
            o.oomScoreAdj = oomScoreAdj;
            o.shmSize = shmSize;
            return o;
        }
    }

    /** The image to run: local, else pulled (--pull missing), always pulled, or never. */
    static Image image(CapsaCommand root, String name, String pull, String platform, boolean quiet) {
        Images images = root.images();
        PullProgress progress = quiet ? PullProgress.QUIET : ConsoleProgress.forStream(root.err);
        Images.PullOptions po = Images.PullOptions.defaults().withProgress(progress);
        if (platform != null) po = new Images.PullOptions(Platform.parse(platform), po.parallel(), progress);
        return switch (pull) {
            case "missing" -> {
                var local = images.store().find(name);
                if (local.isPresent()) yield local.get();
                if (!quiet) root.err.println("Unable to find image '" + name + "' locally");
                yield images.resolveOrPull(name, po);
            }
            case "always" -> images.pull(name, po);
            case "never" -> images.resolve(name);
            default -> throw new FrontException("--pull " + pull + ": expected missing, always or never");
        };
    }

    @Command(name = "exec", description = "Run a command in a running container")
    static final class Exec implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-i", "--interactive"}, description = "keep stdin open") boolean interactive;
        @Option(names = {"-t", "--tty"}, description = "allocate a pseudo-TTY") boolean tty;
        @Option(names = {"-d", "--detach"}, description = "run the command in the background") boolean detach;
        @Option(names = {"-e", "--env"}, description = "set an environment variable") List<String> env = new ArrayList<>();
        @Option(names = {"-u", "--user"}, description = "user name or uid, group name or gid") String user;
        @Option(names = {"-w", "--workdir"}, description = "working directory inside the container") String workdir;
        @Option(names = "--privileged", description = "all capabilities for the command") boolean privileged;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(index = "0", paramLabel = "CONTAINER") String container;
        @Parameters(index = "1..*", paramLabel = "COMMAND") List<String> command = new ArrayList<>();

        @Override
        public Integer call() {
            Containers cs = root.containers();
            ContainerRecord r = cs.store().resolve(container);
            List<String> e = new ArrayList<>();
            for (String v : env) {
                if (v.indexOf('=') > 0) e.add(v);
                else if (root.env.get(v) != null) e.add(v + "=" + root.env.get(v));
            }
            return cs.exec(r, new Containers.ExecRequest(command, e, user, workdir, interactive, tty, detach, privileged));
        }
    }

    @Command(name = "ps", description = "List containers")
    static final class Ps implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-a", "--all"}, description = "show all containers (default: running ones)") boolean all;
        @Option(names = {"-q", "--quiet"}, description = "only display container ids") boolean quiet;
        @Option(names = "--no-trunc", description = "do not truncate output") boolean noTrunc;
        @Option(names = {"-l", "--latest"}, description = "show the latest created container") boolean latest;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;

        @Override
        public Integer call() {
            Containers cs = root.containers();
            List<ContainerRecord> list = cs.store().list();
            if (latest && !list.isEmpty()) list = List.of(list.getLast());
            Instant now = Instant.now();
            Tables.Table t = new Tables.Table("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
            for (ContainerRecord r : list.reversed()) {
                Containers.Status s = cs.status(r);
                if (!all && !latest && !s.running()) continue;
                if (quiet) {
                    root.out.println(noTrunc ? r.id : r.shortId());
                    continue;
                }
                String cmd = String.join(" ", r.command);
                t.row(noTrunc ? r.id : r.shortId(), r.image, "\"" + (noTrunc ? cmd : Tables.ellipsis(cmd, 20)) + "\"",
                        Tables.ago(r.created, now), statusText(r, s, now), String.join(", ", r.exposedPorts), r.name);
            }
            if (!quiet) t.print(root.out);
            return 0;
        }
    }

    static String statusText(ContainerRecord r, Containers.Status s, Instant now) {
        return switch (s.state()) {
            case "running" -> "Up " + Tables.human(r.startedAt, now);
            case "paused" -> "Up " + Tables.human(r.startedAt, now) + " (Paused)";
            case "created" -> "Created";
            default -> "Exited (" + (s.exitCode() == null || s.exitCode() < 0 ? "unknown" : s.exitCode()) + ") "
                    + (r.finishedAt == null ? "" : Tables.ago(r.finishedAt, now));
        };
    }

    @Command(name = "logs", description = "Fetch the output of a detached container")
    static final class Logs implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-f", "--follow"}, description = "follow the output until the container stops") boolean follow;
        @Option(names = {"-n", "--tail"}, description = "number of lines from the end to show (default: all)") String tail = "all";
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(index = "0", paramLabel = "CONTAINER") String container;

        @Override
        public Integer call() throws IOException {
            Containers cs = root.containers();
            ContainerRecord r = cs.store().resolve(container);
            if (r.logPath == null)
                throw new FrontException("container " + r.name + " ran attached to the terminal: only detached containers (run -d) keep a log");
            Path log = Path.of(r.logPath);
            long pos = 0;
            if (!tail.equals("all")) {
                int n;
                try {
                    n = Integer.parseInt(tail);
                } catch (NumberFormatException e) {
                    throw new FrontException("--tail " + tail + ": not a number");
                }
                pos = tailOffset(log, n);
            }
            pos = copy(log, pos);
            while (follow) {
                boolean running = cs.status(r).running();
                long next = copy(log, pos);
                if (next == pos && !running) break;
                if (next == pos) sleep(100);
                pos = next;
            }
            root.out.flush();
            return 0;
        }

        /** Copies the log from {@code pos} to stdout; returns the new position. */
        private long copy(Path log, long pos) throws IOException {
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                f.seek(pos);
                byte[] buf = new byte[65536];
                int n;
                while ((n = f.read(buf)) > 0) {
                    root.out.write(buf, 0, n);
                    pos += n;
                }
                root.out.flush();
            } catch (java.io.FileNotFoundException e) {
                // no output yet
            }
            return pos;
        }

        private static long tailOffset(Path log, int lines) throws IOException {
            if (lines < 0) return 0;
            try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                long p = f.length();
                if (p > 0) {
                    f.seek(p - 1);
                    if (f.read() == '\n') p--; // the last line's newline
                }
                int seen = 0;
                while (p > 0) {
                    f.seek(p - 1);
                    if (f.read() == '\n' && ++seen == lines) return p;
                    p--;
                }
                return lines == 0 ? f.length() : 0;
            } catch (java.io.FileNotFoundException e) {
                return 0;
            }
        }
    }

    @Command(name = "stop", description = "Stop running containers (their stop signal, then SIGKILL after the timeout)")
    static final class Stop implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-t", "--time", "--timeout"}, description = "seconds to wait before killing it (default: its --stop-timeout, else 10)") Integer time;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

        @Override
        public Integer call() {
            Containers cs = root.containers();
            return each(root, containers, ref -> {
                ContainerRecord r = cs.store().resolve(ref);
                int t = time != null ? time : r.stopTimeout != null ? r.stopTimeout : 10;
                cs.stop(r, Math.max(0, t));
            });
        }
    }

    @Command(name = "kill", description = "Send a signal (default SIGKILL) to running containers")
    static final class Kill implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-s", "--signal"}, description = "signal to send (default KILL)") String signal = "KILL";
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

        @Override
        public Integer call() {
            int sig;
            try {
                sig = Proc.signal(signal);
            } catch (IllegalArgumentException e) {
                throw new FrontException("invalid signal: " + signal);
            }
            Containers cs = root.containers();
            return each(root, containers, ref -> cs.kill(cs.store().resolve(ref), sig));
        }
    }

    @Command(name = "rm", description = "Remove containers")
    static final class Rm implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = {"-f", "--force"}, description = "kill and remove running containers") boolean force;
        @Option(names = {"-v", "--volumes"}, description = "remove the container's anonymous volumes too") boolean volumes;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "CONTAINER") List<String> containers;

        @Override
        public Integer call() {
            Containers cs = root.containers();
            return each(root, containers, ref -> cs.remove(cs.store().resolve(ref), force, volumes));
        }
    }

    interface Action {
        void apply(String ref);
    }

    /** Docker's way with several containers: each is tried, its argument printed on success, errors at the end. */
    static int each(CapsaCommand root, List<String> refs, Action a) {
        int rc = 0;
        for (String ref : refs) {
            try {
                a.apply(ref);
                root.out.println(ref);
            } catch (RuntimeException e) {
                if (root.debug) e.printStackTrace(root.err);
                root.err.println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                rc = 1;
            }
        }
        return rc;
    }

    @Command(name = "inspect", description = "Low-level information on containers and images, as JSON")
    static final class Inspect implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Option(names = "--type", description = "container or image (default: a container if one has the name, else an image)") String type;
        @Option(names = "--help", usageHelp = true, description = "show help") boolean help;
        @Parameters(arity = "1..*", paramLabel = "NAME|ID") List<String> names;

        @Override
        public Integer call() {
            if (type != null && !type.equals("container") && !type.equals("image"))
                throw new FrontException("--type " + type + ": expected container or image");
            List<Object> out = new ArrayList<>();
            int rc = 0;
            for (String n : names) {
                Object o = null;
                if (type == null || type.equals("container")) {
                    try {
                        o = Inspection.container(root.containers(), root.containers().store().resolve(n));
                    } catch (FrontException e) {
                        if (e.getMessage().startsWith("Multiple IDs")) {
                            root.err.println("Error: " + e.getMessage());
                            rc = 1;
                            continue;
                        }
                    }
                }
                if (o == null && (type == null || type.equals("image"))) {
                    try {
                        o = Inspection.image(root.images().store().resolve(n));
                    } catch (ImageException e) {
                        // not an image either
                    }
                }
                if (o == null) {
                    root.err.println("Error: No such object: " + n);
                    rc = 1;
                    continue;
                }
                out.add(o);
            }
            root.out.println(Json.toIndentedJson(out, "    "));
            return rc;
        }
    }

    @Command(name = "version", description = "Show the Capsa version information")
    static final class Version implements Callable<Integer> {
        @ParentCommand CapsaCommand root;

        @Override
        public Integer call() {
            root.out.println("Capsa:");
            root.out.println(" Version:           " + CapsaMain.VERSION);
            root.out.println(" OCI runtime spec:  " + ContainerRuntime.OCI_VERSION);
            root.out.println(" Java:              " + System.getProperty("java.runtime.version"));
            root.out.println(" OS/Arch:           " + Platform.host());
            root.out.println(" Cgroups:           " + (io.capsa.spec.DefaultSpec.isCgroup2Unified() ? "v2" : "v1"));
            return 0;
        }
    }

    /** What a detached --rm container's monitor runs when it exits (not for people). */
    @Command(name = "container-cleanup", hidden = true)
    static final class Cleanup implements Callable<Integer> {
        @ParentCommand CapsaCommand root;
        @Parameters(index = "0") String id;

        @Override
        public Integer call() {
            root.containers().cleanup(id);
            return 0;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
