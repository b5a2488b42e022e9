package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The six hook kinds: order, the state on stdin, failures and timeouts. */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class HooksTest extends ContainerTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A hook appending "KIND <its stdin>" to {@code log} (builtins only: it also runs inside the container). */
    private static String logHook(String kind, String log) {
        return "IFS= read -r s; printf '%s %s\\n' " + kind + " \"$s\" >> " + log;
    }

    @Test
    void allHooksRunInOrderWithTheStateOnStdin() throws Exception {
        Path dir = sharedDir();
        String log = dir.resolve("log").toString();
        TestBundle b = sh("echo main").bind(dir.toString(), "/hooklog")
                .shellHook("prestart", logHook("prestart", log))
                .shellHook("createRuntime", logHook("createRuntime", log))
                .shellHook("createContainer", logHook("createContainer", log))
                // startContainer runs in the container: its path and files are the container's
                .shellHook("startContainer", logHook("startContainer", "/hooklog/log"))
                .shellHook("poststart", logHook("poststart", log))
                .shellHook("poststart", "exit 3") // a failing poststart hook is only a warning
                .shellHook("poststop", logHook("poststop", log));
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("main\n");
        assertThat(r.stderr()).contains("hooks.poststart[1]");

        List<String> kinds = new ArrayList<>();
        List<JsonNode> states = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("log"))) {
            int sp = line.indexOf(' ');
            kinds.add(line.substring(0, sp));
            states.add(JSON.readTree(line.substring(sp + 1)));
        }
        assertThat(kinds).containsExactly("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
        long pid = states.get(0).path("pid").asLong();
        assertThat(pid).isPositive();
        for (int i = 0; i < states.size(); i++) {
            JsonNode s = states.get(i);
            assertThat(s.path("id").asText()).as(kinds.get(i)).isEqualTo(id);
            assertThat(s.path("ociVersion").asText()).as(kinds.get(i)).isNotEmpty();
            assertThat(s.path("bundle").asText()).as(kinds.get(i)).isEqualTo(b.dir().toString());
            if (!kinds.get(i).equals("poststop")) assertThat(s.path("pid").asLong()).as(kinds.get(i)).isEqualTo(pid);
        }
        assertThat(states.get(0).path("status").asText()).isEqualTo("creating");
        assertThat(states.get(1).path("status").asText()).isEqualTo("creating");
        assertThat(states.get(2).path("status").asText()).isEqualTo("creating");
        assertThat(states.get(3).path("status").asText()).isIn("created", "creating");
        assertThat(states.get(4).path("status").asText()).isEqualTo("running");
        assertThat(states.get(5).path("status").asText()).isEqualTo("stopped");
        assertNothingLeft(id, b);
    }

    @Test
    void hooksGetTheirArgvAndEnvExactly() throws Exception {
        Path dir = sharedDir();
        Path out = dir.resolve("args");
        TestBundle b = sh("true").hook("createRuntime", "/bin/sh",
                List.of("my-argv0", "-c", "echo \"$0|$1|$FOO|$HOME\" > " + out + "; tr '\\0' ' ' < /proc/$$/cmdline >> " + out, "zero", "one"),
                List.of("FOO=bar"), null);
        capsa.run("run", "--bundle", b.dir().toString(), capsa.newId()).assertOk();
        assertThat(read(out)).startsWith("zero|one|bar|\nmy-argv0 -c ");
    }

    @Test
    void aFailingCreateRuntimeHookFailsCreateAndLeavesNothing() {
        TestBundle b = sh("echo should-not-run").shellHook("createRuntime", "echo hook-says-no >&2; exit 3");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("hooks.createRuntime[0]", "exit status 3", "hook-says-no");
        assertThat(r.stdout()).doesNotContain("should-not-run");
        assertNothingLeft(id, b);
    }

    @Test
    void aFailingCreateContainerHookFailsRunAndLeavesNothing() {
        TestBundle b = sh("echo should-not-run").shellHook("createContainer", "exit 4");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("hooks.createContainer[0]", "exit status 4");
        assertThat(r.stdout()).doesNotContain("should-not-run");
        assertNothingLeft(id, b);
    }

    @Test
    void aHookThatOutlivesItsTimeoutIsKilledAndFailsCreate() throws Exception {
        // a duration nobody else uses, to find a surviving sleep; far longer than the command's timeout (CapsaRun
        // fails the test if create does not end within a minute)
        String secs = "600." + ThreadLocalRandom.current().nextInt(100, 999);
        TestBundle b = sh("true").hook("createRuntime", "/bin/sleep", List.of("sleep", secs), null, 1);
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("hooks.createRuntime[0]", "timed out");
        assertNothingLeft(id, b);
        assertThat(await(() -> !sleepRunning(secs), Duration.ofSeconds(5))).as("the hook process was killed").isTrue();
    }

    private static boolean sleepRunning(String arg) {
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().arguments().map(a -> List.of(a).contains(arg)).orElse(false));
    }
}
