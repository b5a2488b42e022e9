package io.capsa.seccomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.sys.LibSeccomp;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.SeccompAgent;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestPaths;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Seccomp in real containers (root): the filter is installed, denied syscalls fail with the configured errno
 * while the rest of the program runs, kill actions kill, Docker's default profile runs a shell, and a notify
 * listener gets the fd and can answer the container's syscalls. Runs against runc with
 * {@code -Dcapsa.test.runtime=/usr/sbin/runc} too.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class SeccompIntegrationTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String DENY_MKDIR = """
            {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
              {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"%s}]}""";

    @BeforeAll
    static void rootAndLibseccomp() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(LibSeccomp.available(), "libseccomp.so.2 is not installed");
    }

    static TestBundle bundle(String seccompJson, boolean nnp, String script) throws Exception {
        JsonNode s = M.readTree(seccompJson);
        return TestBundle.create().noNewPrivileges(nnp).args("sh", "-c", script)
                .edit(c -> ((ObjectNode) c.get("linux")).set("seccomp", s));
    }

    @Test
    void deniedSyscallFailsWithEpermAndTheProgramGoesOn() throws Exception {
        for (boolean nnp : new boolean[] {true, false}) {
            try (CapsaRun capsa = new CapsaRun();
                 TestBundle b = bundle(DENY_MKDIR.formatted(""), nnp,
                         "mkdir /tmp/d; echo \"mkdir=$?\"; [ -d /tmp/d ] || echo absent; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; echo end")) {
                CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(r.stdout()).as("nnp=%s", nnp).contains("mkdir=1", "absent", "end")
                        .containsPattern("Seccomp:\\s+2").containsPattern("NoNewPrivs:\\s+" + (nnp ? 1 : 0));
                assertThat(r.stderr()).contains("Operation not permitted");
            }
        }
    }

    @Test
    void customErrnoRet() throws Exception {
        try (CapsaRun capsa = new CapsaRun();
             TestBundle b = bundle(DENY_MKDIR.formatted(", \"errnoRet\": 95"), true, "mkdir /tmp/d; echo \"mkdir=$?\"; echo end")) {
            CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout()).contains("mkdir=1", "end");
            assertThat(r.stderr()).contains("Operation not supported"); // EOPNOTSUPP, 95
        }
    }

    @Test
    void killProcessKillsWithSigsys() throws Exception {
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}""";
        try (CapsaRun capsa = new CapsaRun(); TestBundle b = bundle(profile, true, "echo before; exec mkdir /tmp/d")) {
            CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(128 + 31); // SIGSYS
            assertThat(r.stdout()).isEqualTo("before\n");
        }
    }

    @Test
    void dockerDefaultProfileRunsAShell() throws Exception {
        String script = "echo hi; ls / >/dev/null && echo listed; mkdir /tmp/d && echo made; id -u; "
                + "cat /proc/self/status | grep -E '^Seccomp:'; unshare -n true || echo unshare-denied; "
                + "(sleep 0; echo subshell); exit 3";
        for (boolean nnp : new boolean[] {true, false}) {
            try (CapsaRun capsa = new CapsaRun(); TestBundle b = bundle(resource("docker-default.json"), nnp, script)) {
                CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
                assertThat(r.stdout()).contains("hi", "listed", "made", "0\n", "unshare-denied", "subshell")
                        .containsPattern("Seccomp:\\s+2");
                assertThat(r.stderr()).contains("Operation not permitted"); // unshare
            }
        }
    }

    @Test
    void podmanDefaultProfileRunsAShell() throws Exception {
        String script = "echo hi; ls / >/dev/null && echo listed; mkdir /tmp/d && echo made; "
                + "grep -E '^Seccomp:' /proc/self/status; (sleep 0; echo subshell); exit 4";
        for (boolean nnp : new boolean[] {true, false}) {
            try (CapsaRun capsa = new CapsaRun(); TestBundle b = bundle(resource("podman-default.json"), nnp, script)) {
                CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
                assertThat(r.stdout()).contains("hi", "listed", "made", "subshell").containsPattern("Seccomp:\\s+2");
            }
        }
    }

    static String resource(String name) throws Exception {
        try (InputStream in = SeccompIntegrationTest.class.getResourceAsStream(name)) {
            return M.readTree(in).toString();
        }
    }

    @Test
    void notifyListenerReceivesTheFdAndAnswers() throws Exception {
        Path dir = TestPaths.newDir("agent-");
        try (SeccompAgent agent = SeccompAgent.listen(dir.resolve("agent.sock"))) {
            String profile = """
                    {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s", "listenerMetadata": "meta-42",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}"""
                    .formatted(agent.path());
            for (boolean nnp : new boolean[] {true, false}) {
                try (CapsaRun capsa = new CapsaRun();
                     TestBundle b = bundle(profile, nnp, "mkdir /tmp/d; echo \"mkdir=$?\"; echo end")) {
                    String id = capsa.newId();
                    CompletableFuture<String[]> served = CompletableFuture.supplyAsync(() -> {
                        SeccompAgent.Received got = agent.accept(Duration.ofSeconds(60));
                        try {
                            String link = SeccompAgent.describe(got.fd());
                            SeccompAgent.Notification n = SeccompAgent.receive(got.fd(), Duration.ofSeconds(60));
                            SeccompAgent.respond(got.fd(), n.id(), 0, 18); // EXDEV
                            return new String[] {got.message(), link, Integer.toString(n.nr()), Integer.toString(n.pid())};
                        } finally {
                            SeccompAgent.close(got.fd());
                        }
                    });
                    CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
                    String[] s = served.get(60, TimeUnit.SECONDS);
                    assertThat(r.exitCode()).as(r.toString()).isZero();
                    assertThat(r.stdout()).contains("mkdir=1", "end");
                    assertThat(r.stderr()).contains("Invalid cross-device link"); // the agent's answer
                    assertThat(s[1]).isEqualTo("anon_inode:seccomp notify");
                    assertThat(Integer.parseInt(s[2])).isIn(83, 258); // mkdir, mkdirat (x86_64)
                    JsonNode msg = M.readTree(s[0]);
                    assertThat(msg.path("ociVersion").asText()).isNotEmpty();
                    assertThat(msg.path("fds").toString()).isEqualTo("[\"seccompFd\"]");
                    assertThat(msg.path("metadata").asText()).isEqualTo("meta-42");
                    assertThat(msg.path("pid").asInt()).isPositive();
                    assertThat(msg.at("/state/id").asText()).isEqualTo(id);
                    assertThat(msg.at("/state/status").asText()).isEqualTo("creating");
                    assertThat(msg.at("/state/pid").asInt()).isEqualTo(msg.path("pid").asInt());
                    assertThat(msg.at("/state/bundle").asText()).isEqualTo(b.dir().toString());
                }
            }
        }
    }

    @Test
    void execGetsTheContainersFilter() throws Exception {
        for (boolean nnp : new boolean[] {true, false}) {
            try (CapsaRun capsa = new CapsaRun();
                 TestBundle b = bundle(DENY_MKDIR.formatted(", \"errnoRet\": 95"), nnp, "echo up; exec sleep 300")) {
                String id = capsa.newId();
                capsa.run("create", "--bundle", b.dir().toString(), id).assertOk();
                capsa.run("start", id).assertOk();
                CapsaRun.Result r = capsa.run("exec", id, "sh", "-c",
                        "mkdir /tmp/e; echo \"mkdir=$?\"; grep -E '^Seccomp:' /proc/self/status; exit 5");
                assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
                assertThat(r.stdout()).contains("mkdir=1").containsPattern("Seccomp:\\s+2");
                assertThat(r.stderr()).contains("Operation not supported");
                capsa.run("kill", id, "KILL").assertOk();
            }
        }
    }

    @Test
    void execHandsItsOwnNotifyFdToTheAgent() throws Exception {
        Path dir = TestPaths.newDir("agent-");
        try (SeccompAgent agent = SeccompAgent.listen(dir.resolve("agent.sock"));
             CapsaRun capsa = new CapsaRun()) {
            String profile = """
                    {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s",
                     "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}""".formatted(agent.path());
            try (TestBundle b = bundle(profile, true, "exec sleep 300")) {
                String id = capsa.newId();
                CompletableFuture<String> atCreate = CompletableFuture.supplyAsync(() -> {
                    SeccompAgent.Received got = agent.accept(Duration.ofSeconds(60));
                    SeccompAgent.close(got.fd());
                    return got.message();
                });
                capsa.run("create", "--bundle", b.dir().toString(), id).assertOk();
                JsonNode created = M.readTree(atCreate.get(60, TimeUnit.SECONDS));
                assertThat(created.at("/state/status").asText()).isEqualTo("creating");
                int initPid = created.path("pid").asInt();
                capsa.run("start", id).assertOk();

                CompletableFuture<String[]> served = CompletableFuture.supplyAsync(() -> {
                    SeccompAgent.Received got = agent.accept(Duration.ofSeconds(60));
                    try {
                        SeccompAgent.Notification n = SeccompAgent.receive(got.fd(), Duration.ofSeconds(60));
                        SeccompAgent.respond(got.fd(), n.id(), 0, 0); // "success" without doing it
                        return new String[] {got.message(), Integer.toString(n.pid())};
                    } finally {
                        SeccompAgent.close(got.fd());
                    }
                });
                CapsaRun.Result r = capsa.run("exec", id, "sh", "-c", "mkdir /tmp/e; echo \"mkdir=$?\"; [ -d /tmp/e ] || echo absent");
                String[] s = served.get(60, TimeUnit.SECONDS);
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(r.stdout()).contains("mkdir=0", "absent"); // the agent said yes but made nothing
                JsonNode msg = M.readTree(s[0]);
                assertThat(msg.at("/state/status").asText()).isEqualTo("running");
                assertThat(msg.at("/state/pid").asInt()).isEqualTo(initPid);
                assertThat(msg.path("pid").asInt()).isPositive().isNotEqualTo(initPid);
                assertThat(msg.has("metadata")).isFalse();
                capsa.run("kill", id, "KILL").assertOk();
            }
        }
    }

    @Test
    void unreachableListenerFailsCreateAndLeavesNothing() throws Exception {
        Path dir = TestPaths.newDir("agent-");
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s",
                 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}""".formatted(dir.resolve("nobody.sock"));
        try (CapsaRun capsa = new CapsaRun(); TestBundle b = bundle(profile, true, "true")) {
            String id = capsa.newId();
            CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            if (capsa.runtime().endsWith("capsa-runtime"))
                assertThat(r.stderr()).contains("linux.seccomp.listenerPath", "nobody.sock", "No such file or directory");
            assertThat(capsa.leftovers(id, b)).isEmpty();
            assertThat(capsa.run("list", "-q").stdout()).doesNotContain(id);
        }
    }

    @Test
    void badProfileFailsCreateNamingTheFieldAndLeavesNothing() throws Exception {
        String profile = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}, {"names": ["rmdir"], "action": "SCMP_ACT_FOO"}]}""";
        try (CapsaRun capsa = new CapsaRun(); TestBundle b = bundle(profile, true, "true")) {
            assumeTrue(capsa.runtime().endsWith("capsa-runtime"), "the message is Capsa's");
            String id = capsa.newId();
            CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.stderr()).contains("linux.seccomp.syscalls[1].action", "SCMP_ACT_FOO");
            assertThat(capsa.leftovers(id, b)).isEmpty();
        }
    }
}
