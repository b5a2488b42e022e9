package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecLoaderTest {

    static String resource(String name) throws IOException {
        try (InputStream in = SpecLoaderTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void roundTripsRuncDefaultSpecByteForByte() throws IOException {
        for (String name : List.of("runc-1.1.5-spec.json", "runc-1.1.5-spec-rootless.json", "default-spec.json")) {
            String text = resource(name);
            Spec spec = SpecLoader.parse(text, Spec.class, "config.json");
            assertThat(Json.toIndentedJson(spec)).as(name).isEqualTo(text);
        }
    }

    @Test
    void roundTripsEveryFieldOfAFullConfig() throws IOException {
        String text = resource("full-config.json");
        Spec spec = SpecLoader.parse(text, Spec.class, "config.json");
        assertThat(Json.toIndentedJson(spec)).isEqualTo(text.stripTrailing());
        // and compact JSON parses back to an equal model
        assertThat(SpecLoader.parse(Json.toJson(spec), Spec.class, "x")).isEqualTo(spec);
    }

    @Test
    void readsTheRuncDefaultSpecModel() throws IOException {
        Spec spec = SpecLoader.parse(resource("runc-1.1.5-spec.json"), Spec.class, "config.json");
        assertThat(spec.ociVersion()).isEqualTo("1.0.2-dev");
        assertThat(spec.process().terminal()).isTrue();
        assertThat(spec.process().user()).isEqualTo(new User(0L, 0L, null, null, null));
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.process().rlimits()).containsExactly(new Rlimit("RLIMIT_NOFILE", 1024L, 1024L));
        assertThat(spec.process().capabilities().inheritable()).isNull();
        assertThat(spec.root()).isEqualTo(new Root("rootfs", true));
        assertThat(spec.mounts()).hasSize(7);
        assertThat(spec.mounts().get(0)).isEqualTo(new Mount("/proc", "proc", "proc", null, null, null));
        assertThat(spec.linux().resources().devices())
                .containsExactly(new LinuxDeviceCgroup(false, null, null, null, "rwm"));
        assertThat(spec.linux().namespaces()).extracting(LinuxNamespace::type)
                .containsExactly("pid", "network", "ipc", "uts", "mount");
        assertThat(spec.hooks()).isNull();
    }

    @Test
    void fullConfigValues() throws IOException {
        Spec spec = SpecLoader.parse(resource("full-config.json"), Spec.class, "config.json");
        ProcessSpec p = spec.process();
        assertThat(p.consoleSize()).isEqualTo(new ConsoleSize(25L, 80L));
        assertThat(p.user().umask()).isEqualTo(18);
        assertThat(p.user().additionalGids()).containsExactly(5L, 6L);
        assertThat(p.rlimits().get(1).hard()).isEqualTo(RlimitType.RLIM_INFINITY);
        assertThat(p.ioPriority()).isEqualTo(new IOPriority("IOPRIO_CLASS_BE", 4));
        assertThat(p.execCPUAffinity()).isEqualTo(new ExecCpuAffinity("0", "0-1"));
        assertThat(p.scheduler().runtime()).isEqualTo(10_000_000L);
        assertThat(spec.hooks().createRuntime().get(0)).isEqualTo(
                new Hook("/usr/bin/env", List.of("env", "A=1"), List.of("B=2"), 5));
        Linux l = spec.linux();
        assertThat(l.timeOffsets().get("monotonic")).isEqualTo(new LinuxTimeOffset(86400L, 500L));
        assertThat(l.devices().get(0)).isEqualTo(new LinuxDevice("c", "/dev/fuse", 10L, 229L, 8630, 0L, 0L));
        assertThat(l.resources().memory().swap()).isEqualTo(-1L);
        assertThat(l.resources().rdma().get("mlx5_1")).isEqualTo(new LinuxRdma(3L, 10000L));
        assertThat(l.seccomp().syscalls().get(1).args().get(0))
                .isEqualTo(new LinuxSeccompArg(0L, 0xFFFF_FFFFL, -1L, "SCMP_CMP_MASKED_EQ"));
        assertThat(l.netDevices().get("eth1")).isEqualTo(new LinuxNetDevice("ctr1"));
        assertThat(l.seccomp().syscalls().get(2).errnoRet()).isEqualTo(38L);
    }

    @Test
    void ignoresUnknownPropertiesAndOmitsNulls() {
        Spec spec = SpecLoader.parse("""
                {"ociVersion": "1.2.0", "vendor.ext": {"x": [1]}, "process": {"cwd": "/", "future": true},
                 "windows": {"layerFolders": []}}""", Spec.class, "config.json");
        assertThat(spec.process().cwd()).isEqualTo("/");
        assertThat(Json.toJson(spec)).isEqualTo("{\"ociVersion\":\"1.2.0\",\"process\":{\"cwd\":\"/\"}}");
    }

    @Test
    void explicitFalseAndEmptyAreKeptAbsentIsNull() {
        Spec spec = SpecLoader.parse("{\"ociVersion\":\"1.0.0\",\"process\":{\"terminal\":false,\"env\":[]}}",
                Spec.class, "config.json");
        assertThat(spec.process().terminal()).isFalse();
        assertThat(spec.process().env()).isEmpty();
        assertThat(spec.process().args()).isNull();
        assertThat(Json.toJson(spec)).isEqualTo("{\"ociVersion\":\"1.0.0\",\"process\":{\"terminal\":false,\"env\":[]}}");
    }

    @Test
    void loadsFromBundleDirectory(@TempDir Path bundle) throws IOException {
        Files.writeString(bundle.resolve("config.json"), resource("runc-1.1.5-spec.json"));
        assertThat(SpecLoader.load(bundle).hostname()).isEqualTo("runc");
    }

    @Test
    void missingConfigNamesTheBundle(@TempDir Path bundle) {
        assertThatThrownBy(() -> SpecLoader.load(bundle))
                .isInstanceOf(SpecException.class)
                .hasMessage("config.json: not found in " + bundle);
    }

    @Test
    void unreadableConfigIsReported(@TempDir Path bundle) throws IOException {
        Files.createDirectory(bundle.resolve("config.json"));
        assertThatThrownBy(() -> SpecLoader.load(bundle))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("config.json: cannot read " + bundle.resolve("config.json"));
    }

    @Test
    void malformedJsonNamesLineAndColumn(@TempDir Path bundle) throws IOException {
        Files.writeString(bundle.resolve("config.json"), "{\n  \"ociVersion\": \"1.0.0\",\n    }\n");
        assertThatThrownBy(() -> SpecLoader.load(bundle))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("config.json: malformed JSON at line 3 column 5: Unexpected character ('}'");
    }

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of("{\"ociVersion\":\"1\",\"process\":{\"args\":\"sh\"}}",
                        "config.json: process.args: expected an array of strings"),
                Arguments.of("{\"process\":{\"args\":[\"sh\", 5]}}",
                        "config.json: process.args[1]: expected a string"),
                Arguments.of("{\"ociVersion\":5}", "config.json: ociVersion: expected a string"),
                Arguments.of("{\"ociVersion\":true}", "config.json: ociVersion: expected a string"),
                Arguments.of("{\"process\":{\"user\":{\"uid\":-1}}}",
                        "config.json: process.user.uid: expected an unsigned 32-bit integer, got -1"),
                Arguments.of("{\"process\":{\"user\":{\"uid\":4294967296}}}",
                        "config.json: process.user.uid: expected an unsigned 32-bit integer, got 4294967296"),
                Arguments.of("{\"process\":{\"user\":{\"uid\":\"0\"}}}",
                        "config.json: process.user.uid: expected an unsigned 32-bit integer"),
                Arguments.of("{\"process\":{\"user\":{\"additionalGids\":[1,-2]}}}",
                        "config.json: process.user.additionalGids[1]: expected an unsigned 32-bit integer, got -2"),
                Arguments.of("{\"process\":{\"terminal\":1}}", "config.json: process.terminal: expected a boolean"),
                Arguments.of("{\"process\":{\"terminal\":\"true\"}}",
                        "config.json: process.terminal: expected a boolean"),
                Arguments.of("{\"process\":{\"oomScoreAdj\":99999999999}}",
                        "config.json: process.oomScoreAdj: number out of range, expected a 32-bit integer"),
                Arguments.of("{\"process\":{\"oomScoreAdj\":1.5}}",
                        "config.json: process.oomScoreAdj: expected a 32-bit integer"),
                Arguments.of("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":18446744073709551616}]}}",
                        "config.json: process.rlimits[0].soft: expected an unsigned 64-bit integer, got "
                                + "18446744073709551616"),
                Arguments.of("{\"process\":{\"rlimits\":[{\"hard\":-1}]}}",
                        "config.json: process.rlimits[0].hard: expected an unsigned 64-bit integer, got -1"),
                Arguments.of("{\"process\":{\"rlimits\":{}}}",
                        "config.json: process.rlimits: expected an array of objects"),
                Arguments.of("{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":1}}}",
                        "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string"),
                Arguments.of("{\"linux\":{\"sysctl\":[]}}",
                        "config.json: linux.sysctl: expected an object whose values are strings"),
                Arguments.of("{\"linux\":{\"timeOffsets\":{\"monotonic\":{\"secs\":\"x\"}}}}",
                        "config.json: linux.timeOffsets.monotonic.secs: expected an integer"),
                Arguments.of("{\"mounts\":[{},{\"options\":{}}]}",
                        "config.json: mounts[1].options: expected an array of strings"),
                Arguments.of("{\"mounts\":{}}", "config.json: mounts: expected an array of objects"),
                Arguments.of("{\"root\":\"rootfs\"}", "config.json: root: expected an object"),
                Arguments.of("{\"linux\":{\"resources\":{\"memory\":{\"limit\":true}}}}",
                        "config.json: linux.resources.memory.limit: expected an integer"),
                Arguments.of("{\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}}",
                        "config.json: linux.resources.memory.limit: expected an integer"),
                Arguments.of("{\"process\":{\"ioPriority\":{\"class\":3}}}",
                        "config.json: process.ioPriority.class: expected a string"),
                Arguments.of("{\"linux\":{\"seccomp\":{\"syscalls\":[{\"args\":[{\"value\":-5}]}]}}}",
                        "config.json: linux.seccomp.syscalls[0].args[0].value: expected an unsigned 64-bit integer, "
                                + "got -5"),
                Arguments.of("{\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":\"5\"}]}}",
                        "config.json: hooks.poststop[0].timeout: expected a 32-bit integer"),
                Arguments.of("{\"annotations\":{\"a\":{}}}", "config.json: annotations.a: expected a string"),
                Arguments.of("", "config.json: malformed JSON: the file is empty"),
                Arguments.of("   ", "config.json: malformed JSON: the file is empty"),
                Arguments.of("[]", "config.json: expected an object"),
                Arguments.of("\"x\"", "config.json: expected an object"),
                Arguments.of("null", "config.json: expected an object, got null"),
                Arguments.of("{} {}", "config.json: malformed JSON at line 1 column 4: unexpected data after the "
                        + "top-level value"));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void translatesJacksonErrors(String json, String message) {
        assertThatThrownBy(() -> SpecLoader.parse(json, Spec.class, "config.json"))
                .isInstanceOf(SpecException.class)
                .hasMessage(message);
    }

    @Test
    void truncatedFileIsMalformed() {
        assertThatThrownBy(() -> SpecLoader.parse("{\"ociVersion\": \"1.0.0\",\n\"process\": {", Spec.class,
                "config.json"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("config.json: malformed JSON at line 2 column ")
                .hasMessageContaining("end-of-input");
    }

    @Test
    void otherRootTypesAndFileNames(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("process.json");
        Files.writeString(f, "{\"cwd\": [1]}");
        assertThatThrownBy(() -> SpecLoader.readFile(f, ProcessSpec.class))
                .hasMessage("process.json: cwd: expected a string");
        Files.writeString(f, "{\"cwd\": \"/\", \"args\": [\"ls\"]}");
        assertThat(SpecLoader.readFile(f, ProcessSpec.class).args()).containsExactly("ls");
        assertThatThrownBy(() -> SpecLoader.readFile(dir.resolve("nope.json"), ProcessSpec.class))
                .hasMessage("nope.json: not found: " + dir.resolve("nope.json"));
    }

    @Test
    void stateJsonRoundTrips() {
        State s = new State("1.2.1", "box", "running", 1234, "/b", java.util.Map.of("a", "b"));
        String json = Json.toJson(s);
        assertThat(json).isEqualTo(
                "{\"ociVersion\":\"1.2.1\",\"id\":\"box\",\"status\":\"running\",\"pid\":1234,\"bundle\":\"/b\","
                        + "\"annotations\":{\"a\":\"b\"}}");
        assertThat(SpecLoader.parse(json, State.class, "state.json")).isEqualTo(s);
    }

    @Test
    void uint64AboveLongMaxIsWrittenUnsigned() {
        Rlimit r = new Rlimit("RLIMIT_CORE", -1L, Long.MIN_VALUE);
        assertThat(Json.toJson(r))
                .isEqualTo("{\"type\":\"RLIMIT_CORE\",\"hard\":9223372036854775808,\"soft\":18446744073709551615}");
    }
}
