package io.capsa.cli;

import io.capsa.front.Containers;
import io.capsa.image.Images;
import io.capsa.image.registry.RegistryClient;
import io.capsa.image.store.ImageStore;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The root of {@code capsa}: global flags, and the context every subcommand works in. */
@Command(name = "capsa", description = "Capsa: run containers from OCI and Docker images")
final class CapsaCommand implements Runnable {
    /**
     * The subcommands by name, made on demand: a command line registers only the one it names (each
     * registration costs picocli reflection at start-up); help and unknown names get all of them.
     */
    static final Map<String, java.util.function.Supplier<Object>> SUBCOMMANDS = new java.util.LinkedHashMap<>();

    static {
        SUBCOMMANDS.put("run", ContainerCommands.Run::new);
        SUBCOMMANDS.put("exec", ContainerCommands.Exec::new);
        SUBCOMMANDS.put("ps", ContainerCommands.Ps::new);
        SUBCOMMANDS.put("logs", ContainerCommands.Logs::new);
        SUBCOMMANDS.put("stop", ContainerCommands.Stop::new);
        SUBCOMMANDS.put("kill", ContainerCommands.Kill::new);
        SUBCOMMANDS.put("rm", ContainerCommands.Rm::new);
        SUBCOMMANDS.put("inspect", ContainerCommands.Inspect::new);
        SUBCOMMANDS.put("images", ImageCommands.ImagesCmd::new);
        SUBCOMMANDS.put("pull", ImageCommands.Pull::new);
        SUBCOMMANDS.put("rmi", ImageCommands.Rmi::new);
        SUBCOMMANDS.put("tag", ImageCommands.Tag::new);
        SUBCOMMANDS.put("load", ImageCommands.Load::new);
        SUBCOMMANDS.put("save", ImageCommands.Save::new);
        SUBCOMMANDS.put("login", ImageCommands.Login::new);
        SUBCOMMANDS.put("logout", ImageCommands.Logout::new);
        SUBCOMMANDS.put("version", ContainerCommands.Version::new);
        SUBCOMMANDS.put("container-cleanup", ContainerCommands.Cleanup::new);
        SUBCOMMANDS.put("help", picocli.CommandLine.HelpCommand::new);
    }

    final Map<String, String> env;
    final Path cwd;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final long started = System.nanoTime();

    @Option(names = "--root", description = "where images, containers and volumes are kept (default: /var/lib/capsa)")
    String root = ImageStore.DEFAULT_ROOT.toString();

    @Option(names = "--runroot", description = "the runtime's state directory for the containers (default: /run/capsa-front)")
    String runRoot = "/run/capsa-front";

    @Option(names = "--insecure-registry", description = "a registry (host:port) to reach over plain HTTP or without TLS verification")
    List<String> insecure = new ArrayList<>();

    @Option(names = {"-D", "--debug"}, description = "debug output")
    boolean debug;

    @Option(names = {"-v", "--version"}, description = "print the version and quit")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
    boolean help;

    private Containers containers;
    private Images images;

    CapsaCommand(Map<String, String> env, Path cwd, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.cwd = cwd;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        if (version) {
            out.println("Capsa version " + CapsaMain.VERSION);
            return;
        }
        new picocli.CommandLine(this).usage(out);
    }

    Path storeRoot() {
        return resolve(root);
    }

    Path runRoot() {
        return resolve(runRoot);
    }

    Containers containers() {
        if (containers == null) containers = new Containers(storeRoot(), runRoot(), this::warn, this::debug);
        return containers;
    }

    Images images() {
        if (images == null) {
            RegistryClient.Options d = RegistryClient.Options.defaults();
            images = new Images(containers().images(), new RegistryClient(
                    new RegistryClient.Options(d.credentials(), new LinkedHashSet<>(insecure), d.timeout(), d.retries())));
        }
        return images;
    }

    Path resolve(String p) {
        return cwd.resolve(p).normalize();
    }

    void warn(String msg) {
        err.println("WARNING: " + msg);
    }

    void debug(String msg) {
        if (debug) err.printf("DEBUG %.1f ms: %s%n", (System.nanoTime() - started) / 1e6, msg);
    }

    int fail(Throwable e, boolean run) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (debug) e.printStackTrace(err);
        err.println((run ? "capsa: " : "Error: ") + msg);
        return CapsaMain.exitCode(e, run);
    }

    /**
     * The command line that runs this front end again with {@code args}: this JVM's own (java, its options, class
     * path and main class, from /proc/self/cmdline), else java with this class path. For the exit monitor.
     */
    List<String> selfCommand(List<String> args) {
        List<String> cmd = new ArrayList<>();
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> exe = info.command();
        Optional<String[]> jvmArgs = info.arguments();
        int main = -1;
        if (exe.isPresent() && jvmArgs.isPresent()) {
            String[] a = jvmArgs.get();
            for (int i = 0; i < a.length; i++) if (a[i].equals(CapsaMain.class.getName())) { main = i; break; }
            if (main >= 0) {
                cmd.add(exe.get());
                for (int i = 0; i <= main; i++) cmd.add(a[i]);
            }
        }
        if (main < 0) {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path")));
            String stage = System.getProperty("capsa.stage");
            if (stage != null) cmd.add("-Dcapsa.stage=" + stage);
            cmd.add(CapsaMain.class.getName());
        }
        cmd.addAll(List.of("--root", storeRoot().toString(), "--runroot", runRoot().toString()));
        cmd.addAll(args);
        return cmd;
    }
}
