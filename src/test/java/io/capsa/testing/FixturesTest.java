package io.capsa.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The fixtures themselves: rootfs layout and config edits (no container is run). */
class FixturesTest {
    @Test
    void rootfsHasStaticBusyboxAppletsAndUsers() throws Exception {
        Path r = TestRootfs.template();
        assertThat(TestRootfs.isStatic(r.resolve("bin/busybox"))).isTrue();
        assertThat(Files.readSymbolicLink(r.resolve("bin/sh"))).isEqualTo(Path.of("/bin/busybox"));
        assertThat(r.resolve("bin/ps")).isSymbolicLink();
        assertThat(r.resolve("usr/bin/id")).isSymbolicLink();
        assertThat(Files.readString(r.resolve("etc/passwd"))).contains("root:x:0:0:", "user:x:1000:1000:");
        assertThat(Files.readString(r.resolve("etc/group"))).contains("root:x:0:", "user:x:1000:");
        for (String d : new String[] {"proc", "sys", "dev", "tmp"}) assertThat(r.resolve(d)).isDirectory();
        assertThat((int) Files.getAttribute(r.resolve("tmp"), "unix:mode") & 07777).isEqualTo(01777);
    }

    @Test
    void bundleCopiesRootfsAndWritesTheEditedConfig() throws Exception {
        Path dir;
        try (TestBundle b = TestBundle.create()
                .args("sh", "-c", "echo hi")
                .env("FOO=bar", "TERM=dumb")
                .addNamespace("user").removeNamespace("network")
                .addMount("/data", "tmpfs", "tmpfs", "size=1m")
                .memoryLimit(64 << 20).pidsLimit(20)
                .shellHook("prestart", "true")
                .hostname("box")) {
            dir = b.dir();
            JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            assertThat(c.at("/process/args").toString()).isEqualTo("[\"sh\",\"-c\",\"echo hi\"]");
            assertThat(c.at("/process/terminal").asBoolean()).isFalse();
            assertThat(c.at("/process/env").toString()).contains("FOO=bar", "TERM=dumb").doesNotContain("xterm");
            assertThat(c.at("/linux/namespaces").toString()).contains("\"user\"").doesNotContain("network");
            assertThat(c.at("/linux/cgroupsPath").asText()).startsWith(TestCgroups.PARENT + "/").isEqualTo(b.cgroupsPath());
            assertThat(c.at("/linux/resources/memory/limit").asLong()).isEqualTo(64 << 20);
            assertThat(c.at("/linux/resources/pids/limit").asLong()).isEqualTo(20);
            assertThat(c.at("/hooks/prestart/0/args").toString()).isEqualTo("[\"sh\",\"-c\",\"true\"]");
            assertThat(c.at("/mounts").toString()).contains("/data");
            assertThat(c.at("/hostname").asText()).isEqualTo("box");
            assertThat(b.rootfs().resolve("bin/busybox")).isRegularFile();
            assertThat(Files.getAttribute(b.rootfs().resolve("home/user"), "unix:uid")).isEqualTo(1000);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.rootfs().resolve("root")))).isEqualTo("rwx------");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void mountinfoEscapesAreDecoded() {
        assertThat(TestPaths.unescape("/a\\040b\\011c")).isEqualTo("/a b\tc");
        assertThat(TestPaths.unescape("/plain")).isEqualTo("/plain");
    }
}
