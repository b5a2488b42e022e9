package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.cgroup.Stats;
import io.capsa.state.ContainerState;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordJsonTest {
    private static final ObjectMapper DATABIND = Json.mapper();
    private static final List<String> SPECS = List.of("runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json",
            "default-spec.json", "full-config.json");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String bindError(String json, Class<?> type) {
        try {
            RecordJson.read(utf8(json), type);
        } catch (RecordJson.JsonBindException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for " + json);
    }

    // ---- round trips -------------------------------------------------------------------------------------------

    @Test
    void roundTripsRuncsDefaultSpecByteForByte() throws IOException {
        for (String name : List.of("runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "default-spec.json")) {
            String text = SpecLoaderTest.resource(name);
            Spec spec = RecordJson.read(utf8(text), Spec.class);
            assertThat(RecordJson.toIndentedJson(spec, "\t")).as(name).isEqualTo(text);
            assertThat(RecordJson.read(RecordJson.toBytes(spec), Spec.class)).as(name).isEqualTo(spec);
        }
    }

    @Test
    void readsWhatDatabindReadsAndWritesWhatItWrites() throws IOException {
        for (String name : SPECS) {
            byte[] text = utf8(SpecLoaderTest.resource(name));
            Spec mine = RecordJson.read(text, Spec.class);
            Spec theirs = DATABIND.readValue(text, Spec.class);
            assertThat(mine).as(name).isEqualTo(theirs);
            assertSameOutput(mine);
        }
        assertSameOutput(DefaultSpec.create(false));
        assertSameOutput(DefaultSpec.create(true));
        assertSameOutput(Features.create("0.1.0", List.of("SECCOMP_FILTER_FLAG_LOG")));
        assertSameOutput(new State("1.2.1", "box", "running", 1234, "/b", Map.of("a", "b")));
        assertSameOutput(new State("1.2.1", "box", "stopped", 0, "/b", null));
        assertSameOutput(new ContainerState("x", "created", "/b", "/b/rootfs", 12L, 345L, "2024-01-01T00:00:00Z",
                "", "/capsa/x", null, "{\"ociVersion\":\"1.2.1\"}"));
        assertSameOutput(new Stats(
                new Stats.Cpu(new Stats.CpuUsage(5, List.of(2L, 3L), List.of(), List.of(4L), 1, 4),
                        new Stats.Throttling(1, 0, 7)),
                new Stats.Memory(3, new Stats.MemoryEntry(-1, 10, 0, 0), new Stats.MemoryEntry(7, 0, 9, 1),
                        new Stats.MemoryEntry(0, 0, 0, 0),
                        new Stats.MemoryEntry(Long.MIN_VALUE, 0, 0, 0), Map.of("cache", 5L)),
                new Stats.Pids(1, 0), new Stats.Blkio(List.of(new Stats.BlkioEntry(8, 0, "", 0)), List.of(),
                        List.of(new Stats.BlkioEntry(0, 1, "Write", 3)), List.of(), List.of(), List.of(),
                        List.of(), List.of()),
                Map.of("2MB", new Stats.Hugetlb(0, 3, 0))));
        // generic values as the commands write them (list --format json, --log-format json)
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("ociVersion", "1.2.1");
        row.put("pid", 42);
        row.put("big", Long.MAX_VALUE);
        row.put("huge", new BigInteger("18446744073709551615"));
        row.put("ratio", 0.25);
        row.put("on", true);
        row.put("none", null);
        row.put("annotations", Map.of("k", "v"));
        row.put("list", Arrays.asList(1, null, "two", List.of()));
        row.put("empty", Map.of());
        row.put("control", "tab\there \"quoted\" \\ \u0001 é ☃ 𝄞 </script>");
        assertSameOutput(List.of(row, row));
        assertSameOutput("just a string");
        assertSameOutput(List.of());
    }

    private static void assertSameOutput(Object value) throws IOException {
        assertThat(RecordJson.toJson(value)).isEqualTo(DATABIND.writeValueAsString(value));
        assertThat(RecordJson.toBytes(value)).isEqualTo(DATABIND.writeValueAsBytes(value));
        for (String indent : List.of("\t", "    ")) {
            assertThat(RecordJson.toIndentedJson(value, indent))
                    .isEqualTo(DATABIND.writer(new RecordJson.GoPrettyPrinter(indent)).writeValueAsString(value));
        }
    }

    @Test
    void bindsPlainDataClassesAsDatabind() throws IOException {
        io.capsa.front.ContainerRecord r = new io.capsa.front.ContainerRecord();
        r.id = "0123456789abcdef";
        r.name = "web";
        r.exitCode = 3;
        r.detached = true;
        r.command.addAll(List.of("sh", "-c", "true"));
        r.mounts.add(new io.capsa.front.ContainerRecord.MountPoint("bind", null, "/src", "/dst", true, "rprivate"));
        r.labels.put("a", "b");
        assertSameOutput(r);
        io.capsa.front.ContainerRecord back = RecordJson.read(RecordJson.toBytes(r), io.capsa.front.ContainerRecord.class);
        assertThat(RecordJson.toJson(back)).isEqualTo(RecordJson.toJson(r));
        assertThat(back.mounts).containsExactlyElementsOf(r.mounts);
        // an absent property keeps the field's initial value, a null one is null, as with databind
        String min = "{\"id\":\"x\",\"labels\":null,\"unknown\":[1]}";
        io.capsa.front.ContainerRecord mine = RecordJson.read(utf8(min), io.capsa.front.ContainerRecord.class);
        io.capsa.front.ContainerRecord theirs = DATABIND.readValue(min, io.capsa.front.ContainerRecord.class);
        assertThat(RecordJson.toJson(mine)).isEqualTo(RecordJson.toJson(theirs));
        assertThat(mine.status).isEqualTo(io.capsa.front.ContainerRecord.CREATED);
        assertThat(mine.command).isEmpty();
        assertThat(mine.labels).isNull();
        assertThat(bindError("{\"exitCode\":\"3\"}", io.capsa.front.ContainerRecord.class))
                .isEqualTo("exitCode: expected a 32-bit integer");
    }

    @Test
    void goIndentation() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1, 2));
        m.put("b", Map.of());
        m.put("c", List.of());
        m.put("d", Map.of("e", "f"));
        assertThat(Json.toIndentedJson(m)).isEqualTo(
                "{\n\t\"a\": [\n\t\t1,\n\t\t2\n\t],\n\t\"b\": {},\n\t\"c\": [],\n\t\"d\": {\n\t\t\"e\": \"f\"\n\t}\n}");
        assertThat(Json.toIndentedJson(List.of(m.get("d")), "    "))
                .isEqualTo("[\n    {\n        \"e\": \"f\"\n    }\n]");
    }

    @Test
    void readsGenericValuesAsDatabindDoes() throws IOException {
        String json = "{\"s\":\"x\",\"i\":1,\"l\":3000000000,\"b\":18446744073709551616,\"d\":1.5,\"e\":1e3,"
                + "\"t\":true,\"n\":null,\"a\":[1,{\"x\":[]}],\"o\":{}}";
        Object mine = RecordJson.read(utf8(json), Object.class);
        assertThat(mine).isEqualTo(DATABIND.readValue(json, Object.class));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) mine;
        assertThat(m).isInstanceOf(LinkedHashMap.class);
        assertThat(m.keySet()).containsExactly("s", "i", "l", "b", "d", "e", "t", "n", "a", "o");
        assertThat(m.get("i")).isInstanceOf(Integer.class);
        assertThat(m.get("l")).isInstanceOf(Long.class);
        assertThat(m.get("b")).isInstanceOf(BigInteger.class);
        assertThat(m.get("e")).isEqualTo(1000.0);
        assertThat(m.get("a")).isInstanceOf(ArrayList.class);
        assertThat(RecordJson.toJson(mine)).isEqualTo(DATABIND.writeValueAsString(mine));
    }

    @Test
    void readingKeepsNullsAndOrderWritingOmitsNullMapValues() {
        Spec s = RecordJson.read(utf8("{\"process\":{\"args\":[\"a\",null]},\"annotations\":{\"z\":\"1\",\"a\":null,"
                + "\"m\":\"2\",\"z\":\"3\"}}"), Spec.class);
        assertThat(s.process().args()).containsExactly("a", null);
        assertThat(s.annotations()).isInstanceOf(LinkedHashMap.class);
        assertThat(s.annotations().keySet()).containsExactly("z", "a", "m");
        assertThat(s.annotations().get("z")).isEqualTo("3");
        assertThat(RecordJson.toJson(s))
                .isEqualTo("{\"process\":{\"args\":[\"a\",null]},\"annotations\":{\"z\":\"3\",\"m\":\"2\"}}");
    }

    // ---- unsigned integers -------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "9223372036854775807, 9223372036854775807",
        "9223372036854775808, -9223372036854775808",
        "18446744073709551615, -1",
        "18446744073709551614, -2"})
    void uint64RoundTrips(String json, long stored) {
        Rlimit r = RecordJson.read(utf8("{\"type\":\"RLIMIT_CORE\",\"soft\":" + json + "}"), Rlimit.class);
        assertThat(r.soft()).isEqualTo(stored);
        assertThat(RecordJson.toJson(r)).isEqualTo("{\"type\":\"RLIMIT_CORE\",\"soft\":" + json + "}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "18446744073709551616 | expected an unsigned 64-bit integer, got 18446744073709551616",
        "-1 | expected an unsigned 64-bit integer, got -1",
        "-9223372036854775809 | expected an unsigned 64-bit integer, got -9223372036854775809",
        "1.0 | expected an unsigned 64-bit integer",
        "'\"1\"' | expected an unsigned 64-bit integer",
        "true | expected an unsigned 64-bit integer",
        "[] | expected an unsigned 64-bit integer"})
    void uint64Errors(String json, String message) {
        assertThat(bindError("{\"hard\":" + json + "}", Rlimit.class)).isEqualTo("hard: " + message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "4294967295"})
    void uint32Accepts(String json) {
        LinuxIdMapping m = RecordJson.read(utf8("{\"size\":" + json + "}"), LinuxIdMapping.class);
        assertThat(m.size()).isEqualTo(Long.parseLong(json));
        assertThat(RecordJson.toJson(m)).isEqualTo("{\"size\":" + json + "}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "4294967296 | expected an unsigned 32-bit integer, got 4294967296",
        "9223372036854775808 | expected an unsigned 32-bit integer, got 9223372036854775808",
        "-1 | expected an unsigned 32-bit integer, got -1",
        "0.5 | expected an unsigned 32-bit integer",
        "'\"0\"' | expected an unsigned 32-bit integer"})
    void uint32Errors(String json, String message) {
        assertThat(bindError("{\"hostID\":" + json + "}", LinuxIdMapping.class)).isEqualTo("hostID: " + message);
        assertThat(bindError("{\"additionalGids\":[0," + json + "]}", User.class))
                .isEqualTo("additionalGids[1]: " + message);
    }

    @Test
    void nullsAreAbsent() {
        assertThat(RecordJson.read(utf8("{\"uid\":null,\"additionalGids\":[null]}"), User.class))
                .isEqualTo(new User(null, null, null, Arrays.asList((Long) null), null));
        assertThat(RecordJson.read(utf8("null"), Spec.class)).isNull();
    }

    // ---- names, order, inclusion -------------------------------------------------------------------------------

    @Test
    void renamedComponentsAndPropertyOrder() {
        assertThat(RecordJson.toJson(new IOPriority("IOPRIO_CLASS_RT", 1)))
                .isEqualTo("{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":1}");
        assertThat(RecordJson.read(utf8("{\"class\":\"x\",\"ioClass\":\"y\"}"), IOPriority.class).ioClass())
                .isEqualTo("x");
        assertThat(RecordJson.toJson(new ExecCpuAffinity("0", "1-2"))).isEqualTo("{\"initial\":\"0\",\"final\":\"1-2\"}");
        assertThat(RecordJson.toJson(new LinuxDevice("c", "/dev/x", 1L, 2L, 0666, 0L, 0L)))
                .isEqualTo("{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":2,\"fileMode\":438,\"uid\":0,"
                        + "\"gid\":0}");
        assertThat(RecordJson.toJson(new Rlimit("RLIMIT_NOFILE", 1L, 2L)))
                .isEqualTo("{\"type\":\"RLIMIT_NOFILE\",\"hard\":2,\"soft\":1}");
    }

    /** A record as other packages may write them: primitives, inclusion rules, a partial order, a nested enum. */
    @JsonPropertyOrder({"z"})
    record Sample(@JsonInclude(JsonInclude.Include.NON_DEFAULT) long a,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> b,
            @JsonInclude(JsonInclude.Include.ALWAYS) String c,
            @JsonProperty("zed") boolean z,
            Kind kind,
            Map<String, Object> extra,
            double d,
            String z2) {
    }

    enum Kind { ONE, TWO }

    @Test
    void primitivesInclusionEnumsAndPartialOrder() throws IOException {
        Sample s = new Sample(0, List.of(), null, true, Kind.TWO, Map.of("n", List.of(1)), 0.5, null);
        assertThat(RecordJson.toJson(s))
                .isEqualTo("{\"zed\":true,\"c\":null,\"kind\":\"TWO\",\"extra\":{\"n\":[1]},\"d\":0.5}");
        assertThat(RecordJson.toJson(s)).isEqualTo(DATABIND.writeValueAsString(s));
        Sample back = RecordJson.read(utf8("{\"a\":3,\"kind\":\"ONE\",\"d\":2}"), Sample.class);
        assertThat(back).isEqualTo(new Sample(3, null, null, false, Kind.ONE, null, 2.0, null));
        assertThat(bindError("{\"kind\":\"THREE\"}", Sample.class)).isEqualTo("kind: expected one of ONE, TWO");
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'' | malformed JSON: the file is empty",
        "'{} []' | malformed JSON at line 1 column 4: unexpected data after the top-level value",
        "'{\"root\": {\"path\": 1}}' | root.path: expected a string",
        "'{\"linux\":{\"sysctl\":{\"a b\":{}}}}' | linux.sysctl[\"a b\"]: expected a string",
        "'{\"linux\":{\"timeOffsets\":{\"boot\":[]}}}' | linux.timeOffsets.boot: expected an object",
        "'{\"process\":{\"user\":{\"additionalGids\":{}}}}' | process.user.additionalGids: expected an array of integers",
        "'{\"linux\":{\"resources\":{\"rdma\":[]}}}' | linux.resources.rdma: expected an object whose values are objects",
        "'{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}' | linux.resources.memory.limit: number out of range, expected an integer",
        "'{\"process\":{\"consoleSize\":{\"height\":2147483648}}}' | ok",
        "'{\"hooks\":{\"poststart\":[{\"timeout\":2147483648}]}}' | hooks.poststart[0].timeout: number out of range, expected a 32-bit integer",
        "'{\"hooks\":{\"poststart\":[{\"timeout\":-2147483648}]}}' | ok"})
    void messages(String json, String message) {
        if (message.equals("ok")) {
            assertThat(RecordJson.read(utf8(json), Spec.class)).isNotNull();
        } else {
            assertThat(bindError(json, Spec.class)).isEqualTo(message);
        }
    }

    @Test
    void syntaxErrorsInSkippedValuesAreReported() {
        assertThat(bindError("{\"x-ext\": [1, 2,, 3]}", Spec.class))
                .startsWith("malformed JSON at line 1 column 17: Unexpected character (','");
    }

    /**
     * Every value of full-config.json replaced in turn by values of every JSON type (and numbers at the edges of
     * the ranges): the binder must accept what databind accepted, read the same model, write the same JSON, and
     * reject the rest with the very same message.
     */
    @Test
    void agreesWithDatabindOnEveryMutationOfAFullConfig() throws IOException {
        JsonNode full = DATABIND.readTree(SpecLoaderTest.resource("full-config.json"));
        List<String> replacements = List.of("\"x\"", "\"\"", "\"5\"", "0", "-1", "7", "1.5", "2147483648",
                "4294967296", "9223372036854775808", "18446744073709551616", "-9223372036854775809", "true",
                "null", "{}", "{\"k\":\"v\"}", "{\"a b\":1}", "[]", "[1]", "[\"s\"]", "[null]", "[{}]");
        List<JsonNode> values = new ArrayList<>();
        for (String r : replacements) {
            values.add(DATABIND.readTree(r));
        }
        int[] counts = new int[2];
        forEachValue(full, full, mutate -> {
            for (JsonNode v : values) {
                JsonNode copy = full.deepCopy();
                mutate.accept(new Object[] {copy, v});
                compare(copy.toString(), counts);
            }
        });
        assertThat(counts[0]).as("accepted").isGreaterThan(1000);
        assertThat(counts[1]).as("rejected").isGreaterThan(1000);
    }

    @Test
    void agreesWithDatabindOnTruncatedAndBrokenDocuments() throws IOException {
        String text = SpecLoaderTest.resource("full-config.json");
        int[] counts = new int[2];
        for (int i = 0; i < text.length(); i += 11) {
            compare(text.substring(0, i), counts);
            compare(text.substring(0, i) + "}" + text.substring(i), counts);
            compare(text.substring(0, i) + "," + text.substring(i), counts);
        }
        for (String s : List.of("null", "[]", "\"x\"", "1", "true", "{} {}", "{} x", "{}}", "null null", " \n ",
                "{\"a\":1}\n\n  [", "\ufeff{}", "{\"ociVersion\":\"\\u00e9\"}", "{\"ociVersion\":\"\\ud800\"}",
                "{'a':1}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":[}", "{\"process\":{\"args\":[\"a\"}}",
                "{\"ociVersion\":\"a\",\"ociVersion\":\"b\"}", "{\"process\":{\"cwd\":\"/a\",\"cwd\":\"/b\"}}",
                "{\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}")) {
            compare(s, counts);
        }
        assertThat(counts[1]).isGreaterThan(100);
    }

    private static void compare(String json, int[] counts) {
        byte[] data = utf8(json);
        Object theirs;
        try {
            theirs = DatabindReference.parse(data, Spec.class, "config.json");
        } catch (SpecException e) {
            theirs = e.getMessage();
        }
        Object mine;
        try {
            mine = SpecLoader.parse(data, Spec.class, "config.json");
        } catch (SpecException e) {
            mine = e.getMessage();
        }
        assertThat(mine).as(json).isEqualTo(theirs);
        if (mine instanceof Spec spec) {
            counts[0]++;
            try {
                assertThat(RecordJson.toJson(spec)).as(json).isEqualTo(DATABIND.writeValueAsString(spec));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        } else {
            counts[1]++;
        }
    }

    /** Calls {@code visit} with a mutator {(root copy, new value)} for every value position under {@code node}. */
    private static void forEachValue(JsonNode root, JsonNode node, Consumer<Consumer<Object[]>> visit) {
        List<Object> path = new ArrayList<>();
        walk(node, path, visit);
    }

    private static void walk(JsonNode node, List<Object> path, Consumer<Consumer<Object[]>> visit) {
        if (node instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext();) {
                String k = it.next();
                List<Object> p = new ArrayList<>(path);
                p.add(k);
                visit.accept(set(p));
                walk(o.get(k), p, visit);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                List<Object> p = new ArrayList<>(path);
                p.add(i);
                visit.accept(set(p));
                walk(a.get(i), p, visit);
            }
        }
    }

    private static Consumer<Object[]> set(List<Object> path) {
        return args -> {
            JsonNode n = (JsonNode) args[0];
            for (int i = 0; i < path.size() - 1; i++) {
                Object s = path.get(i);
                n = s instanceof Integer idx ? n.get(idx) : n.get((String) s);
            }
            Object last = path.get(path.size() - 1);
            if (last instanceof Integer idx) {
                ((ArrayNode) n).set(idx, (JsonNode) args[1]);
            } else {
                ((ObjectNode) n).set((String) last, (JsonNode) args[1]);
            }
        };
    }

    @Test
    void otherTypesAreWrittenByDatabind() throws IOException {
        JsonNode tree = DATABIND.readTree("{\"a\":[1,null,{\"b\":null}],\"c\":18446744073709551615}");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tree", tree);
        assertThat(RecordJson.toJson(m)).isEqualTo("{\"tree\":" + DATABIND.writeValueAsString(tree) + "}");
        assertThat(Json.toIndentedJson(tree)).isEqualTo(
                DATABIND.writer(new RecordJson.GoPrettyPrinter("\t")).writeValueAsString(tree));
    }

    @Test
    void errorsInOtherRootTypes() {
        assertThatThrownBy(() -> Json.read(utf8("{\"pid\":\"1\"}"), State.class, "state.json"))
                .isInstanceOf(SpecException.class).hasMessage("state.json: pid: expected a 32-bit integer");
        assertThat(Json.read(utf8("{\"id\":\"a\",\"future\":{\"x\":[1,2]},\"pid\":5}"), ContainerState.class, "s"))
                .isEqualTo(new ContainerState("a", null, null, null, 5L, null, null, null, null, null, null));
    }
}
