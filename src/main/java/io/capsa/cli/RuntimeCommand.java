package io.capsa.cli;

import io.capsa.runtime.ContainerRuntime;
import io.capsa.spec.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The root of {@code capsa-runtime}: runc's global flags, and the context every subcommand works in. */
@Command(name = "capsa-runtime", mixinStandardHelpOptions = false,
        description = "Capsa, an OCI container runtime (runc's command line)")
final class RuntimeCommand implements Runnable {
    /**
     * The subcommands, by name. Only the one a command line names is registered with picocli (registering means
     * reflecting over its annotations, which a cold JVM pays for on every command); help registers them all.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("create", RuntimeCommands.Create::new);
        SUBCOMMANDS.put("start", RuntimeCommands.Start::new);
        SUBCOMMANDS.put("run", RuntimeCommands.Run::new);
        SUBCOMMANDS.put("exec", RuntimeCommands.Exec::new);
        SUBCOMMANDS.put("state", RuntimeCommands.StateCmd::new);
        SUBCOMMANDS.put("kill", RuntimeCommands.Kill::new);
        SUBCOMMANDS.put("delete", RuntimeCommands.Delete::new);
        SUBCOMMANDS.put("list", RuntimeCommands.ListCmd::new);
        SUBCOMMANDS.put("pause", ResourceCommands.Pause::new);
        SUBCOMMANDS.put("resume", ResourceCommands.Resume::new);
        SUBCOMMANDS.put("update", ResourceCommands.Update::new);
        SUBCOMMANDS.put("events", ResourceCommands.Events::new);
        SUBCOMMANDS.put("ps", ResourceCommands.Ps::new);
        SUBCOMMANDS.put("spec", RuntimeCommands.SpecCmd::new);
        SUBCOMMANDS.put("features", RuntimeCommands.FeaturesCmd::new);
        SUBCOMMANDS.put("help", picocli.CommandLine.HelpCommand::new);
    }

    final Map<String, String> env;
    final Path cwd;
    final PrintStream out;
    final PrintStream err;
    final long started = System.nanoTime();

    @Option(names = "--root", description = "root directory for storage of container state (default: /run/capsa)")
    String root = "/run/capsa";

    @Option(names = "--log", description = "set the log file to write runtime logs to (default: stderr)")
    Path log;

    @Option(names = "--log-format", description = "set the log format ('text' (default), or 'json')")
    String logFormat = "text";

    @Option(names = "--debug", description = "enable debug logging")
    boolean debug;

    @Option(names = "--systemd-cgroup", description = "use systemd cgroup driver (cgroupsPath as slice:prefix:name)")
    boolean systemdCgroup;

    @Option(names = "--rootless", arity = "0..1", description = "ignored (accepted for runc compatibility)")
    String rootless;

    @Option(names = "--criu", description = "ignored (accepted for runc compatibility)")
    String criu;

    @Option(names = {"-v", "--version"}, description = "print the version")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    RuntimeCommand(Map<String, String> env, Path cwd, PrintStream out, PrintStream err) {
        this.env = env;
        this.cwd = cwd;
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        if (version) {
            out.println("capsa-runtime version " + RuntimeMain.VERSION);
            out.println("spec: " + RuntimeMain.SPEC_VERSION);
            return;
        }
        new picocli.CommandLine(this).usage(out);
    }

    ContainerRuntime runtime() {
        return new ContainerRuntime(resolve(root), this::warn, this::debug, systemdCgroup);
    }

    Path resolve(String p) {
        return cwd.resolve(p).normalize();
    }

    void warn(String msg) {
        log("warning", msg);
    }

    void debug(String msg) {
        if (debug) log("debug", String.format("%.1f ms: %s", (System.nanoTime() - started) / 1e6, msg));
    }

    /** Reports a failed command the way runc does: on stderr, and in the log file when one is given. */
    int fail(Throwable e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (debug) e.printStackTrace(err);
        return fail(msg);
    }

    int fail(String msg) {
        log("error", msg);
        return 1;
    }

    private void log(String level, String msg) {
        String line;
        if ("json".equals(logFormat)) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("level", level);
            m.put("msg", msg);
            m.put("time", Instant.now().toString());
            line = Json.toJson(m);
        } else {
            line = "time=\"" + Instant.now() + "\" level=" + level + " msg=\"" + msg.replace("\"", "\\\"") + "\"";
        }
        if (log != null) {
            try {
                Files.writeString(resolve(log.toString()), line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException ex) {
                err.println("capsa-runtime: cannot write log " + log + ": " + ex.getMessage());
            }
        }
        if (log == null || level.equals("error")) err.println(level.equals("error") ? "capsa-runtime: " + msg : line);
    }
}
