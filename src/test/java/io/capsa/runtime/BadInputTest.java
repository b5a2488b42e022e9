package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Bad input: each refused with a non-zero exit and a message naming the field or file, and nothing left behind
 * (no state under --root, no cgroup in any hierarchy, no mount of the bundle anywhere, no process).
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class BadInputTest extends ContainerTestSupport {

    /** create of the bundle's directory as it is on disk (config.json not rewritten); asserts failure and cleanup. */
    private CapsaRun.Result createFails(TestBundle b, Path bundleDir, String... inMessage) {
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", bundleDir.toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).as(r.toString()).contains(inMessage);
        assertThat(errors(r).lines().count()).as("a short message, not a stack trace: " + r.stderr()).isLessThanOrEqualTo(2);
        assertNothingLeft(id, b);
        return r;
    }

    private CapsaRun.Result createFails(TestBundle b, String... inMessage) {
        return createFails(b, b.dir(), inMessage);
    }

    @Test
    void missingConfigJson() throws Exception {
        TestBundle b = bundle();
        Path dir = b.dir();
        Files.delete(dir.resolve("config.json"));
        createFails(b, dir, "config.json", dir.toString());
    }

    @Test
    void malformedConfigJson() {
        TestBundle b = bundle();
        b.writeRawConfig("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"],\n  \"cwd\": }\n");
        createFails(b, b.rootfs().getParent(), "config.json", "line 2");
    }

    @Test
    void wrongTypeInConfigJson() {
        TestBundle b = bundle();
        b.config().with("process").put("args", "sh -c true"); // must be an array
        createFails(b, "process.args");
    }

    @Test
    void unknownNamespaceType() {
        createFails(sh("true").addNamespace("bogus"), "linux.namespaces[5]", "bogus");
    }

    @Test
    void namespacePathThatDoesNotExist() {
        createFails(sh("true").namespace("network", "/proc/self/ns/no-such-ns"), "linux.namespaces", "/proc/self/ns/no-such-ns");
    }

    @Test
    void bindMountOfAMissingSource() {
        createFails(sh("true").bind("/nonexistent/capsa-test-src", "/mnt/x"), "mounts[7]", "/nonexistent/capsa-test-src");
    }

    @Test
    void mountOfAnUnknownFilesystemType() {
        // fails in the container's set-up, after its process and cgroup exist
        createFails(sh("true").addMount("/mnt/x", "capsanosuchfs", "none"), "mounts[7]", "/mnt/x");
    }

    @Test
    void mountWithOptionsTheKernelRefuses() {
        createFails(sh("true").addMount("/mnt/x", "tmpfs", "tmpfs", "size=banana"), "mounts[7]", "/mnt/x");
    }

    @Test
    void mountWithARelativeDestination() {
        // runc accepts it (relative to /) with a warning or refuses it, depending on the version; either way no leak
        TestBundle b = sh("true").addMount("mnt/rel", "tmpfs", "tmpfs");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        if (!r.ok()) assertThat(r.stderr()).contains("mounts[7]");
        assertNothingLeft(id, b);
    }

    @Test
    void rootfsMissing() throws Exception {
        TestBundle b = sh("true");
        b.config().with("root").put("path", "no-such-rootfs");
        createFails(b, "root.path", "no-such-rootfs");
    }

    @Test
    void cwdNotAbsolute() {
        createFails(sh("true").cwd("tmp"), "process.cwd");
    }

    @Test
    void cwdThatDoesNotExist() {
        // runc creates a missing cwd; Capsa refuses it with the field named
        createFails(sh("true").cwd("/no/such/dir"), "process.cwd", "/no/such/dir");
    }

    @Test
    void programNotFound() {
        createFails(bundle().args("no-such-program", "x"), "process.args", "no-such-program");
    }

    @Test
    void programNotFoundFailsRunToo() {
        TestBundle b = bundle().args("/bin/no-such-program");
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).contains("process.args", "/bin/no-such-program");
        assertNothingLeft(id, b);
    }

    @Test
    void unknownCapability() {
        TestBundle b = sh("true");
        b.config().with("process").with("capabilities").withArray("bounding").add("CAP_BOGUS");
        createFails(b, "process.capabilities.bounding", "CAP_BOGUS");
    }

    @Test
    void unknownRlimit() {
        createFails(sh("true").rlimit("RLIMIT_BOGUS", 1, 1), "process.rlimits[1]", "RLIMIT_BOGUS");
    }

    @Test
    void hostnameWithoutAUtsNamespace() {
        createFails(sh("true").removeNamespace("uts").hostname("box"), "hostname");
    }

    @Test
    void userNamespaceWithoutMappings() {
        createFails(sh("true").addNamespace("user"), "linux.uidMappings");
    }

    @Test
    void terminalWithoutConsoleSocket() {
        createFails(sh("true").terminal(true), "console-socket");
    }

    @Test
    void invalidContainerId() {
        TestBundle b = sh("true");
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), "../escape");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("../escape");
        assertThat(capsa.root().resolveSibling("escape")).doesNotExist();
        assertNothingLeft("x", b);
    }

    @Test
    void duplicateContainerIdIsRefusedAndTheFirstIsUntouched() throws Exception {
        TestBundle b = sh("while :; do sleep 1; done");
        TestBundle other = sh("true");
        String id = capsa.newId();
        create(b, id);
        String before = capsa.run("state", id).assertOk().stdout();
        CapsaRun.Result r = capsa.run("create", "--bundle", other.dir().toString(), id);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains(id, "exists");
        assertThat(capsa.run("state", id).assertOk().stdout()).isEqualTo(before);
        assertThat(processesHolding(other.rootfs())).isEmpty();
        capsa.run("delete", "--force", id).assertOk();
        assertNothingLeft(id, b);
        assertNothingLeft(id, other);
    }

    @Test
    void unknownContainerForEveryCommand() {
        String id = "no-such-container-" + capsa.newId();
        for (String[] cmd : new String[][] {{"state", id}, {"start", id}, {"kill", id, "KILL"}, {"delete", id},
                {"exec", id, "true"}}) {
            CapsaRun.Result r = capsa.run(cmd);
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.stderr()).as(r.toString()).contains(id);
            assertThat(r.stdout()).as(r.toString()).isEmpty();
        }
        assertThat(capsa.run("delete", "--force", id).exitCode()).as("delete --force of nothing is fine, as runc").isZero();
        assertThat(capsa.root().resolve(id)).doesNotExist();
    }
}
