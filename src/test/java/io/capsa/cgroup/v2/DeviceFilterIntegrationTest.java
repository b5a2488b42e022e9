package io.capsa.cgroup.v2;

import io.capsa.cgroup.CgroupDirs;
import io.capsa.cgroup.CgroupLayout;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxResources;
import io.capsa.sys.Bpf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated eBPF device program, loaded and attached for real to a directory of the unified
 * hierarchy: the v2 host's, or the hybrid host's /sys/fs/cgroup/unified (device programs work on any
 * cgroup2 directory, controllers or not), so this runs on the development machine too.
 */
@Tag("integration")
class DeviceFilterIntegrationTest {
    Path parent;
    Path dir;
    Process child;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root");
        Path unified = CgroupLayout.host().unified();
        Assumptions.assumeTrue(unified != null, "no cgroup2 mount");
        parent = unified.resolve("capsa-test-" + UUID.randomUUID().toString().substring(0, 8));
        dir = parent.resolve("c1");
        CgroupDirs.mkdirs(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        if (parent != null) {
            CgroupDirs.await(() -> CgroupDirs.pids(parent).isEmpty(), 5000);
            assertThat(CgroupDirs.remove(parent)).isNull();
            assertThat(parent).doesNotExist();
        }
    }

    @Test
    void deniedDevicesCannotBeOpenedAndUpdateReplacesTheProgram() throws Exception {
        V2Cgroup cg = new V2Cgroup(dir);
        List<LinuxDeviceCgroup> rules = List.of(
                new LinuxDeviceCgroup(false, "a", null, null, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 3L, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 9L, "r"));
        cg.apply(new LinuxResources(rules, null, null, null, null, null, null, null, null));
        assertThat(Bpf.attachedDeviceFilters(dir)).isEqualTo(1);
        assertThat(run(cg)).contains("urandom-ok", "zero-denied").doesNotContain("zero-ok");

        // update: allow /dev/zero too; the old program is detached, not stacked
        cg.update(new LinuxResources(List.of(new LinuxDeviceCgroup(false, "a", null, null, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 3L, "rwm"), new LinuxDeviceCgroup(true, "c", 1L, 9L, "r"),
                new LinuxDeviceCgroup(true, "c", 1L, 5L, "r")), null, null, null, null, null, null, null, null));
        assertThat(Bpf.attachedDeviceFilters(dir)).isEqualTo(1);
        assertThat(run(cg)).contains("urandom-ok", "zero-ok");
    }

    private String run(V2Cgroup cg) throws Exception {
        Path flag = Files.createTempFile("capsa-go", "");
        Files.delete(flag);
        child = new ProcessBuilder("sh", "-c", "while [ ! -e " + flag + " ]; do sleep 0.01; done; "
                + "head -c1 /dev/urandom > /dev/null && echo urandom-ok; "
                + "if head -c1 /dev/zero > /dev/null 2>&1; then echo zero-ok; else echo zero-denied; fi")
                .redirectErrorStream(true).start();
        cg.join(child.pid());
        Files.writeString(flag, "");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Files.delete(flag);
        return out;
    }
}
