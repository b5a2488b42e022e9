package io.capsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every subcommand of capsa-runtime prints its usage for --help and -h and exits 0, as runc's do. */
class RuntimeHelpTest {
    record Result(int rc, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = RuntimeMain.execute(args, Map.of(), Path.of("/"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<String> commands() {
        return RuntimeCommand.SUBCOMMANDS.keySet().stream().filter(n -> !n.equals("help")).toList();
    }

    @Test
    void everySubcommandTakesHelp() {
        assertThat(commands()).contains("create", "run", "exec", "kill", "delete", "update", "ps", "features");
        for (String sub : commands()) {
            for (String flag : List.of("--help", "-h")) {
                Result r = run(sub, flag);
                assertThat(r.rc()).as(sub + " " + flag + ": " + r.err()).isZero();
                assertThat(r.out()).as(sub + " " + flag).startsWith("Usage: capsa-runtime " + sub);
                assertThat(r.err()).as(sub + " " + flag).isEmpty();
            }
        }
    }

    @Test
    void helpWithGlobalOptionsBeforeTheSubcommand() {
        Result r = run("--root", "/nonexistent", "--log-format", "json", "create", "--help");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).startsWith("Usage: capsa-runtime create").contains("--bundle", "--console-socket", "--pid-file");
    }

    @Test
    void helpAfterOtherFlagsOfTheSubcommand() {
        Result r = run("exec", "--tty", "--help");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: capsa-runtime exec").contains("--console-socket");
    }

    @Test
    void helpCommandNamesEverySubcommandAndShowsEach() {
        Result all = run("help");
        assertThat(all.rc()).isZero();
        for (String sub : commands()) assertThat(all.out()).contains(sub);
        for (String sub : commands()) {
            Result r = run("help", sub);
            assertThat(r.rc()).as("help " + sub + ": " + r.err()).isZero();
            assertThat(r.out()).as("help " + sub).startsWith("Usage: capsa-runtime " + sub);
        }
        assertThat(run("--help").out()).startsWith("Usage: capsa-runtime").contains("create", "exec");
    }

    @Test
    void aMissingContainerIdIsStillAnError() {
        Result r = run("create");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("Missing required parameter");
    }
}
