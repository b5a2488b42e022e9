package io.capsa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.plan.ConfigFuzz;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fuzz of {@link io.capsa.plan.ConfigFuzzTest}, through the real runtime: a few dozen mutated configs (of the
 * test bundle's, a fixed sequence per seed) are given to {@code capsa-runtime create}. Each either creates a
 * container, which {@code delete --force} then removes, or fails with an error message; either way nothing is left
 * behind: no state directory, no cgroup, no mount, no process. The rootfs path and the cgroupsPath are never
 * mutated (a container of the host's / or a cgroup outside the test parent is not something a test may risk).
 */
@Tag("integration")
@Execution(ExecutionMode.CONCURRENT)
class CreateFuzzTest extends ContainerTestSupport {
    static IntStream seeds() {
        return IntStream.rangeClosed(1, 30);
    }

    private static List<ConfigFuzz.Mutation> mutations(int seed) {
        Random r = new Random(seed * 7919L);
        ConfigFuzz.Kind[] kinds = ConfigFuzz.Kind.values();
        List<ConfigFuzz.Mutation> out = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            ConfigFuzz.Kind k = r.nextInt(3) == 0 ? kinds[r.nextInt(kinds.length)] : ConfigFuzz.Kind.SAME_TYPE;
            out.add(new ConfigFuzz.Mutation(r.nextInt(2000), k, r.nextInt(1_000_000)));
        }
        return out;
    }

    private static boolean mutable(String pointer) {
        return !pointer.equals("/root") && !pointer.startsWith("/root/") && !pointer.equals("/linux")
                && !pointer.equals("/linux/cgroupsPath");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aMutatedConfigCreatesOrFailsAndLeavesNothing(int seed) {
        TestBundle b = bundle().args("true");
        List<ConfigFuzz.Mutation> ms = mutations(seed);
        String json = new String(ConfigFuzz.mutate(b.config(), ms, CreateFuzzTest::mutable), StandardCharsets.UTF_8);
        b.writeRawConfig(json);
        String id = capsa.newId();
        CapsaRun.Result r = capsa.cmd("create", "--bundle", b.rootfs().getParent().toString(), id)
                .timeout(Duration.ofSeconds(90)).exec();
        String what = ms + "\n" + r + "\nconfig: " + (json.length() > 4000 ? json.substring(0, 4000) + "..." : json);
        if (r.ok()) {
            capsa.run("delete", "--force", id).assertOk();
        } else {
            assertThat(r.stderr()).as(what).contains("capsa-runtime: ");
            assertThat(r.stderr()).as("an exception's trace instead of a message: " + what).doesNotContain("\tat ");
        }
        assertNothingLeft(id, b);
    }
}
