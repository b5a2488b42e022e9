package io.capsa.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** bin/capsa-runtime, the launcher: JDK selection, symlinks, a clean stdout. Runs no container. */
class LauncherTest {
    static final String CP = System.getProperty("java.class.path");

    @Test
    void versionThroughTheLauncher() {
        try (CapsaRun capsa = new CapsaRun()) {
            CapsaRun.Result r = capsa.cmd("--version").withoutRoot().exec();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout()).startsWith("capsa-runtime version");
            assertThat(r.stderr()).isEmpty();
        }
    }

    @Test
    void worksThroughASymlinkFromAnotherDirectory() throws Exception {
        Path dir = TestPaths.newDir("launcher-");
        Path link = Files.createSymbolicLink(dir.resolve("runc"), TestPaths.repo().resolve("bin/capsa-runtime"));
        try (CapsaRun viaLink = new CapsaRun(link)) {
            CapsaRun.Result r = viaLink.cmd("--version").withoutRoot().cwd(dir)
                    .env("CAPSA_CLASSPATH", CP).exec();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout()).startsWith("capsa-runtime version");
        }
    }

    @Test
    void ignoresAJavaHomeOlderThan25AndRefusesABadCapsaJava() {
        Path jdk17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        try (CapsaRun capsa = new CapsaRun()) {
            if (Files.isDirectory(jdk17)) {
                CapsaRun.Result r = capsa.cmd("--version").withoutRoot().env("CAPSA_JAVA", "").env("JAVA_HOME", jdk17.toString())
                        .env("CAPSA_CLASSPATH", CP).exec();
                assertThat(r.exitCode()).as(r.toString()).isZero();
            }
            CapsaRun.Result bad = capsa.cmd("--version").withoutRoot().env("CAPSA_JAVA", "/nonexistent/java").exec();
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.stderr()).contains("CAPSA_JAVA=/nonexistent/java");
            assertThat(bad.stdout()).isEmpty();
        }
    }
}
