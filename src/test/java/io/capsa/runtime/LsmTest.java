package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * LSMs: Capsa applies neither AppArmor profiles nor SELinux labels, so it says so in {@code features} and refuses a
 * config (or an exec) that asks for one with an error naming the field (as runc does where AppArmor is absent),
 * instead of running the container unconfined.
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class LsmTest extends ContainerTestSupport {
    private static boolean hostHasAppArmor() {
        try {
            Path p = Path.of("/sys/module/apparmor/parameters/enabled");
            return Files.exists(p) && Files.readString(p).strip().equals("Y");
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean hostHasSelinux() {
        return Files.exists(Path.of("/sys/fs/selinux/enforce"));
    }

    @Test
    void featuresSaysNeitherAppArmorNorSelinux() throws Exception {
        JsonNode f = new ObjectMapper().readTree(capsa.run("features").assertOk().stdout());
        assertThat(f.at("/linux/apparmor/enabled").asBoolean(true)).isFalse();
        assertThat(f.at("/linux/selinux/enabled").asBoolean(true)).isFalse();
    }

    @Test
    void anAppArmorProfileIsAClearErrorAndLeavesNothing() {
        assumeFalse(hostHasAppArmor(), "AppArmor is enabled here");
        TestBundle b = sh("true");
        b.config().withObjectProperty("process").put("apparmorProfile", "docker-default");
        createFails(b, "process.apparmorProfile", "AppArmor");
    }

    @Test
    void anSelinuxLabelIsIgnoredWhereSelinuxIsDisabledAsRunc() {
        assumeFalse(hostHasSelinux(), "SELinux is enabled here");
        TestBundle b = sh("true");
        b.config().withObjectProperty("process").put("selinuxLabel", "system_u:system_r:container_t:s0:c1,c2");
        String id = capsa.newId();
        capsa.run("run", "--bundle", b.write().dir().toString(), id).assertOk();
        assertNothingLeft(id, b);
    }

    @Test
    void execWithAnAppArmorProfileIsAClearErrorAProcessLabelIgnoredWithoutSelinux() {
        TestBundle b = sh("sleep 600");
        String id = capsa.newId();
        capsa.run("run", "-d", "--bundle", b.dir().toString(), id).assertOk();
        CapsaRun.Result aa = capsa.run("exec", "--apparmor", "docker-default", id, "true");
        assertThat(aa.exitCode()).as(aa.toString()).isNotZero();
        assertThat(aa.stderr()).contains("apparmorProfile", "AppArmor");
        if (!hostHasSelinux())
            capsa.run("exec", "--process-label", "system_u:system_r:container_t:s0", id, "true").assertOk();
        capsa.run("delete", "-f", id).assertOk();
        assertNothingLeft(id, b);
    }

    private void createFails(TestBundle b, String... expected) {
        String id = capsa.newId();
        CapsaRun.Result r = capsa.run("create", "--bundle", b.dir().toString(), id);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        assertThat(r.stderr()).as(r.toString()).contains(expected);
        assertNothingLeft(id, b);
    }
}
