package io.capsa.cli;

import io.capsa.runtime.ContainerRuntime;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code capsa-runtime}: the OCI runtime with runc's command line. {@link #execute} is a function of
 * (args, env, cwd, stdio) so a resident JVM could serve commands later; {@link #main} binds it to this process.
 */
public final class RuntimeMain {
    private RuntimeMain() {}

    public static void main(String[] args) {
        int rc = execute(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(rc);
    }

    /** Runs one command line and returns its exit status. */
    public static int execute(String[] args, Map<String, String> env, Path cwd, PrintStream out, PrintStream err) {
        RuntimeCommand root = new RuntimeCommand(env, cwd, out, err);
        CommandLine cl = new CommandLine(root);
        String sub = subcommand(args);
        if (sub != null && !sub.equals("help") && RuntimeCommand.SUBCOMMANDS.containsKey(sub)) {
            cl.addSubcommand(sub, RuntimeCommand.SUBCOMMANDS.get(sub).get());
        } else {
            // no subcommand, an unknown one, or "help [COMMAND]": all of them
            RuntimeCommand.SUBCOMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        // every subcommand takes -h/--help, as runc's (urfave/cli) do: usage on stdout, exit 0
        for (CommandLine c : cl.getSubcommands().values()) {
            if (c.getCommandSpec().optionsMap().containsKey("--help")) continue;
            c.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("show help").build());
        }
        // as runc (urfave/cli): after the container id everything is the command, "exec ID sh -c X" included
        cl.setStopAtPositional(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> root.fail(ex));
        cl.setParameterExceptionHandler((ex, a) -> {
            root.fail(ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    /** The global options that take a value (runc's), to find the subcommand without parsing everything. */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--root", "--log", "--log-format", "--criu");

    /** The name of the subcommand (the first argument that is not a global option or its value), or null. */
    static String subcommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) return a.equals("ls") ? "list" : a;
            if (VALUED.contains(a)) i++;
        }
        return null;
    }

    /** The runtime's identity for --version. */
    static final String VERSION = "0.1.0";
    static final String SPEC_VERSION = ContainerRuntime.OCI_VERSION;
}
