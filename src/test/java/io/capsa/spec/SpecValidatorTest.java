package io.capsa.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecValidatorTest {
    @TempDir
    Path bundle;

    @BeforeEach
    void rootfs() throws IOException {
        Files.createDirectory(bundle.resolve("rootfs"));
    }

    /** The default spec as a mutable JSON tree. */
    static ObjectNode base() {
        return (ObjectNode) Json.mapper().valueToTree(DefaultSpec.create(false));
    }

    Spec spec(Consumer<ObjectNode> change) {
        ObjectNode n = base();
        change.accept(n);
        return SpecLoader.parse(n.toString(), Spec.class, "config.json");
    }

    static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode arr(String... values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    static ObjectNode process(ObjectNode n) {
        return (ObjectNode) n.get("process");
    }

    static ObjectNode linux(ObjectNode n) {
        return (ObjectNode) n.get("linux");
    }

    static ArrayNode namespaces(ObjectNode n) {
        return (ArrayNode) linux(n).get("namespaces");
    }

    static ObjectNode ns(String type) {
        return obj().put("type", type);
    }

    static void removeNs(ObjectNode n, String type) {
        ArrayNode a = namespaces(n);
        for (int i = a.size() - 1; i >= 0; i--) {
            if (a.get(i).get("type").asText().equals(type)) {
                a.remove(i);
            }
        }
    }

    static Arguments bad(String expected, Consumer<ObjectNode> change) {
        return Arguments.of(expected, change);
    }

    @Test
    void defaultSpecsAreValid() {
        assertThat(SpecValidator.validate(DefaultSpec.create(false), bundle)).isEmpty();
        assertThat(SpecValidator.validate(DefaultSpec.create(true), bundle)).isEmpty();
        assertThat(SpecValidator.validate(DefaultSpec.toRootless(DefaultSpec.create(false), 1000, 1000), bundle))
                .isEmpty();
    }

    @Test
    void fullConfigIsValidApartFromHostSpecifics() throws IOException {
        Spec spec = SpecLoader.parse(SpecLoaderTest.resource("full-config.json"), Spec.class, "config.json");
        assertThat(SpecValidator.validate(spec, bundle)).isEmpty();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("ociVersion: required", n -> n.remove("ociVersion")),
                bad("ociVersion: \"1.0\" is not a valid version (expected MAJOR.MINOR.PATCH)",
                        n -> n.put("ociVersion", "1.0")),
                bad("ociVersion: unsupported version \"2.0.0\" (supported: 1.0.0 to 1.2.1)",
                        n -> n.put("ociVersion", "2.0.0")),
                bad("ociVersion: unsupported version \"0.6.0\" (supported: 1.0.0 to 1.2.1)",
                        n -> n.put("ociVersion", "0.6.0")),
                bad("root: required", n -> n.remove("root")),
                bad("root.path: required", n -> ((ObjectNode) n.get("root")).remove("path")),
                bad("process: required", n -> n.remove("process")),
                bad("process.args: must not be empty", n -> process(n).remove("args")),
                bad("process.args: must not be empty", n -> process(n).set("args", arr())),
                bad("process.args[1]: contains a NUL byte", n -> process(n).set("args", arr("sh", "a\0b"))),
                bad("process.cwd: required", n -> process(n).remove("cwd")),
                bad("process.cwd: must be an absolute path, got \"work\"", n -> process(n).put("cwd", "work")),
                bad("process.env[1]: \"FOO\" is not NAME=VALUE", n -> process(n).set("env", arr("A=1", "FOO"))),
                bad("process.env[0]: \"=x\" has an empty name", n -> process(n).set("env", arr("=x"))),
                bad("process.consoleSize.width: required",
                        n -> process(n).set("consoleSize", obj().put("height", 10))),
                bad("process.consoleSize.height: 70000 is out of range (0 to 65535)",
                        n -> process(n).set("consoleSize", obj().put("height", 70000).put("width", 80))),
                bad("process.user.umask: 512 is not a umask (0 to 0777)",
                        n -> ((ObjectNode) process(n).get("user")).put("umask", 512)),
                bad("process.capabilities.effective[1]: unknown capability \"CAP_FLY\"",
                        n -> ((ObjectNode) process(n).get("capabilities")).set("effective",
                                arr("CAP_KILL", "CAP_FLY"))),
                bad("process.capabilities.ambient[0]: unknown capability \"kill\"",
                        n -> ((ObjectNode) process(n).get("capabilities")).set("ambient", arr("kill"))),
                bad("process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"",
                        n -> ((ObjectNode) process(n).get("rlimits").get(0)).put("type", "RLIMIT_FOO")),
                bad("process.rlimits[0].type: required",
                        n -> ((ObjectNode) process(n).get("rlimits").get(0)).remove("type")),
                bad("process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"",
                        n -> ((ArrayNode) process(n).get("rlimits")).add(
                                obj().put("type", "RLIMIT_NOFILE").put("hard", 1).put("soft", 1))),
                bad("process.rlimits[0].soft: required",
                        n -> ((ObjectNode) process(n).get("rlimits").get(0)).remove("soft")),
                bad("process.rlimits[0]: soft limit 2048 is above hard limit 1024",
                        n -> ((ObjectNode) process(n).get("rlimits").get(0)).put("soft", 2048)),
                bad("process.oomScoreAdj: 1001 is out of range (-1000 to 1000)",
                        n -> process(n).put("oomScoreAdj", 1001)),
                bad("process.scheduler.policy: required", n -> process(n).set("scheduler", obj())),
                bad("process.scheduler.policy: unknown policy \"SCHED_FAST\"",
                        n -> process(n).set("scheduler", obj().put("policy", "SCHED_FAST"))),
                bad("process.scheduler.nice: 20 is out of range (-20 to 19)",
                        n -> process(n).set("scheduler", obj().put("policy", "SCHED_OTHER").put("nice", 20))),
                bad("process.scheduler.priority: can only be set with SCHED_FIFO or SCHED_RR",
                        n -> process(n).set("scheduler", obj().put("policy", "SCHED_OTHER").put("priority", 5))),
                bad("process.scheduler: runtime, deadline and period can only be set with SCHED_DEADLINE",
                        n -> process(n).set("scheduler", obj().put("policy", "SCHED_RR").put("runtime", 5))),
                bad("process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_X\"",
                        n -> process(n).set("scheduler", obj().put("policy", "SCHED_RR")
                                .set("flags", arr("SCHED_FLAG_X")))),
                bad("process.ioPriority.class: required", n -> process(n).set("ioPriority", obj())),
                bad("process.ioPriority.class: unknown class \"BE\" (expected IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or "
                        + "IOPRIO_CLASS_IDLE)", n -> process(n).set("ioPriority", obj().put("class", "BE"))),
                bad("process.ioPriority.priority: 8 is out of range (0 to 7)",
                        n -> process(n).set("ioPriority", obj().put("class", "IOPRIO_CLASS_BE").put("priority", 8))),
                bad("process.execCPUAffinity.final: \"a\" is not a CPU list like \"0-3,7\"",
                        n -> process(n).set("execCPUAffinity", obj().put("final", "a"))),
                bad("process.execCPUAffinity.initial: \"3-1\": range 3-1 is reversed",
                        n -> process(n).set("execCPUAffinity", obj().put("initial", "3-1"))),
                bad("hostname: requires a uts namespace in linux.namespaces", n -> removeNs(n, "uts")),
                bad("domainname: requires a uts namespace in linux.namespaces", n -> {
                    n.remove("hostname");
                    n.put("domainname", "example.org");
                    removeNs(n, "uts");
                }),
                bad("mounts[2].destination: required", n -> ((ObjectNode) n.get("mounts").get(2)).remove("destination")),
                bad("mounts[0].uidMappings: id-mapped mounts are not supported",
                        n -> ((ObjectNode) n.get("mounts").get(0)).set("uidMappings", JsonNodeFactory.instance.arrayNode())),
                bad("mounts[0].options[1]: \"idmap\": id-mapped mounts are not supported",
                        n -> ((ObjectNode) n.get("mounts").get(0)).set("options", arr("bind", "idmap"))),
                bad("mounts[0].source: required for a bind mount",
                        n -> n.set("mounts", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("destination", "/x").set("options", arr("rbind"))))),
                bad("mounts[0].destination: contains a NUL byte",
                        n -> ((ObjectNode) n.get("mounts").get(0)).put("destination", "/pr\0oc")),
                bad("hooks.poststart[0].path: must be an absolute path, got \"hook.sh\"",
                        n -> n.set("hooks", obj().set("poststart", JsonNodeFactory.instance.arrayNode()
                                .add(obj().put("path", "hook.sh"))))),
                bad("hooks.prestart[1].path: required",
                        n -> n.set("hooks", obj().set("prestart", JsonNodeFactory.instance.arrayNode()
                                .add(obj().put("path", "/bin/true")).add(obj())))),
                bad("hooks.createRuntime[0].timeout: must be greater than zero",
                        n -> n.set("hooks", obj().set("createRuntime", JsonNodeFactory.instance.arrayNode()
                                .add(obj().put("path", "/bin/true").put("timeout", 0))))),
                bad("linux.namespaces[1].type: unknown namespace type \"net\" (expected one of cgroup, ipc, mount, "
                        + "network, pid, time, user, uts)",
                        n -> ((ObjectNode) namespaces(n).get(1)).put("type", "net")),
                bad("linux.namespaces[5].type: duplicate namespace \"pid\"", n -> namespaces(n).add(ns("pid"))),
                bad("linux.namespaces[0].type: required", n -> ((ObjectNode) namespaces(n).get(0)).remove("type")),
                bad("linux.namespaces[1].path: must be an absolute path, got \"ns/net\"",
                        n -> ((ObjectNode) namespaces(n).get(1)).put("path", "ns/net")),
                bad("linux.namespaces[1].path: /proc/999999999/ns/net does not exist",
                        n -> ((ObjectNode) namespaces(n).get(1)).put("path", "/proc/999999999/ns/net")),
                bad("linux.uidMappings: requires a user namespace in linux.namespaces",
                        n -> linux(n).set("uidMappings", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("containerID", 0).put("hostID", 1000).put("size", 1)))),
                bad("linux.gidMappings: requires a user namespace in linux.namespaces",
                        n -> linux(n).set("gidMappings", JsonNodeFactory.instance.arrayNode())),
                bad("linux.uidMappings: required with a new user namespace", n -> namespaces(n).add(ns("user"))),
                bad("linux.gidMappings: required with a new user namespace", n -> {
                    namespaces(n).add(ns("user"));
                    linux(n).set("uidMappings", JsonNodeFactory.instance.arrayNode().add(
                            obj().put("containerID", 0).put("hostID", 1000).put("size", 1)));
                }),
                bad("linux.uidMappings: container uid 0 (root) is not mapped", n -> {
                    namespaces(n).add(ns("user"));
                    linux(n).set("uidMappings", JsonNodeFactory.instance.arrayNode().add(
                            obj().put("containerID", 1).put("hostID", 1000).put("size", 1)));
                    linux(n).set("gidMappings", JsonNodeFactory.instance.arrayNode().add(
                            obj().put("containerID", 0).put("hostID", 1000).put("size", 1)));
                }),
                bad("linux.uidMappings[0].size: must be greater than zero", n -> {
                    namespaces(n).add(ns("user"));
                    linux(n).set("uidMappings", JsonNodeFactory.instance.arrayNode().add(
                            obj().put("containerID", 0).put("hostID", 1000).put("size", 0)));
                }),
                bad("linux.uidMappings: cannot be combined with joining an existing user namespace with other "
                        + "mappings", n -> {
                            namespaces(n).add(ns("user").put("path", "/proc/self/ns/user"));
                            linux(n).set("uidMappings", JsonNodeFactory.instance.arrayNode().add(
                                    obj().put("containerID", 0).put("hostID", 1000).put("size", 1)));
                        }),
                bad("linux.timeOffsets: requires a time namespace in linux.namespaces",
                        n -> linux(n).set("timeOffsets", obj().set("monotonic", obj().put("secs", 1)))),
                bad("linux.timeOffsets: cannot be set when joining an existing time namespace", n -> {
                    namespaces(n).add(ns("time").put("path", "/proc/self/ns/time"));
                    linux(n).set("timeOffsets", obj().set("monotonic", obj().put("secs", 1)));
                }),
                bad("linux.timeOffsets.realtime: unknown clock \"realtime\" (expected monotonic or boottime)", n -> {
                    namespaces(n).add(ns("time"));
                    linux(n).set("timeOffsets", obj().set("realtime", obj().put("secs", 1)));
                }),
                bad("linux.timeOffsets.boottime.nanosecs: must be below 1000000000", n -> {
                    namespaces(n).add(ns("time"));
                    linux(n).set("timeOffsets", obj().set("boottime", obj().put("nanosecs", 1_000_000_000L)));
                }),
                bad("linux.sysctl[\"kernel.shmmax\"]: not allowed in the host's ipc namespace (add an ipc namespace)",
                        n -> {
                            removeNs(n, "ipc");
                            linux(n).set("sysctl", obj().put("kernel.shmmax", "1"));
                        }),
                bad("linux.sysctl[\"fs.mqueue.msg_max\"]: not allowed in the host's ipc namespace (add an ipc "
                        + "namespace)", n -> {
                            removeNs(n, "ipc");
                            linux(n).set("sysctl", obj().put("fs.mqueue.msg_max", "1"));
                        }),
                bad("linux.sysctl[\"net.ipv4.ip_forward\"]: not allowed in the host network namespace", n -> {
                    removeNs(n, "network");
                    linux(n).set("sysctl", obj().put("net.ipv4.ip_forward", "1"));
                }),
                bad("linux.sysctl[\"net/ipv4/ip_forward\"]: not allowed in the host network namespace", n -> {
                    ((ObjectNode) namespaces(n).get(1)).put("path", "/proc/self/ns/net");
                    linux(n).set("sysctl", obj().put("net/ipv4/ip_forward", "1"));
                }),
                bad("linux.sysctl[\"kernel.hostname\"]: not allowed: it conflicts with the \"hostname\" field",
                        n -> linux(n).set("sysctl", obj().put("kernel.hostname", "x"))),
                bad("linux.sysctl[\"kernel.domainname\"]: not in a separate kernel namespace", n -> {
                    removeNs(n, "uts");
                    n.remove("hostname");
                    linux(n).set("sysctl", obj().put("kernel.domainname", "x"));
                }),
                bad("linux.sysctl[\"vm.swappiness\"]: not in a separate kernel namespace",
                        n -> linux(n).set("sysctl", obj().put("vm.swappiness", "10"))),
                bad("linux.devices[0].type: invalid device type \"x\" (expected c, b, u or p)",
                        n -> linux(n).set("devices", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("path", "/dev/x").put("type", "x").put("major", 1).put("minor", 1)))),
                bad("linux.devices[0].type: required",
                        n -> linux(n).set("devices", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("path", "/dev/x")))),
                bad("linux.devices[0].path: must be an absolute path, got \"dev/x\"",
                        n -> linux(n).set("devices", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("path", "dev/x").put("type", "c").put("major", 1).put("minor", 1)))),
                bad("linux.devices[0].major: required for a block device",
                        n -> linux(n).set("devices", JsonNodeFactory.instance.arrayNode().add(
                                obj().put("path", "/dev/sda").put("type", "b").put("minor", 1)))),
                bad("linux.resources.devices[0].access: must not be empty",
                        n -> ((ObjectNode) linux(n).get("resources").get("devices").get(0)).remove("access")),
                bad("linux.resources.devices[0].access: invalid access \"rwx\" (expected letters r, w, m)",
                        n -> ((ObjectNode) linux(n).get("resources").get("devices").get(0)).put("access", "rwx")),
                bad("linux.resources.devices[0].type: invalid cgroup device type \"u\" (expected a, b or c)",
                        n -> ((ObjectNode) linux(n).get("resources").get("devices").get(0)).put("type", "u")),
                bad("linux.resources.memory.swappiness: 101 is out of range (0 to 100)",
                        n -> ((ObjectNode) linux(n).get("resources")).set("memory", obj().put("swappiness", 101))),
                bad("linux.rootfsPropagation: unknown propagation \"rprivat\" (expected shared, slave, private, "
                        + "unbindable or their r* forms)", n -> linux(n).put("rootfsPropagation", "rprivat")),
                bad("linux.maskedPaths: requires a mount namespace in linux.namespaces", n -> removeNs(n, "mount")),
                bad("linux.readonlyPaths[1]: must be an absolute path, got \"proc/fs\"",
                        n -> linux(n).set("readonlyPaths", arr("/proc/bus", "proc/fs"))),
                bad("linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\"",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_DENY"))),
                bad("linux.seccomp.defaultAction: required",
                        n -> linux(n).set("seccomp", obj().set("syscalls", JsonNodeFactory.instance.arrayNode()
                                .add(obj().put("action", "SCMP_ACT_ALLOW").set("names", arr("read")))))),
                bad("linux.seccomp.architectures[0]: unknown architecture \"x86_64\"",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("architectures", arr("x86_64")))),
                bad("linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("flags", arr("SECCOMP_FILTER_FLAG_X")))),
                bad("linux.seccomp.syscalls[0].names: must not be empty",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("syscalls", JsonNodeFactory.instance.arrayNode()
                                        .add(obj().put("action", "SCMP_ACT_ERRNO"))))),
                bad("linux.seccomp.syscalls[0].action: unknown action \"ERRNO\"",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("syscalls", JsonNodeFactory.instance.arrayNode()
                                        .add(obj().put("action", "ERRNO").set("names", arr("mkdir")))))),
                bad("linux.seccomp.syscalls[0].args[0].op: unknown operator \"==\"",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("syscalls", JsonNodeFactory.instance.arrayNode()
                                        .add(obj().put("action", "SCMP_ACT_ERRNO").<ObjectNode>set("names", arr("mkdir"))
                                                .set("args", JsonNodeFactory.instance.arrayNode()
                                                        .add(obj().put("index", 0).put("value", 1).put("op", "=="))))))),
                bad("linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)",
                        n -> linux(n).set("seccomp", obj().put("defaultAction", "SCMP_ACT_ALLOW")
                                .set("syscalls", JsonNodeFactory.instance.arrayNode()
                                        .add(obj().put("action", "SCMP_ACT_ERRNO").<ObjectNode>set("names", arr("mkdir"))
                                                .set("args", JsonNodeFactory.instance.arrayNode().add(obj()
                                                        .put("index", 6).put("value", 1).put("op", "SCMP_CMP_EQ"))))))),
                bad("linux.personality.domain: unknown domain \"BSD\" (expected LINUX or LINUX32)",
                        n -> linux(n).set("personality", obj().put("domain", "BSD"))),
                bad("linux.intelRdt.closID: invalid \"../x\"",
                        n -> linux(n).set("intelRdt", obj().put("closID", "../x"))),
                bad("linux.intelRdt: Intel RDT is not supported",
                        n -> linux(n).set("intelRdt", obj().put("l3CacheSchema", "L3:0=f"))),
                bad("linux.netDevices: requires a network namespace in linux.namespaces", n -> {
                    removeNs(n, "network");
                    linux(n).set("netDevices", obj().set("eth1", obj()));
                }),
                bad("linux.netDevices[\"bad/name\"]: \"bad/name\" is not a valid interface name",
                        n -> linux(n).set("netDevices", obj().set("bad/name", obj()))),
                bad("linux.netDevices.eth1.name: \"a-very-long-interface\" is not a valid interface name",
                        n -> linux(n).set("netDevices", obj().set("eth1", obj().put("name", "a-very-long-interface")))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String expected, Consumer<ObjectNode> change) {
        Spec spec = spec(change);
        assertThatThrownBy(() -> SpecValidator.validate(spec, bundle))
                .isInstanceOf(SpecException.class)
                .hasMessage(expected);
    }

    @Test
    void rootfsMustExistAndBeARealDirectory() throws IOException {
        Spec spec = DefaultSpec.create(false);
        Path other = Files.createDirectory(bundle.resolve("other"));
        Path real = bundle.toRealPath();
        assertThatThrownBy(() -> SpecValidator.validate(spec, other))
                .hasMessage("root.path: " + real.resolve("other/rootfs") + " does not exist");
        Files.writeString(other.resolve("rootfs"), "");
        assertThatThrownBy(() -> SpecValidator.validate(spec, other))
                .hasMessage("root.path: " + real.resolve("other/rootfs") + " is not a directory");
        Files.delete(other.resolve("rootfs"));
        Files.createSymbolicLink(other.resolve("rootfs"), bundle.resolve("rootfs"));
        assertThatThrownBy(() -> SpecValidator.validate(spec, other))
                .hasMessage("root.path: " + real.resolve("other/rootfs") + " is or goes through a symlink (to "
                        + real.resolve("rootfs") + ")");
    }

    @Test
    void absoluteRootPath() {
        Spec ok = spec(n -> ((ObjectNode) n.get("root")).put("path", bundle.resolve("rootfs").toString()));
        assertThat(SpecValidator.validate(ok, Path.of("/nonexistent-bundle"))).isEmpty();
        assertThat(SpecValidator.rootfs(ok, Path.of("/elsewhere"))).isEqualTo(bundle.resolve("rootfs"));
        assertThat(SpecValidator.rootfs(DefaultSpec.create(false), Path.of("/b"))).isEqualTo(Path.of("/b/rootfs"));
    }

    @Test
    void processIsOptionalWhenNotRequired() {
        Spec spec = spec(n -> n.remove("process"));
        assertThat(SpecValidator.validate(spec, bundle, false)).isEmpty();
    }

    @Test
    void relativeMountDestinationIsOnlyAWarning() {
        Spec spec = spec(n -> ((ObjectNode) n.get("mounts").get(0)).put("destination", "proc"));
        assertThat(SpecValidator.validate(spec, bundle))
                .containsExactly("mounts[0].destination: \"proc\" is not absolute; it is used relative to /");
    }

    @Test
    void allowedSysctls() {
        Spec spec = spec(n -> linux(n).set("sysctl", obj().put("kernel.shmmax", "1").put("fs.mqueue.queues_max", "3")
                .put("net.ipv4.ip_forward", "1").put("net/ipv4/conf/eth0.100/rp_filter", "0")
                .put("kernel.domainname", "x")));
        assertThat(SpecValidator.validate(spec, bundle)).isEmpty();
    }

    @Test
    void sysctlSlashSyntaxIsNormalized() {
        assertThat(SpecValidator.dotted("net/ipv4/conf/eno2.100/rp_filter"))
                .isEqualTo("net.ipv4.conf.eno2/100.rp_filter");
        assertThat(SpecValidator.dotted("net.ipv4.ip_forward")).isEqualTo("net.ipv4.ip_forward");
    }

    @Test
    void joiningTheOwnUserNamespaceWithItsOwnMappingsIsAccepted() throws IOException {
        List<String> uid = Files.readAllLines(Path.of("/proc/self/uid_map"));
        List<String> gid = Files.readAllLines(Path.of("/proc/self/gid_map"));
        Spec spec = spec(n -> {
            namespaces(n).add(ns("user").put("path", "/proc/self/ns/user"));
            linux(n).set("uidMappings", mapping(uid));
            linux(n).set("gidMappings", mapping(gid));
        });
        assertThat(SpecValidator.validate(spec, bundle)).isEmpty();
        Spec noMaps = spec(n -> namespaces(n).add(ns("user").put("path", "/proc/self/ns/user")));
        assertThat(SpecValidator.validate(noMaps, bundle)).isEmpty();
    }

    private static ArrayNode mapping(List<String> lines) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String l : lines) {
            String[] f = l.trim().split("\\s+");
            a.add(obj().put("containerID", Long.parseLong(f[0])).put("hostID", Long.parseLong(f[1]))
                    .put("size", Long.parseLong(f[2])));
        }
        return a;
    }

    @Test
    void validatesAnExecProcessJson() {
        ProcessSpec p = SpecLoader.parse("{\"cwd\":\"x\",\"args\":[\"ls\"]}", ProcessSpec.class, "process.json");
        assertThatThrownBy(() -> SpecValidator.validateProcess(p, ""))
                .hasMessage("cwd: must be an absolute path, got \"x\"");
    }
}
