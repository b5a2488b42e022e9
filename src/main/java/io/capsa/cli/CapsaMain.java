package io.capsa.cli;

import io.capsa.front.FrontException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code capsa}: the docker-like front end (images, run, ps, logs, ...). {@link #execute} is a function of
 * (args, env, cwd, stdio) as {@link RuntimeMain#execute}; {@link #main} binds it to this process. Its commands
 * are classes of their own ({@link CapsaCommand}, {@link ContainerCommands}, {@link ImageCommands}): the two
 * command lines share the library only.
 */
public final class CapsaMain {
    private CapsaMain() {}

    public static final String VERSION = "0.1.0";

    public static void main(String[] args) {
        int rc = execute(args, System.getenv(), Path.of("").toAbsolutePath(), System.in, System.out, System.err);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(rc);
    }

    /** Runs one command line and returns its exit status. */
    public static int execute(String[] args, Map<String, String> env, Path cwd, InputStream in, PrintStream out, PrintStream err) {
        CapsaCommand root = new CapsaCommand(env, cwd, in, out, err);
        CommandLine cl = new CommandLine(root);
        String sub = subcommand(args);
        if (sub != null && !sub.equals("help") && CapsaCommand.SUBCOMMANDS.containsKey(sub)) {
            cl.addSubcommand(sub, CapsaCommand.SUBCOMMANDS.get(sub).get());
        } else {
            CapsaCommand.SUBCOMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
        }
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // docker run IMAGE CMD...: after the image (and after exec's container) everything is the command
        for (String c : new String[] {"run", "exec"}) {
            CommandLine s = cl.getSubcommands().get(c);
            if (s != null) s.setStopAtPositional(true);
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> root.fail(ex, cmd.getCommandName().equals("run")));
        cl.setParameterExceptionHandler((ex, a) -> {
            String name = ex.getCommandLine().getCommandName();
            err.println("capsa: " + ex.getMessage());
            err.println("See 'capsa " + (ex.getCommandLine() == cl ? "" : name + " ") + "--help'.");
            return 125;
        });
        return cl.execute(args);
    }

    /** The global options that take a value, to find the subcommand without parsing everything. */
    private static final java.util.Set<String> VALUED = java.util.Set.of("--root", "--runroot", "--insecure-registry");

    /** The name of the subcommand (the first argument that is not a global option or its value), or null. */
    static String subcommand(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-")) return a;
            if (VALUED.contains(a)) i++;
        }
        return null;
    }

    /** The exit status of a failed command: run's own (125, 126, 127) for run, 1 otherwise (as docker). */
    static int exitCode(Throwable e, boolean run) {
        if (e instanceof FrontException fe) return run ? fe.exitCode() : fe.exitCode() == 125 ? 1 : fe.exitCode();
        return run ? 125 : 1;
    }
}
