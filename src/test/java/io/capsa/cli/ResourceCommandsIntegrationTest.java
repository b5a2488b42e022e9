package io.capsa.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestCgroups;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** pause, resume, update, events and ps on real containers (bin/capsa-runtime), on the host's cgroup layout. */
@Tag("integration")
class ResourceCommandsIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A control file of the container's cgroup: v1 in the controller's hierarchy, v2 in the one directory. */
    static Path file(TestBundle b, String v1Controller, String v1Name, String v2Name) {
        for (Path d : TestCgroups.dirs(b.cgroupsPath())) {
            if (TestCgroups.isUnifiedOnly()) {
                return d.resolve(v2Name);
            }
            if (Files.exists(d.resolve(v1Name)) && d.toString().contains("/" + v1Controller)) {
                return d.resolve(v1Name);
            }
        }
        throw new AssertionError("no " + v1Name + " for " + b.cgroupsPath());
    }

    /** A bundle for these tests (no ambient capabilities: they do not matter here). */
    static TestBundle bundle(String... args) {
        TestBundle b = TestBundle.create().args(args);
        b.config().withObjectProperty("process").withObjectProperty("capabilities").remove("ambient");
        return b;
    }

    static String read(Path f) throws Exception {
        return Files.readString(f).strip();
    }

    @Test
    void pauseResumeUpdateEventsPs() throws Exception {
        try (CapsaRun capsa = new CapsaRun();
             TestBundle b = bundle("sh", "-c", "while :; do echo $((i=i+1)) > /tmp/n; done")) {
            b.memoryLimit(256L << 20).pidsLimit(64);
            String id = capsa.newId();
            capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
            long pid = JSON.readTree(capsa.run("state", id).assertOk().stdout()).get("pid").asLong();
            Path counter = b.rootfs().resolve("tmp/n");

            // pause freezes: the counter stops; state says paused; resume thaws
            capsa.run("pause", id).assertOk();
            assertThat(JSON.readTree(capsa.run("state", id).stdout()).get("status").asText()).isEqualTo("paused");
            String frozen = Files.readString(counter);
            Thread.sleep(300);
            assertThat(Files.readString(counter)).isEqualTo(frozen);
            assertThat(capsa.run("pause", id).exitCode()).isNotZero(); // not running
            capsa.run("resume", id).assertOk();
            assertThat(JSON.readTree(capsa.run("state", id).stdout()).get("status").asText()).isEqualTo("running");
            assertThat(capsa.run("resume", id).stderr()).contains("container not paused");

            // update: flags and -r
            capsa.run("update", "--memory", "64m", "--pids-limit", "20", "--cpu-quota", "50000", "--cpu-period", "100000", id)
                    .assertOk();
            assertThat(read(file(b, "memory", "memory.limit_in_bytes", "memory.max"))).isEqualTo(Long.toString(64L << 20));
            assertThat(read(file(b, "pids", "pids.max", "pids.max"))).isEqualTo("20");
            if (TestCgroups.isUnifiedOnly()) {
                assertThat(read(file(b, "cpu", null, "cpu.max"))).isEqualTo("50000 100000");
            } else {
                assertThat(read(file(b, "cpu", "cpu.cfs_quota_us", null))).isEqualTo("50000");
            }
            capsa.cmd("update", "-r", "-", id).stdin("{\"pids\":{\"limit\":30}}").exec().assertOk();
            assertThat(read(file(b, "pids", "pids.max", "pids.max"))).isEqualTo("30");
            assertThat(read(file(b, "memory", "memory.limit_in_bytes", "memory.max"))).isEqualTo(Long.toString(64L << 20));
            assertThat(capsa.run("update", "--memory", "lots", id).stderr()).contains("--memory");

            // events --stats: one runc-shaped JSON event
            JsonNode ev = JSON.readTree(capsa.run("events", "--stats", id).assertOk().stdout());
            assertThat(ev.get("type").asText()).isEqualTo("stats");
            assertThat(ev.get("id").asText()).isEqualTo(id);
            assertThat(ev.at("/data/cpu/usage/total").asLong()).isPositive();
            assertThat(ev.at("/data/memory/usage/limit").asLong()).isEqualTo(64L << 20);
            assertThat(ev.at("/data/pids/current").asLong()).isPositive();
            assertThat(ev.at("/data/pids/limit").asLong()).isEqualTo(30);

            // ps: the init pid, as JSON and in ps's table
            JsonNode pids = JSON.readTree(capsa.run("ps", "--format", "json", id).assertOk().stdout());
            assertThat(pids.isArray()).isTrue();
            boolean found = false;
            for (JsonNode n : pids) {
                found |= n.asLong() == pid;
            }
            assertThat(found).isTrue();
            String table = capsa.run("ps", id).assertOk().stdout();
            assertThat(table.lines().findFirst().orElseThrow()).contains("PID");
            assertThat(table).contains(" " + pid + " ").contains("while");
            String custom = capsa.run("ps", id, "--", "-eo", "pid,comm").assertOk().stdout();
            assertThat(custom.lines().skip(1)).anyMatch(l -> l.strip().startsWith(pid + " "));

            capsa.run("kill", id, "KILL").assertOk();
            capsa.run("delete", "--force", id).assertOk();
        }
    }

    @Test
    void eventsReportsAnOomKill() throws Exception {
        try (CapsaRun capsa = new CapsaRun();
             TestBundle b = bundle("sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; sleep 60")) {
            b.memoryLimit(32L << 20);
            b.linux().withObjectProperty("resources").withObjectProperty("memory").put("swap", 32L << 20);
            String id = capsa.newId();
            capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
            CapsaRun.Started events = capsa.cmd("events", "--interval", "10s", id).start();
            events.awaitStdout("\"type\":\"stats\"", Duration.ofSeconds(30)); // events is watching
            Files.writeString(b.rootfs().resolve("tmp/go"), "");                  // now the hog starts
            events.awaitStdout("\"type\":\"oom\"", Duration.ofSeconds(30));
            assertThat(events.stdout()).contains("\"type\":\"stats\"").contains("\"id\":\"" + id + "\"");
            capsa.run("delete", "--force", id).assertOk();
            assertThat(events.waitFor(Duration.ofSeconds(20)).exitCode()).isZero();
        }
    }
}
