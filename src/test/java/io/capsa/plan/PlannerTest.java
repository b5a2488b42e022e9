package io.capsa.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capsa.spec.DefaultSpec;
import io.capsa.spec.Json;
import io.capsa.spec.Spec;
import io.capsa.stage.Op;
import io.capsa.stage.PlanReader;
import io.capsa.stage.PlanReader.DecodedOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {
    @TempDir Path bundle;

    private Spec spec(String json) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        return Json.mapper().readValue(json, Spec.class);
    }

    private Spec defaults() throws Exception {
        return spec(Json.toJson(DefaultSpec.create()));
    }

    private List<DecodedOp> plan(Spec s) {
        Plan p = Planner.create(new Planner.Request(s, bundle, bundle.resolve("fifo"), null, 0, false, false,
                new CgroupView(false, Map.of("memory", Path.of("/sys/fs/cgroup/memory/x"))), List.of()));
        return PlanReader.read(p.ops().toBytes());
    }

    private static List<Op> ops(List<DecodedOp> l) { return l.stream().map(DecodedOp::op).toList(); }

    @Test
    void defaultSpecPlansNamespacesMountsDevicesAndProcessInOrder() throws Exception {
        Spec s = defaults();
        // runc's default spec has terminal: true, which needs a console socket; plan without it.
        s = spec(Json.toJson(s).replace("\"terminal\":true", "\"terminal\":false"));
        List<DecodedOp> ops = plan(s);
        List<Op> codes = ops(ops);
        assertThat(codes.getFirst()).isEqualTo(Op.SET_DUMPABLE);
        assertThat(ops.getFirst().num(0)).isZero();
        assertThat(codes.get(1)).isEqualTo(Op.OPEN_FIFO);
        assertThat(codes).containsSubsequence(Op.CLONE, Op.SYNC, Op.SETHOSTNAME, Op.MOUNT_PROPAGATION, Op.ROOTFS,
                Op.MOUNT, Op.MKNOD, Op.SYMLINK, Op.PIVOT_ROOT, Op.MASK, Op.READONLY, Op.CLOSE_FDS, Op.CAPS_BOUNDING,
                Op.USER, Op.CHDIR, Op.CAPS, Op.FIND_EXEC, Op.NOTIFY, Op.WAIT_START, Op.EXEC);
        DecodedOp clone = ops.get(codes.indexOf(Op.CLONE));
        long flags = clone.num(0);
        assertThat(flags & Linux.CLONE_NEWPID).isNotZero();
        assertThat(flags & Linux.CLONE_NEWNS).isNotZero();
        assertThat(flags & Linux.CLONE_NEWNET).isNotZero();
        assertThat(flags & Linux.CLONE_NEWUSER).isZero();
        DecodedOp proc = ops.stream().filter(o -> o.op() == Op.MOUNT && o.str(1).equals("/proc")).findFirst().orElseThrow();
        assertThat(proc.str(2)).isEqualTo("proc");
        assertThat(proc.label()).startsWith("mounts[0]");
        assertThat(ops.stream().filter(o -> o.op() == Op.MKNOD).map(o -> o.str(0)))
                .contains("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty");
        assertThat(ops.getLast().op()).isEqualTo(Op.EXEC);
        assertThat(ops.getLast().str(1)).isEqualTo("sh");
    }

    @Test
    void userNamespaceBindsDevicesAndBecomesRoot() throws Exception {
        String json = Json.toJson(DefaultSpec.rootless()).replace("\"terminal\":true", "\"terminal\":false");
        List<DecodedOp> ops = plan(spec(json));
        assertThat(ops(ops)).contains(Op.SETRESID, Op.BIND_DEV).doesNotContain(Op.MKNOD);
    }

    @Test
    void terminalWithoutConsoleSocketIsRefused() throws Exception {
        assertThatThrownBy(() -> plan(defaults())).hasMessageContaining("process.terminal").hasMessageContaining("--console-socket");
    }

    @Test
    void unknownNamespaceAndBadRlimitNameTheField() throws Exception {
        String base = Json.toJson(DefaultSpec.create()).replace("\"terminal\":true", "\"terminal\":false");
        assertThatThrownBy(() -> plan(spec(base.replace("\"type\":\"ipc\"", "\"type\":\"bogus\""))))
                .hasMessageStartingWith("linux.namespaces[").hasMessageContaining("bogus");
        assertThatThrownBy(() -> plan(spec(base.replace("RLIMIT_NOFILE", "RLIMIT_BOGUS"))))
                .hasMessageStartingWith("process.rlimits[0].type");
    }

    @Test
    void bindMountOfMissingSourceNamesTheMount() throws Exception {
        String base = Json.toJson(DefaultSpec.create()).replace("\"terminal\":true", "\"terminal\":false")
                .replace("\"mounts\":[", "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/nonexistent/x\",\"options\":[\"rbind\",\"ro\"]},");
        assertThatThrownBy(() -> plan(spec(base))).hasMessage("mounts[0].source: /nonexistent/x does not exist");
    }

    @Test
    void readonlyBindMountIsRemounted() throws Exception {
        Files.createDirectories(bundle.resolve("data"));
        String base = Json.toJson(DefaultSpec.create()).replace("\"terminal\":true", "\"terminal\":false")
                .replace("\"mounts\":[", "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"data\",\"options\":[\"rbind\",\"ro\"]},");
        DecodedOp m = plan(spec(base)).stream().filter(o -> o.op() == Op.MOUNT && o.str(1).equals("/data")).findFirst().orElseThrow();
        assertThat(m.str(0)).isEqualTo(bundle.resolve("data").toString());
        assertThat(m.num(5) & Op.MNT_BIND_REMOUNT).isNotZero();
        assertThat(m.num(5) & Op.MNT_MKDIR).isNotZero();
        assertThat(m.num(3) & Linux.MS_RDONLY).isNotZero();
    }

    @Test
    void cleanNeverLeavesTheRoot() {
        assertThat(Planner.clean("/a/../../b")).isEqualTo("/b");
        assertThat(Planner.clean("//a/./b/")).isEqualTo("/a/b");
    }
}
