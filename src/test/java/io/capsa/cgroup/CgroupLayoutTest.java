package io.capsa.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupLayoutTest {
    static final String HYBRID_MOUNTS = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String HYBRID_SELF = """
            9:name=systemd:/
            4:memory:/process_api/77296d60
            6:freezer:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    @Test
    void hybrid() {
        CgroupLayout l = CgroupLayout.parse(HYBRID_MOUNTS, HYBRID_SELF);
        assertThat(l.mode()).isEqualTo(CgroupLayout.Mode.HYBRID);
        assertThat(l.unified()).isEqualTo(Path.of("/sys/fs/cgroup/unified"));
        assertThat(l.hierarchies()).extracting(CgroupLayout.Hierarchy::key)
                .containsExactly("cpu", "cpuacct", "memory", "freezer", "name=systemd");
        assertThat(l.hierarchy("memory").mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/memory"));
        assertThat(l.own()).containsEntry("memory", "/process_api/77296d60").containsEntry("", "/");
    }

    @Test
    void comountedV1() {
        CgroupLayout l = CgroupLayout.parse("""
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
                33 31 0:30 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio
                34 31 0:31 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
                99 31 0:31 / /other/pids rw - cgroup cgroup rw,pids
                """, "3:cpu,cpuacct:/a\n2:pids:/\n");
        assertThat(l.mode()).isEqualTo(CgroupLayout.Mode.V1);
        assertThat(l.hierarchies()).extracting(CgroupLayout.Hierarchy::key)
                .containsExactly("cpu,cpuacct", "net_cls,net_prio", "pids");
        assertThat(l.hierarchy("cpuacct").mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
        assertThat(l.own()).containsEntry("cpu", "/a").containsEntry("cpuacct", "/a");
    }

    @Test
    void unified() {
        CgroupLayout l = CgroupLayout.parse(
                "40 23 0:35 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n", "0::/init.scope\n");
        assertThat(l.mode()).isEqualTo(CgroupLayout.Mode.V2);
        assertThat(l.hierarchies()).isEmpty();
        assertThat(l.unified()).isEqualTo(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void escapedMountPoint() {
        CgroupLayout l = CgroupLayout.parse(
                "40 23 0:35 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw\n", "0::/\n");
        assertThat(l.unified()).isEqualTo(Path.of("/mnt/my cg"));
    }

    @Test
    void noCgroups() {
        assertThatThrownBy(() -> CgroupLayout.parse("1 0 0:1 / / rw - ext4 /dev/vda rw\n", ""))
                .isInstanceOf(CgroupException.class).hasMessageContaining("no cgroup filesystem");
    }

    @Test
    void hostIsDetected() {
        CgroupLayout l = CgroupLayout.host();
        assertThat(l.mode()).isNotNull();
        if (l.mode() != CgroupLayout.Mode.V2) {
            assertThat(l.hierarchies()).isNotEmpty();
        }
        assertThat(List.of(CgroupLayout.Mode.values())).contains(l.mode());
    }
}
