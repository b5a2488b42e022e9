package io.capsa.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.plan.ConfigFuzz.Kind;
import io.capsa.plan.ConfigFuzz.Mutation;
import io.capsa.seccomp.SeccompException;
import io.capsa.spec.Spec;
import io.capsa.spec.SpecException;
import io.capsa.spec.SpecLoader;
import io.capsa.spec.SpecValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Fuzzes what turns config.json into a plan: SpecLoader, SpecValidator and Planner (create and exec) get mutated
 * configs (see {@link ConfigFuzz}). Whatever the input, each either accepts it or refuses it with a SpecException,
 * PlanException or SeccompException whose message names the field (a JSON path) or the file; nothing else escapes (no
 * NullPointerException, ClassCastException, StackOverflowError, ...), and nothing hangs. No root needed: the
 * planner only reads the bundle.
 */
class ConfigFuzzTest {
    /** A message names a field or the file: it starts with config.json or a JSON path of the config. */
    private static final Pattern NAMES_A_FIELD = Pattern.compile(
            "^(config\\.json|ociVersion|process|root|hostname|domainname|mounts|hooks|annotations|linux|windows|solaris|vm|zos"
                    + "|--console-socket)([.\\[: ]|$).*", Pattern.DOTALL);
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "config-fuzz");
        t.setDaemon(true);
        return t;
    });
    private static Path bundle;

    private static synchronized Path bundle() {
        if (bundle == null) {
            try {
                Path b = Files.createTempDirectory("capsa-fuzz-");
                Files.createDirectories(b.resolve("rootfs/etc"));
                Files.writeString(b.resolve("hostname"), "fuzz\n");
                bundle = b;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bundle;
    }

    @AfterContainer
    static void removeBundle() throws IOException {
        if (bundle == null) return;
        try (var s = Files.walk(bundle)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        bundle = null;
    }

    /** Runs the whole pipeline on {@code json}: null if accepted, else what it threw. */
    static Throwable pipeline(byte[] json) {
        Path b = bundle();
        Spec spec = null;
        try {
            spec = SpecLoader.parse(json, Spec.class, "config.json");
            SpecValidator.validate(spec, b);
            Plan p = Planner.create(new Planner.Request(spec, b, b.resolve("exec.fifo"), null, 0, false, false,
                    new CgroupView(false, Map.of("memory", Path.of("/sys/fs/cgroup/memory/capsa-fuzz/ct"))), List.of()));
            p.ops().toBytes();
            Plan x = Planner.exec(new Planner.ExecRequest(4242, spec, spec.process(), null, 1, true, true, List.of("A=b")));
            x.ops().toBytes();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Asserts the pipeline's outcome on {@code json} within a few seconds. */
    static void check(byte[] json) {
        Future<Throwable> f = POOL.submit(() -> pipeline(json));
        Throwable t;
        try {
            t = f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("hangs (over 10 s) on " + show(json));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        if (t == null) return;
        if (!(t instanceof SpecException) && !(t instanceof PlanException) && !(t instanceof SeccompException)) {
            throw new AssertionError("crashed with " + t + " on " + show(json), t);
        }
        assertThat(t.getMessage()).as("message of %s on %s", t, show(json)).isNotBlank().matches(NAMES_A_FIELD);
    }

    private static String show(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        return s.length() > 3000 ? s.substring(0, 3000) + "... (" + s.length() + " chars)" : s;
    }

    @Example
    void theBaseConfigIsAccepted() {
        assertThat(pipeline(ConfigFuzz.mutate(ConfigFuzz.base(), List.of()))).isNull();
    }

    @Property(tries = 1000)
    void mutatedConfigsAreAcceptedOrRefusedClearly(@ForAll("mutations") List<Mutation> mutations) {
        check(ConfigFuzz.mutate(ConfigFuzz.base(), mutations));
    }

    @Property(tries = 200)
    void arbitraryBytesAreRefusedClearly(@ForAll("bytes") byte[] json) {
        check(json);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        // half of the changes keep the JSON type, so that they get past the parser to the validator and planner
        Arbitrary<Kind> kind = Arbitraries.frequencyOf(Tuple.of(Kind.values().length, Arbitraries.just(Kind.SAME_TYPE)),
                Tuple.of(Kind.values().length / 4, Arbitraries.just(Kind.DELETE)), Tuple.of(Kind.values().length, Arbitraries.of(Kind.class)));
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.integers().between(0, 2000), kind,
                Arbitraries.integers().between(0, 1_000_000)).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        // mostly JSON-looking text: fragments of the base config cut and spliced
        byte[] base = ConfigFuzz.mutate(ConfigFuzz.base(), List.of());
        Arbitrary<byte[]> cut = Combinators.combine(Arbitraries.integers().between(0, base.length),
                Arbitraries.integers().between(0, base.length)).as((a, b) -> {
                    byte[] out = new byte[base.length - Math.abs(a - b)];
                    int lo = Math.min(a, b), hi = Math.max(a, b);
                    System.arraycopy(base, 0, out, 0, lo);
                    System.arraycopy(base, hi, out, lo, base.length - hi);
                    return out;
                });
        return Arbitraries.oneOf(cut, Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
    }
}
