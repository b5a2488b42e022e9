package io.capsa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fixtures against runc (the reference runtime): a busybox bundle runs, output and exit status come back,
 * and CapsaRun's cleanup removes containers, cgroups and state. Proves the fixtures, not Capsa.
 */
@Tag("integration")
class FixturesRuncTest {
    static final Path RUNC = Path.of("/usr/sbin/runc");

    @Test
    void runcRunsTheBusyboxBundleAndCleanupLeavesNothing() {
        assumeTrue(Files.isExecutable(RUNC), "runc not installed");
        String cg;
        String id;
        Path state;
        try (CapsaRun runc = new CapsaRun(RUNC);
             TestBundle b = TestBundle.create().args("sh", "-c", "echo pid=$$ host=$(hostname); id -u; exit 7").hostname("box")) {
            cg = b.cgroupsPath();
            state = runc.root();
            id = runc.newId();
            CapsaRun.Result r = runc.run("run", "--bundle", b.dir().toString(), id);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(7);
            assertThat(r.stdout()).contains("pid=1 host=box", "0");
            assertThat(runc.leftovers(id, b)).isEmpty();

            // a container left running (created, never started) is removed by close()
            String id2 = runc.newId();
            runc.cmd("create", "--bundle", b.dir().toString(), id2).timeout(Duration.ofSeconds(30)).exec().assertOk();
            assertThat(TestCgroups.dirs(cg)).isNotEmpty();
            assertThat(TestCgroups.pids(cg)).hasSize(1);
        }
        assertThat(TestCgroups.dirs(cg)).isEmpty();
        assertThat(state).doesNotExist();
    }

    @Test
    void stdinReachesTheContainer() {
        assumeTrue(Files.isExecutable(RUNC), "runc not installed");
        try (CapsaRun runc = new CapsaRun(RUNC); TestBundle b = TestBundle.create().args("cat")) {
            CapsaRun.Result r = runc.cmd("run", "--bundle", b.dir().toString(), runc.newId()).stdin("hello\n").exec();
            assertThat(r.exitCode()).as(r.toString()).isZero();
            assertThat(r.stdout()).isEqualTo("hello\n");
        }
    }
}
