package io.capsa.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.seccomp.Seccomp;
import io.capsa.seccomp.SeccompException;
import io.capsa.spec.DefaultSpec;
import io.capsa.spec.Json;
import io.capsa.spec.Spec;
import io.capsa.stage.Op;
import io.capsa.stage.PlanReader;
import io.capsa.stage.PlanReader.DecodedOp;
import io.capsa.sys.LibSeccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the planner puts the seccomp filter (runc's order) and the listener hand-off. */
class PlannerSeccompTest {
    @TempDir Path bundle;

    static final String PROFILE = """
            {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}""";
    static final String NOTIFY_PROFILE = """
            {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "listenerMetadata": "hi",
             "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}""";

    @BeforeAll
    static void needsLibseccomp() {
        assumeTrue(LibSeccomp.available(), "libseccomp.so.2 is not installed");
    }

    private Spec spec(String seccomp, boolean nnp) throws Exception {
        Files.createDirectories(bundle.resolve("rootfs"));
        ObjectNode root = (ObjectNode) Json.mapper().valueToTree(DefaultSpec.create());
        ObjectNode process = (ObjectNode) root.get("process");
        process.put("terminal", false);
        process.put("noNewPrivileges", nnp);
        if (seccomp != null) ((ObjectNode) root.get("linux")).set("seccomp", Json.mapper().readTree(seccomp));
        return Json.mapper().treeToValue(root, Spec.class);
    }

    private List<DecodedOp> create(Spec s) {
        Plan p = Planner.create(new Planner.Request(s, bundle, bundle.resolve("fifo"), null, 0, false, false,
                new CgroupView(false, Map.of("memory", Path.of("/sys/fs/cgroup/memory/x"))), List.of(),
                bundle.resolve("cache")));
        return PlanReader.read(p.ops().toBytes());
    }

    private List<DecodedOp> exec(Spec s) {
        Plan p = Planner.exec(new Planner.ExecRequest(1234, s, s.process(), null, 0, true, false, List.of(), null));
        return PlanReader.read(p.ops().toBytes());
    }

    private static List<Op> ops(List<DecodedOp> l) {
        return l.stream().map(DecodedOp::op).toList();
    }

    @Test
    void noSeccompNoOp() throws Exception {
        assertThat(ops(create(spec(null, true)))).doesNotContain(Op.SECCOMP);
    }

    @Test
    void withNoNewPrivilegesTheFilterIsTheLastOpBeforeExec() throws Exception {
        Spec s = spec(PROFILE, true);
        for (List<DecodedOp> plan : List.of(create(s), exec(s))) {
            List<Op> ops = ops(plan);
            assertThat(ops.subList(ops.size() - 2, ops.size())).containsExactly(Op.SECCOMP, Op.EXEC);
            assertThat(ops).containsSubsequence(Op.NO_NEW_PRIVS, Op.SECCOMP).containsOnlyOnce(Op.SECCOMP);
            DecodedOp sc = plan.get(ops.indexOf(Op.SECCOMP));
            assertThat(sc.label()).isEqualTo("linux.seccomp");
            Seccomp.Program expected = Seccomp.compile(s.linux().seccomp());
            assertThat(sc.num(0)).isEqualTo(expected.flags());
            assertThat(sc.args().get(1)).isEqualTo(expected.bpf());
        }
        assertThat(ops(create(s))).containsSubsequence(Op.NOTIFY, Op.WAIT_START, Op.SECCOMP, Op.EXEC);
        // the cache was filled
        try (var l = Files.list(bundle.resolve("cache"))) {
            assertThat(l.count()).isEqualTo(1);
        }
    }

    @Test
    void withoutNoNewPrivilegesTheFilterComesBeforeTheCapabilitiesAreDropped() throws Exception {
        Spec s = spec(PROFILE, false);
        for (List<DecodedOp> plan : List.of(create(s), exec(s))) {
            List<Op> ops = ops(plan);
            assertThat(ops).containsSubsequence(Op.SECCOMP, Op.CLOSE_FDS, Op.CAPS_BOUNDING, Op.USER, Op.CAPS, Op.FIND_EXEC)
                    .containsOnlyOnce(Op.SECCOMP).doesNotContain(Op.NO_NEW_PRIVS);
            assertThat(ops.indexOf(Op.SECCOMP)).isEqualTo(ops.indexOf(Op.CLOSE_FDS) - 1);
        }
    }

    @Test
    void aListenerIsServedBeforeReady() throws Exception {
        for (boolean nnp : new boolean[] {true, false}) {
            List<DecodedOp> plan = create(spec(NOTIFY_PROFILE, nnp));
            List<Op> ops = ops(plan);
            int i = ops.indexOf(Op.SECCOMP);
            assertThat(plan.get(i).num(0) & Seccomp.FLAG_NEW_LISTENER).isNotZero();
            assertThat(ops.get(i + 1)).isEqualTo(Op.SYNC);
            assertThat(plan.get(i + 1).str(0)).isEqualTo(Plan.SYNC_SECCOMP);
            assertThat(plan.get(i + 1).label()).contains("/run/agent.sock");
            assertThat(i).isLessThan(ops.indexOf(Op.NOTIFY));
            assertThat(ops).doesNotContain(Op.SECCOMP_LISTENER);
        }
    }

    @Test
    void badProfileFailsThePlanNamingTheField() throws Exception {
        Spec s = spec("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOPE\"}]}", true);
        assertThatThrownBy(() -> create(s)).isInstanceOf(SeccompException.class)
                .hasMessage("linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"");
    }
}
