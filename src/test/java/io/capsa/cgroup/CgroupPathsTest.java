package io.capsa.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupPathsTest {
    @Test
    void cleanLikeRunc() {
        assertThat(CgroupPaths.clean("/a/b/../c/")).isEqualTo("/a/c");
        assertThat(CgroupPaths.clean("/../../x")).isEqualTo("/x");
        assertThat(CgroupPaths.clean("a/./b")).isEqualTo("a/b");
        assertThat(CgroupPaths.clean("../../a")).isEqualTo("a");
        assertThat(CgroupPaths.clean("..")).isEqualTo(".");
    }

    @Test
    void innerPath() {
        assertThat(CgroupPaths.inner("", "ctr", false, false)).isEqualTo("ctr");
        assertThat(CgroupPaths.inner(null, "ctr", false, false)).isEqualTo("ctr");
        assertThat(CgroupPaths.inner("/x/y", "ctr", false, false)).isEqualTo("/x/y");
        assertThat(CgroupPaths.inner("x/../../y", "ctr", false, false)).isEqualTo("y");
        assertThatThrownBy(() -> CgroupPaths.inner("/..", "ctr", false, false))
                .hasMessageContaining("linux.cgroupsPath").hasMessageContaining("root");
        assertThatThrownBy(() -> CgroupPaths.inner("..", "ctr", false, false)).isInstanceOf(CgroupException.class);
    }

    @Test
    void systemdPaths() {
        assertThatThrownBy(() -> CgroupPaths.inner("system.slice:capsa:ctr", "ctr", false, false))
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("systemd cgroup driver requested but systemd is not running");
        assertThatThrownBy(() -> CgroupPaths.inner("", "ctr", true, false))
                .hasMessageContaining("systemd is not running");
        assertThat(CgroupPaths.inner("system.slice:capsa:ctr", "ctr", false, true))
                .isEqualTo("/system.slice/capsa-ctr.scope");
        assertThat(CgroupPaths.inner("a-b.slice:p:n", "ctr", false, true)).isEqualTo("/a.slice/a-b.slice/p-n.scope");
        assertThat(CgroupPaths.inner(":p:n", "ctr", false, true)).isEqualTo("/system.slice/p-n.scope");
        assertThat(CgroupPaths.inner("", "ctr", true, true)).isEqualTo("/system.slice/capsa-ctr.scope");
        assertThat(CgroupPaths.inner("user.slice:p:my.slice", "ctr", false, true)).isEqualTo("/user.slice/my.slice");
        assertThat(CgroupPaths.expandSlice("-.slice")).isEmpty();
        assertThatThrownBy(() -> CgroupPaths.expandSlice("a--b.slice")).isInstanceOf(CgroupException.class);
        assertThatThrownBy(() -> CgroupPaths.inner("nota:slice", "ctr", true, true))
                .hasMessageContaining("slice:prefix:name");
    }

    @Test
    void v1DirsAbsoluteAndRelative() {
        CgroupLayout l = CgroupLayout.parse(CgroupLayoutTest.HYBRID_MOUNTS, CgroupLayoutTest.HYBRID_SELF.replace(
                "1:cpu:/", "1:cpu:/user/me"));
        Map<String, Path> abs = CgroupPaths.v1Dirs(l, "/capsa/c1");
        assertThat(abs).containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu/capsa/c1"))
                .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/capsa/c1"))
                .containsEntry("name=systemd", Path.of("/sys/fs/cgroup/systemd/capsa/c1"))
                .containsEntry("", Path.of("/sys/fs/cgroup/unified/capsa/c1"));
        Map<String, Path> rel = CgroupPaths.v1Dirs(l, "c1");
        // relative: below the own cgroup of each hierarchy (runc)...
        assertThat(rel).containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu/user/me/c1"))
                .containsEntry("freezer", Path.of("/sys/fs/cgroup/freezer/c1"))
                // ...but never inside a protected (workplace) cgroup
                .containsEntry("memory", Path.of("/sys/fs/cgroup/memory/c1"));
        assertThatThrownBy(() -> CgroupPaths.v1Dirs(l, "/process_api/x"))
                .isInstanceOf(CgroupException.class).hasMessageContaining("protected");
    }

    @Test
    void v2RelativeIsBelowTheParentOfTheOwnCgroup() {
        CgroupLayout l = CgroupLayout.parse(
                "40 23 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/user.slice/session-1.scope\n");
        assertThat(CgroupPaths.v2Dir(l, "c1")).isEqualTo(Path.of("/sys/fs/cgroup/user.slice/c1"));
        assertThat(CgroupPaths.v2Dir(l, "/a/c1")).isEqualTo(Path.of("/sys/fs/cgroup/a/c1"));
        CgroupLayout root = CgroupLayout.parse("40 23 0:35 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n");
        assertThat(CgroupPaths.v2Dir(root, "c1")).isEqualTo(Path.of("/sys/fs/cgroup/c1"));
    }

    @Test
    void describeAndRestore() {
        Cgroup c = new io.capsa.cgroup.v1.V1Cgroup(Map.of("memory", Path.of("/sys/fs/cgroup/memory/a")));
        assertThat(c.describe()).isEqualTo("v1;memory=/sys/fs/cgroup/memory/a");
        assertThat(Cgroup.restore(c.describe()).paths()).isEqualTo(c.paths());
        // a named hierarchy and a hybrid host's cgroup2 ("" key) survive the round trip
        Map<String, Path> hybrid = new java.util.LinkedHashMap<>();
        hybrid.put("name=systemd", Path.of("/sys/fs/cgroup/systemd/a"));
        hybrid.put("", Path.of("/sys/fs/cgroup/unified/a"));
        hybrid.put("cpu,cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct/a"));
        Cgroup h = new io.capsa.cgroup.v1.V1Cgroup(hybrid);
        assertThat(Cgroup.restore(h.describe()).paths()).isEqualTo(hybrid);
        Cgroup v2 = new io.capsa.cgroup.v2.V2Cgroup(Path.of("/sys/fs/cgroup/a b"));
        assertThat(Cgroup.restore(v2.describe()).paths()).isEqualTo(v2.paths());
        assertThatThrownBy(() -> Cgroup.restore("v3;x")).isInstanceOf(CgroupException.class);
    }
}
