package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestCgroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** create / start / state / list / kill / delete / run / exec, as runc's command line has them. */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class LifecycleTest extends ContainerTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void createWaitsForStartThenRunsStopsAndIsDeleted() throws Exception {
        Path out = sharedDir();
        TestBundle b = sh("touch /out/started; while :; do sleep 1; done")
                .bind(out.toString(), "/out").annotation("org.capsa.test", "lifecycle");
        String id = capsa.newId();
        Path pidFile = out.resolve("ct.pid");
        create(b, id, "--pid-file", pidFile.toString());

        // created: the process exists, sits in its cgroup, but has not run the user's program
        JsonNode st = state(id);
        assertThat(st.path("ociVersion").asText()).isNotEmpty();
        assertThat(st.path("id").asText()).isEqualTo(id);
        assertThat(st.path("status").asText()).isEqualTo("created");
        assertThat(st.path("bundle").asText()).isEqualTo(b.dir().toString());
        assertThat(st.path("annotations").path("org.capsa.test").asText()).isEqualTo("lifecycle");
        long pid = st.path("pid").asLong();
        assertThat(pid).isPositive();
        assertThat(read(pidFile)).isEqualTo(Long.toString(pid));
        assertThat(Path.of("/proc", Long.toString(pid))).exists();
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"))).contains(":" + b.cgroupsPath() + "\n");
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString()).doesNotContain("busybox");
        assertThat(out.resolve("started")).doesNotExist();

        // list: table, json, quiet
        String table = capsa.run("list").assertOk().stdout();
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+")).containsExactly("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        assertThat(table.lines().skip(1).toList()).singleElement().satisfies(row ->
                assertThat(row.split("\\s+")).startsWith(id, Long.toString(pid), "created", b.dir().toString()));
        JsonNode list = JSON.readTree(capsa.run("list", "--format", "json").assertOk().stdout());
        assertThat(list.isArray()).isTrue();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo(id);
        assertThat(list.get(0).path("status").asText()).isEqualTo("created");
        assertThat(list.get(0).path("pid").asLong()).isEqualTo(pid);
        assertThat(list.get(0).path("bundle").asText()).isEqualTo(b.dir().toString());
        assertThat(capsa.run("list", "-q").assertOk().stdout()).isEqualTo(id + "\n");

        // start: the program runs; state says running with the same pid
        capsa.run("start", id).assertOk();
        assertThat(await(() -> Files.exists(out.resolve("started")), WAIT)).as("the container's program ran").isTrue();
        st = state(id);
        assertThat(st.path("status").asText()).isEqualTo("running");
        assertThat(st.path("pid").asLong()).isEqualTo(pid);

        // a second start is refused
        CapsaRun.Result again = capsa.run("start", id);
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.stderr()).contains(id);

        // stopped once the process is gone
        capsa.run("kill", id, "KILL").assertOk();
        assertThat(await(() -> state(id).path("status").asText().equals("stopped"), WAIT)).isTrue();
        assertThat(capsa.run("list", "--format", "json").assertOk().stdout()).contains("\"stopped\"");

        // delete (no --force needed) removes everything
        capsa.run("delete", id).assertOk();
        CapsaRun.Result gone = capsa.run("state", id);
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains(id);
        assertNothingLeft(id, b);
        assertThat(capsa.run("list", "-q").assertOk().stdout()).isEmpty();
    }

    @Test
    void deleteOfARunningContainerNeedsForce() {
        TestBundle b = sh("while :; do sleep 1; done");
        String id = capsa.newId();
        capsa.run("run", "--detach", "--bundle", b.dir().toString(), id).assertOk();
        JsonNode st = state(id);
        assertThat(st.path("status").asText()).isEqualTo("running");
        long pid = st.path("pid").asLong();

        CapsaRun.Result r = capsa.run("delete", id);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains(id, "running");
        assertThat(state(id).path("status").asText()).isEqualTo("running");

        capsa.run("delete", "--force", id).assertOk();
        assertThat(await(() -> gone(pid), WAIT)).as("process " + pid + " gone").isTrue();
        assertNothingLeft(id, b);
    }

    @Test
    void deleteOfACreatedContainerRemovesItsWaitingProcess() {
        TestBundle b = sh("echo should-not-run");
        String id = capsa.newId();
        CapsaRun.Started c = create(b, id);
        long pid = state(id).path("pid").asLong();
        capsa.run("delete", id).assertOk();
        assertThat(await(() -> gone(pid), WAIT)).as("process " + pid + " gone").isTrue();
        assertNothingLeft(id, b);
        assertThat(c.stdout()).doesNotContain("should-not-run");
    }

    @Test
    void aCreateKilledHalfwayIsFullyRemovedByDeleteForce() throws Exception {
        Path dir = sharedDir();
        // the runtime is killed while its createRuntime hook runs: the container's process and cgroup exist then
        TestBundle b = sh("echo should-not-run").shellHook("createRuntime", "touch " + dir.resolve("in-hook") + "; sleep 3");
        String id = capsa.newId();
        CapsaRun.Started create = capsa.cmd("create", "--bundle", b.dir().toString(), id).start();
        awaitMarker(dir.resolve("in-hook"), create);
        create.process().destroyForcibly(); // SIGKILL: no cleanup of its own
        create.process().waitFor();
        assertThat(capsa.root().resolve(id)).isDirectory();
        assertThat(TestCgroups.dirs(b.cgroupsPath())).isNotEmpty();

        assertThat(capsa.run("list", "-q").assertOk().stdout()).isEqualTo(id + "\n");
        capsa.run("delete", "--force", id).assertOk();
        assertNothingLeft(id, b);
        assertThat(create.stdout()).doesNotContain("should-not-run");
    }

    @Test
    void runPassesTheExitStatusThroughAndLeavesNothing() {
        TestBundle b = sh("echo out; echo err >&2; exit 42");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(42);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(errors(r)).isEqualTo("err\n");
        assertNothingLeft(id, b);
    }

    @Test
    void runOfAProcessKilledBySignalExitsWith128PlusTheSignal() {
        Path out = sharedDir();
        TestBundle b = sh("touch /out/ready; while :; do sleep 1; done").bind(out.toString(), "/out");
        String id = capsa.newId();
        CapsaRun.Started run = capsa.cmd("run", "--bundle", b.dir().toString(), id).start();
        awaitMarker(out.resolve("ready"), run);
        capsa.run("kill", id, "KILL").assertOk();
        CapsaRun.Result r = run.waitFor(WAIT);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(128 + 9);
        assertNothingLeft(id, b);
    }

    @Test
    void signalsReachTheContainerProcessByNameAndNumber() {
        Path out = sharedDir();
        TestBundle b = sh("""
                trap 'echo USR1 >> /out/log' USR1
                trap 'echo HUP >> /out/log' HUP
                trap 'echo TERM >> /out/log; exit 7' TERM
                touch /out/ready
                while :; do sleep 0.1; done
                """).bind(out.toString(), "/out");
        String id = capsa.newId();
        CapsaRun.Started run = capsa.cmd("run", "--bundle", b.dir().toString(), id).start();
        awaitMarker(out.resolve("ready"), run);
        Path log = out.resolve("log");
        capsa.run("kill", id, "USR1").assertOk();
        assertThat(await(() -> Files.exists(log) && read(log).equals("USR1\n"), WAIT)).as("USR1 by name").isTrue();
        capsa.run("kill", id, "SIGHUP").assertOk();
        assertThat(await(() -> read(log).equals("USR1\nHUP\n"), WAIT)).as("SIGHUP").isTrue();
        capsa.run("kill", id, "10").assertOk();
        assertThat(await(() -> read(log).equals("USR1\nHUP\nUSR1\n"), WAIT)).as("10 (USR1) by number").isTrue();
        capsa.run("kill", id).assertOk(); // SIGTERM by default
        CapsaRun.Result r = run.waitFor(WAIT);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(7);
        assertThat(read(log)).isEqualTo("USR1\nHUP\nUSR1\nTERM\n");
        assertNothingLeft(id, b);
    }

    @Test
    void killAllReachesEveryProcessOfTheContainer() {
        // no pid namespace: killing the init would not take the others with it
        Path out = sharedDir();
        TestBundle b = sh("sleep 1000 & sleep 1000 & touch /out/ready; wait").bind(out.toString(), "/out").removeNamespace("pid");
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        assertThat(await(() -> Files.exists(out.resolve("ready")), WAIT)).isTrue();
        List<Long> pids = List.copyOf(TestCgroups.pids(b.cgroupsPath()));
        assertThat(pids).hasSize(3);
        capsa.run("kill", "--all", id, "KILL").assertOk();
        assertThat(await(() -> TestCgroups.pids(b.cgroupsPath()).isEmpty(), WAIT)).isTrue();
        assertThat(await(() -> state(id).path("status").asText().equals("stopped"), WAIT)).isTrue();
        CapsaRun.Result stopped = capsa.run("kill", id, "KILL");
        assertThat(stopped.exitCode()).isNotZero(); // as runc: not running
        capsa.run("delete", id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void execRunsInTheRunningContainersNamespaces() {
        TestBundle b = sh("while :; do sleep 1; done").hostname("exec-box");
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        CapsaRun.Result r = capsa.run("exec", id, "sh", "-c", "echo $(hostname) $(cat /proc/1/cmdline | tr '\\0' ' '); exit 3");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("exec-box sh -c while :; do sleep 1; done\n");
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    /** No such process, or a zombie waiting for its new parent (init) to reap it. */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private JsonNode state(String id) {
        CapsaRun.Result r = capsa.run("state", id).assertOk();
        try {
            return JSON.readTree(r.stdout());
        } catch (Exception e) {
            throw new AssertionError("state JSON: " + r, e);
        }
    }
}
