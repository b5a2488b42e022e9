package io.capsa.cgroup;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.cgroup.v1.V1Cgroup;
import io.capsa.cgroup.v2.V2Cgroup;
import io.capsa.spec.LinuxBlockIO;
import io.capsa.spec.LinuxCpu;
import io.capsa.spec.LinuxDeviceCgroup;
import io.capsa.spec.LinuxHugepageLimit;
import io.capsa.spec.LinuxMemory;
import io.capsa.spec.LinuxPids;
import io.capsa.spec.LinuxResources;
import io.capsa.spec.LinuxThrottleDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cgroup layer against the real kernel, on whatever layout the host has: cgroup v1 (hybrid) on the
 * development machine, cgroup v2 inside ../shared/cgroup2-vm (see src/test/sh/cgroup-v2-tests.sh). Every
 * test uses an absolute cgroup under its own parent /capsa-test-RANDOM and removes it afterwards.
 */
@Tag("integration")
class CgroupIntegrationTest {
    @TempDir
    Path tmp;

    String parent;
    Cgroup cg;
    final List<Process> children = new ArrayList<>();

    static LinuxResources res(LinuxMemory m, LinuxCpu c, LinuxPids p) {
        return new LinuxResources(null, m, c, p, null, null, null, null, null);
    }

    static LinuxMemory mem(Long limit, Long swap) {
        return new LinuxMemory(limit, null, swap, null, null, null, null, null, null);
    }

    static LinuxCpu cpu(Long quota, Long period, String cpus) {
        return new LinuxCpu(null, quota, null, period, null, null, cpus, null, null);
    }

    @BeforeEach
    void setUp() throws IOException {
        Assumptions.assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root");
        parent = "/capsa-test-" + UUID.randomUUID().toString().substring(0, 8);
        cg = Cgroup.open(parent + "/c1", "c1");
        cg.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cg == null) {
            return;
        }
        try {
            if (cg.isFrozen()) {
                cg.thaw();
            }
        } catch (RuntimeException ignored) {
            // destroy below reports what is left
        }
        Cgroup whole = Cgroup.open(parent, "x");
        if (whole.exists()) {
            whole.killAll(9);
            CgroupDirs.await(() -> whole.pids().isEmpty(), 10_000);
        }
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        whole.destroy();
        assertThat(whole.exists()).isFalse();
        for (Path p : cg.paths().values()) {
            assertThat(p.getParent()).doesNotExist();
        }
    }

    /** Starts sh -c SCRIPT, puts it in the cgroup, then lets it run (it waits for a flag file first). */
    Process start(String script) throws IOException {
        Path flag = tmp.resolve("go-" + children.size());
        Process p = new ProcessBuilder("sh", "-c",
                "while [ ! -e " + flag + " ]; do sleep 0.01; done; " + script).directory(tmp.toFile()).start();
        children.add(p);
        cg.join(p.pid());
        Files.writeString(flag, "");
        return p;
    }

    static String out(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A control file: on v1 in the controller's hierarchy, on v2 in the one directory. */
    Path file(String controller, String v1Name, String v2Name) {
        return cg instanceof V1Cgroup v1 ? v1.dir(controller).resolve(v1Name) : ((V2Cgroup) cg).dir().resolve(v2Name);
    }

    String read(Path f) throws IOException {
        return Files.readString(f).strip();
    }

    @Test
    void joinPidsKillAllAndDestroy() throws Exception {
        Process p = start("sleep 60 & sleep 60 & wait");
        assertThat(CgroupDirs.await(() -> cg.pids().size() == 3, 30_000)).isTrue();
        assertThat(cg.pids()).contains(p.pid());
        String self = Files.readString(Path.of("/proc/" + p.pid() + "/cgroup"));
        assertThat(self).contains(parent + "/c1");
        cg.killAll(15);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(CgroupDirs.await(() -> cg.pids().isEmpty(), 30_000)).isTrue();
        assertThat(cg.isFrozen()).isFalse();
        cg.destroy();
        assertThat(cg.exists()).isFalse();
        cg.destroy(); // idempotent
    }

    @Test
    void killAllReachesAFrozenCgroup() throws Exception {
        Process p = start("sleep 60");
        cg.freeze();
        cg.killAll(15); // killAll leaves a paused cgroup paused (v2 lets fatal signals kill frozen tasks)
        assertThat(cg.isFrozen()).isTrue();
        cg.killAll(9);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        cg.thaw();
    }

    @Test
    void memoryLimitOomKills() throws Exception {
        cg.apply(res(mem(32L << 20, 32L << 20), null, null));
        assertThat(Long.parseLong(read(file("memory", "memory.limit_in_bytes", "memory.max")))).isEqualTo(32L << 20);
        Process hog = start("exec tail /dev/zero");
        assertThat(hog.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(hog.exitValue()).isEqualTo(137); // SIGKILL
        assertThat(cg.oomKillCount()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void updateLowersALiveLimit() throws Exception {
        cg.apply(res(mem(256L << 20, null), null, new LinuxPids(100L)));
        Process idle = start("sleep 60");
        cg.update(res(mem(24L << 20, null), null, null));
        assertThat(Long.parseLong(read(file("memory", "memory.limit_in_bytes", "memory.max")))).isEqualTo(24L << 20);
        assertThat(read(file("pids", "pids.max", "pids.max"))).isEqualTo("100"); // untouched
        Process hog = start("exec tail /dev/zero");
        assertThat(hog.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(hog.exitValue()).isEqualTo(137);
        assertThat(idle.isAlive()).isTrue();
    }

    @Test
    void pidsLimitMakesForkFail() throws Exception {
        cg.apply(res(null, null, new LinuxPids(4L)));
        assertThat(read(file("pids", "pids.max", "pids.max"))).isEqualTo("4");
        Process p = start("i=0; while [ $i -lt 10 ]; do sleep 30 & i=$((i+1)); done; echo done");
        assertThat(CgroupDirs.await(() -> !p.isAlive() || cg.stats().pids().current() >= 4, 60000)).isTrue(); // the v2 VM is slow (TCG)
        assertThat(cg.stats().pids().current()).isLessThanOrEqualTo(4);
        cg.killAll(9);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out(p)).containsIgnoringCase("fork");
    }

    @Test
    void freezerStopsProgress() throws Exception {
        Path counter = tmp.resolve("counter");
        start("i=0; while :; do i=$((i+1)); echo $i > counter.new; mv counter.new counter; done");
        assertThat(CgroupDirs.await(() -> Files.exists(counter), 30_000)).isTrue();
        cg.freeze();
        assertThat(cg.isFrozen()).isTrue();
        String a = Files.readString(counter);
        Thread.sleep(300);
        assertThat(Files.readString(counter)).isEqualTo(a);
        cg.thaw();
        assertThat(cg.isFrozen()).isFalse();
        assertThat(CgroupDirs.await(() -> {
            try {
                return !Files.readString(counter).equals(a);
            } catch (IOException e) {
                return false;
            }
        }, 30_000)).isTrue();
    }

    @Test
    void cpuQuotaThrottles() throws Exception {
        cg.apply(res(null, cpu(20_000L, 100_000L, null), null));
        if (cg.version() == 1) {
            assertThat(read(file("cpu", "cpu.cfs_quota_us", null))).isEqualTo("20000");
        } else {
            assertThat(read(file("cpu", null, "cpu.max"))).isEqualTo("20000 100000");
        }
        Stats before = cg.stats();
        long t0 = System.nanoTime();
        start("while :; do :; done");
        Thread.sleep(1500);
        Stats after = cg.stats();
        double wall = System.nanoTime() - t0;
        assertThat(after.cpu().throttling().throttledPeriods()).isGreaterThan(before.cpu().throttling().throttledPeriods());
        double share = (after.cpu().usage().total() - before.cpu().usage().total()) / wall;
        assertThat(share).isBetween(0.05, 0.35);
        String json = new ObjectMapper().writeValueAsString(after);
        assertThat(json).contains("\"throttling\":{\"periods\":");
    }

    @Test
    void cpusetPins() throws Exception {
        cg.apply(res(null, cpu(null, null, "0"), null));
        Process p = start("grep Cpus_allowed_list /proc/self/status");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out(p)).matches("(?s)Cpus_allowed_list:\\s+0\\s*");
    }

    @Test
    void devicesOutsideTheAllowListCannotBeOpened() throws Exception {
        List<LinuxDeviceCgroup> rules = List.of(
                new LinuxDeviceCgroup(false, "a", null, null, "rwm"),
                new LinuxDeviceCgroup(true, "c", 1L, 3L, "rw"),   // /dev/null
                new LinuxDeviceCgroup(true, "c", 1L, 9L, "r"));   // /dev/urandom, read only
        cg.apply(new LinuxResources(rules, null, null, null, null, null, null, null, null));
        Process p = start("head -c1 /dev/urandom > /dev/null && echo urandom-ok; "
                + "head -c1 /dev/zero > /dev/null 2>&1 || echo zero-denied; "
                + "echo x 2>/dev/null > /dev/urandom || echo urandom-write-denied");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out(p)).contains("urandom-ok", "zero-denied", "urandom-write-denied");
    }

    @Test
    void ioThrottleFilesHoldTheValues() throws Exception {
        String dev = blockDevice();
        Assumptions.assumeTrue(dev != null, "no block device");
        String[] mm = dev.split(":");
        LinuxThrottleDevice t = new LinuxThrottleDevice(Long.parseLong(mm[0]), Long.parseLong(mm[1]), 1048576L);
        LinuxThrottleDevice iops = new LinuxThrottleDevice(Long.parseLong(mm[0]), Long.parseLong(mm[1]), 100L);
        cg.apply(new LinuxResources(null, null, null, null,
                new LinuxBlockIO(null, null, null, List.of(t), null, null, List.of(iops)), null, null, null, null));
        if (cg.version() == 1) {
            assertThat(read(file("blkio", "blkio.throttle.read_bps_device", null))).isEqualTo(dev + " 1048576");
            assertThat(read(file("blkio", "blkio.throttle.write_iops_device", null))).isEqualTo(dev + " 100");
        } else {
            assertThat(read(file("io", null, "io.max"))).isEqualTo(dev + " rbps=1048576 wbps=max riops=max wiops=100");
        }
    }

    static String blockDevice() throws IOException {
        Path b = Path.of("/sys/block");
        if (!Files.isDirectory(b)) {
            return null;
        }
        try (var s = Files.list(b)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("loop")
                            && !p.getFileName().toString().startsWith("zram")
                            && !p.getFileName().toString().startsWith("ram"))
                    .map(p -> {
                        try {
                            return Files.readString(p.resolve("dev")).strip();
                        } catch (IOException e) {
                            return null;
                        }
                    }).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        }
    }

    @Test
    void hugepageLimits() throws Exception {
        LinuxResources r = new LinuxResources(null, null, null, null, null,
                List.of(new LinuxHugepageLimit("2MB", 4L << 20)), null, null, null);
        Path unified = CgroupLayout.host().unified();
        boolean viaUnified = cg instanceof V1Cgroup v1 && v1.dir("hugetlb") == null && unified != null
                && Files.readString(unified.resolve("cgroup.controllers")).contains("hugetlb");
        boolean available = cg instanceof V1Cgroup v1 ? v1.dir("hugetlb") != null || viaUnified
                : Files.exists(((V2Cgroup) cg).dir().resolve("hugetlb.2MB.max"));
        if (!available) {
            assertThatThrownBy(() -> cg.apply(r)).isInstanceOf(CgroupException.class)
                    .hasMessageContaining("linux.resources.hugepageLimits").hasMessageContaining("hugetlb");
            return;
        }
        cg.apply(r);
        Path f = viaUnified ? cg.paths().get("").resolve("hugetlb.2MB.max") // hybrid: hugetlb only on cgroup2
                : file("hugetlb", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.max");
        assertThat(read(f)).isEqualTo(Long.toString(4L << 20));
        assertThat(cg.stats().hugetlb()).containsKey("2MB");
    }

    @Test
    void badValueNamesFieldAndFileAndLeavesNothingAfterDestroy() {
        assertThatThrownBy(() -> cg.apply(res(null, cpu(null, null, "99"), null)))
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("linux.resources.cpu.cpus: writing 99 to ")
                .hasMessageContaining("cpuset.cpus: ");
        if (cg.version() == 1) { // v2 has no swappiness file: ignored there, as by runc
            assertThatThrownBy(() -> cg.apply(res(new LinuxMemory(null, null, null, null, null, 200L, null, null, null),
                    null, null))).hasMessageContaining("linux.resources.memory.swappiness");
        }
        assertThatThrownBy(() -> cg.apply(res(mem(100L << 20, 50L << 20), null, null)))
                .hasMessageContaining("linux.resources.memory.swap");
        cg.destroy();
        assertThat(cg.exists()).isFalse();
    }

    @Test
    void unifiedIsV2Only() throws Exception {
        LinuxResources r = new LinuxResources(null, null, null, null, null, null, null, null, Map.of("pids.max", "7"));
        if (cg.version() == 1) {
            assertThatThrownBy(() -> cg.apply(r)).hasMessageContaining("linux.resources.unified");
        } else {
            cg.apply(r);
            assertThat(read(file("pids", null, "pids.max"))).isEqualTo("7");
            assertThatThrownBy(() -> cg.apply(new LinuxResources(null, null, null, null, null, null, null, null,
                    Map.of("nope.max", "1")))).hasMessageContaining("controller \"nope\" is not available");
        }
    }

    @Test
    void destroyRemovesSubCgroupsTheContainerMade() throws Exception {
        for (Path p : cg.paths().values()) {
            Files.createDirectory(p.resolve("inner"));
        }
        cg.destroy();
        assertThat(cg.exists()).isFalse();
    }

    @Test
    void restoredFromDescriptionReachesTheSameDirectories() {
        Cgroup back = Cgroup.restore(cg.describe());
        assertThat(back.paths()).isEqualTo(cg.paths());
        assertThat(back.exists()).isTrue();
    }
}
