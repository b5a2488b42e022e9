package io.capsa.cli;

import io.capsa.runtime.ContainerRuntime;
import io.capsa.spec.DefaultSpec;
import io.capsa.spec.Features;
import io.capsa.spec.Capabilities;
import io.capsa.spec.Json;
import io.capsa.spec.ProcessSpec;
import io.capsa.spec.SpecLoader;
import io.capsa.spec.SpecValidator;
import io.capsa.spec.User;
import io.capsa.spec.State;
import io.capsa.sys.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc's subcommands, one small class each: parse the flags, call {@link ContainerRuntime}, print. */
final class RuntimeCommands {
    private RuntimeCommands() {}

    /** A subcommand on one container: the global context and the {@code <container-id>} (its first parameter). */
    abstract static class OnContainer implements Callable<Integer> {
        @ParentCommand RuntimeCommand root;
        @Parameters(index = "0", paramLabel = "<container-id>") String id;
    }

    /** Flags shared by create and run. */
    abstract static class CreateLike extends OnContainer {
        @Option(names = {"-b", "--bundle"}, description = "path to the root of the bundle directory (default: current directory)")
        String bundle;

        @Option(names = "--console-socket", description = "path to an AF_UNIX socket which will receive the pty master")
        String consoleSocket;

        @Option(names = "--pid-file", description = "file to write the process id to")
        String pidFile;

        @Option(names = "--no-pivot", description = "do not use pivot_root to jail the process (for ramdisk roots)")
        boolean noPivot;

        @Option(names = "--no-new-keyring", description = "do not create a new session keyring")
        boolean noNewKeyring;

        @Option(names = "--preserve-fds", description = "pass N additional file descriptors to the container (after stdio and LISTEN_FDS)")
        int preserveFds;

        ContainerRuntime.CreateOptions options(boolean detach) {
            int listen = 0;
            List<String> extraEnv = new ArrayList<>();
            String lf = root.env.get("LISTEN_FDS");
            if (lf != null && !lf.isEmpty()) {
                try {
                    listen = Integer.parseInt(lf);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("LISTEN_FDS: not a number: " + lf);
                }
                extraEnv.add("LISTEN_FDS=" + listen);
                extraEnv.add("LISTEN_PID=1");
            }
            if (preserveFds < 0) throw new IllegalArgumentException("--preserve-fds: must not be negative");
            return new ContainerRuntime.CreateOptions(consoleSocket == null ? null : root.resolve(consoleSocket).toString(),
                    pidFile == null ? null : root.resolve(pidFile), noPivot, listen + preserveFds, extraEnv, detach);
        }

        Path bundlePath() {
            return bundle == null ? root.cwd : root.resolve(bundle);
        }
    }

    @Command(name = "create", description = "create a container")
    static final class Create extends CreateLike {
        @Override
        public Integer call() {
            root.runtime().create(id, bundlePath(), options(true));
            return 0;
        }
    }

    @Command(name = "run", description = "create and run a container")
    static final class Run extends CreateLike {
        @Option(names = {"-d", "--detach"}, description = "detach from the container's process")
        boolean detach;

        @Option(names = "--keep", description = "ignored (accepted for runc compatibility)")
        boolean keep;

        @Override
        public Integer call() {
            return root.runtime().run(id, bundlePath(), options(detach));
        }
    }

    @Command(name = "start", description = "execute the user defined process in a created container")
    static final class Start extends OnContainer {
        @Override
        public Integer call() {
            root.runtime().start(id);
            return 0;
        }
    }

    @Command(name = "exec", description = "execute new process inside the container")
    static final class Exec extends OnContainer {
        @Option(names = {"-p", "--process"}, description = "path to the process.json") String processFile;
        @Option(names = {"-e", "--env"}, description = "set environment variables") List<String> env = new ArrayList<>();
        @Option(names = "--cwd", description = "current working directory in the container") String cwd;
        @Option(names = {"-u", "--user"}, description = "UID (format: <uid>[:<gid>])") String user;
        @Option(names = {"-g", "--additional-gids"}, description = "additional gids") List<Long> additionalGids = new ArrayList<>();
        @Option(names = {"-c", "--cap"}, description = "add a capability to the bounding set for the process") List<String> caps = new ArrayList<>();
        @Option(names = {"-t", "--tty"}, description = "allocate a pseudo-TTY") boolean tty;
        @Option(names = "--console-socket", description = "path to an AF_UNIX socket which will receive the pty master") String consoleSocket;
        @Option(names = {"-d", "--detach"}, description = "detach from the container's process") boolean detach;
        @Option(names = "--pid-file", description = "file to write the process id to") String pidFile;
        @Option(names = "--preserve-fds", description = "pass N additional file descriptors to the process") int preserveFds;
        @Option(names = "--no-new-privs", description = "set the no new privileges value for the process") boolean noNewPrivs;
        @Option(names = "--apparmor", description = "set the apparmor profile for the process") String apparmor;
        @Option(names = "--process-label", description = "set the asm process label for the process") String processLabel;
        @Option(names = "--ignore-paused", description = "allow exec in a paused container") boolean ignorePaused;
        @Option(names = "--cgroup", description = "run the process in a sub-cgroup (not supported yet)") String cgroup;
        @Parameters(index = "1..*", paramLabel = "<command>") List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            ContainerRuntime rt = root.runtime();
            ProcessSpec p;
            if (processFile != null) {
                p = SpecLoader.readFile(root.resolve(processFile), ProcessSpec.class);
            } else {
                if (args.isEmpty()) throw new IllegalArgumentException("exec: a command is required (or --process)");
                ProcessSpec base = rt.containerProcess(id);
                List<String> e = new ArrayList<>(base.env() == null ? List.of() : base.env());
                e.addAll(env);
                User u = base.user();
                if (user != null) {
                    String[] ug = user.split(":", 2);
                    try {
                        u = new User(Long.parseLong(ug[0]), ug.length > 1 ? Long.parseLong(ug[1]) : 0L,
                                u == null ? null : u.umask(), null, null);
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException("--user: expected <uid>[:<gid>], got " + user);
                    }
                }
                if (!additionalGids.isEmpty())
                    u = new User(u == null ? 0L : u.uid(), u == null ? 0L : u.gid(), u == null ? null : u.umask(), additionalGids, null);
                Capabilities c = base.capabilities();
                if (!caps.isEmpty()) {
                    c = new Capabilities(plus(c == null ? null : c.bounding(), caps), plus(c == null ? null : c.effective(), caps),
                            c == null ? null : c.inheritable(), plus(c == null ? null : c.permitted(), caps),
                            plus(c == null ? null : c.ambient(), caps));
                }
                p = new ProcessSpec(tty, null, u, args, null, e, cwd != null ? cwd : base.cwd(), c, base.rlimits(),
                        noNewPrivs || Boolean.TRUE.equals(base.noNewPrivileges()), apparmor != null ? apparmor : base.apparmorProfile(),
                        null, base.scheduler(), processLabel != null ? processLabel : base.selinuxLabel(), base.ioPriority(), null);
            }
            SpecValidator.validateProcess(p, "process");
            return rt.exec(id, new ContainerRuntime.ExecOptions(p, consoleSocket == null ? null : root.resolve(consoleSocket).toString(),
                    pidFile == null ? null : root.resolve(pidFile), detach, preserveFds, List.of(), ignorePaused));
        }

        private static List<String> plus(List<String> l, List<String> more) {
            List<String> r = new ArrayList<>(l == null ? List.of() : l);
            for (String m : more) {
                String n = m.startsWith("CAP_") ? m : "CAP_" + m;
                if (!r.contains(n)) r.add(n);
            }
            return r;
        }
    }

    @Command(name = "state", description = "output the state of a container")
    static final class StateCmd extends OnContainer {
        @Override
        public Integer call() {
            root.out.println(Json.toIndentedJson(root.runtime().state(id)));
            return 0;
        }
    }

    @Command(name = "kill", description = "kill sends the specified signal (default: SIGTERM) to the container's init process")
    static final class Kill extends OnContainer {
        @Option(names = {"-a", "--all"}, description = "send the specified signal to all processes inside the container") boolean all;
        @Parameters(index = "1", arity = "0..1", paramLabel = "<signal>") String signal = "SIGTERM";

        @Override
        public Integer call() {
            root.runtime().kill(id, Proc.signal(signal), all);
            return 0;
        }
    }

    @Command(name = "delete", description = "delete any resources held by the container")
    static final class Delete extends OnContainer {
        @Option(names = {"-f", "--force"}, description = "forcibly delete the container if it is still running (uses SIGKILL)") boolean force;

        @Override
        public Integer call() {
            root.runtime().delete(id, force);
            return 0;
        }
    }

    @Command(name = "list", aliases = "ls", description = "lists containers started by capsa-runtime with the given root")
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand RuntimeCommand root;
        @Option(names = {"-f", "--format"}, description = "select one of: table or json (default: table)") String format = "table";
        @Option(names = {"-q", "--quiet"}, description = "display only container IDs") boolean quiet;

        @Override
        public Integer call() {
            List<ContainerRuntime.Listed> all = root.runtime().list();
            if (quiet) {
                for (ContainerRuntime.Listed l : all) root.out.println(l.state().id());
                return 0;
            }
            switch (format) {
                case "json" -> {
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (ContainerRuntime.Listed l : all) {
                        State s = l.state();
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("ociVersion", s.ociVersion());
                        m.put("id", s.id());
                        m.put("pid", s.pid());
                        m.put("status", s.status());
                        m.put("bundle", s.bundle());
                        m.put("rootfs", l.rootfs());
                        m.put("created", l.created());
                        m.put("owner", l.owner());
                        if (s.annotations() != null) m.put("annotations", s.annotations());
                        rows.add(m);
                    }
                    root.out.println(Json.toJson(rows));
                }
                case "table" -> {
                    String fmt = "%-12s %-10s %-10s %-40s %-30s %s%n";
                    root.out.printf(fmt, "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                    for (ContainerRuntime.Listed l : all) {
                        State s = l.state();
                        root.out.printf(fmt, s.id(), s.pid(), s.status(), s.bundle(), l.created(), l.owner().isEmpty() ? "root" : l.owner());
                    }
                }
                default -> throw new IllegalArgumentException("invalid format option: " + format);
            }
            return 0;
        }
    }

    @Command(name = "spec", description = "create a new specification file (config.json)")
    static final class SpecCmd implements Callable<Integer> {
        @ParentCommand RuntimeCommand root;
        @Option(names = {"-b", "--bundle"}, description = "path to the root of the bundle directory") String bundle;
        @Option(names = "--rootless", description = "generate a configuration for a rootless container") boolean rootless;

        @Override
        public Integer call() {
            Path dir = bundle == null ? root.cwd : root.resolve(bundle);
            Path config = dir.resolve("config.json");
            try {
                Files.writeString(config, DefaultSpec.toJson(rootless ? DefaultSpec.rootless() : DefaultSpec.create()),
                        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                throw new IllegalStateException("File " + config + " exists. Remove it first");
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + config + ": " + e.getMessage(), e);
            }
            return 0;
        }
    }

    @Command(name = "features", description = "show the enabled features")
    static final class FeaturesCmd implements Callable<Integer> {
        @ParentCommand RuntimeCommand root;

        @Override
        public Integer call() {
            root.out.println(Features.create(RuntimeMain.VERSION, io.capsa.seccomp.SeccompFeatures.probe()).toJson());
            return 0;
        }
    }
}
