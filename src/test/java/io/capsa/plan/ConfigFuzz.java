package io.capsa.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.capsa.testing.TestBundle;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Mutations of a config.json for the fuzz tests: runc's default spec (made richer: every section Capsa reads has
 * something in it) with fields deleted, values replaced by other types, garbage strings, huge or negative numbers,
 * or deep nesting. A mutation picks its place by index among all the values of the tree, so it stays meaningful
 * while shrinking.
 */
public final class ConfigFuzz {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ConfigFuzz() {
    }

    public enum Kind {
        /** A value of the same JSON type: a garbage string, a huge or small number, the other boolean, ... */
        SAME_TYPE, DELETE, NULL, GARBAGE_STRING, SMALL_NUMBER, HUGE_NUMBER, FRACTION, BOOLEAN, EMPTY_ARRAY, EMPTY_OBJECT,
        WRAP_IN_ARRAY, DEEP_NESTING, DUPLICATE, UNKNOWN_FIELD
    }

    /** One change: at the {@code target}-th value of the tree (modulo their number), of {@code kind}. */
    public record Mutation(int target, Kind kind, int seed) {
    }

    static final String[] GARBAGE = {
        "", " ", "x", "../../..", "/", "//", "/..", "\u0000", "a\u0000b", "\uD83D\uDE00", "\n", "-1", "0x10",
        "99999999999999999999999999", "a".repeat(5000), "/" + "a/".repeat(3000), "CAP_NOPE", "proc", "rbind",
        "/proc/self/fd/3", "%s%n%x", "${PATH}", "$(reboot)", "nosuid,nodev", "c", "RLIMIT_NOPE", "user", "mount",
        "SCMP_ACT_ERRNO", "0:0", "\\", "\"", "=", "PATH=", "../rootfs", ".", "rootfs/../rootfs", "-",
    };
    static final JsonNode[] HUGE = {
        LongNode.valueOf(Long.MAX_VALUE), LongNode.valueOf(Long.MIN_VALUE), IntNode.valueOf(-1),
        BigIntegerNode.valueOf(BigInteger.TWO.pow(64)), BigIntegerNode.valueOf(BigInteger.TWO.pow(64).subtract(BigInteger.ONE)),
        BigIntegerNode.valueOf(BigInteger.TEN.pow(40)), DoubleNode.valueOf(1e308), LongNode.valueOf(4294967296L),
        LongNode.valueOf(4294967295L), IntNode.valueOf(Integer.MIN_VALUE), IntNode.valueOf(65536), IntNode.valueOf(1 << 20),
    };
    static final int[] DEPTHS = {2, 64, 999, 1001, 20_000};

    /** The base config: runc's default spec (terminal off, as without a console socket) and much more. */
    public static ObjectNode base() {
        ObjectNode c = TestBundle.runcDefaultSpec();
        ObjectNode p = c.withObjectProperty("process");
        p.put("terminal", false).put("oomScoreAdj", 100);
        p.putObject("consoleSize").put("height", 24).put("width", 80);
        p.withObjectProperty("user").put("umask", 18).putArray("additionalGids").add(10).add(20);
        p.withArrayProperty("rlimits").addObject().put("type", "RLIMIT_CORE").put("hard", 0).put("soft", 0);
        p.withObjectProperty("capabilities").putArray("inheritable").add("CAP_KILL");
        p.putObject("scheduler").put("policy", "SCHED_OTHER").put("nice", 5);
        p.putObject("ioPriority").put("class", "IOPRIO_CLASS_BE").put("priority", 4);
        c.put("domainname", "example.org");
        c.withArrayProperty("mounts").addObject().put("destination", "/data").put("type", "tmpfs").put("source", "tmpfs")
                .putArray("options").add("rw").add("nosuid").add("size=1m").add("rro").add("rprivate");
        c.withArrayProperty("mounts").addObject().put("destination", "/etc/hostname").put("type", "bind")
                .put("source", "hostname").putArray("options").add("rbind").add("ro");
        ObjectNode hooks = c.putObject("hooks");
        for (String k : List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")) {
            ObjectNode h = hooks.putArray(k).addObject().put("path", "/bin/true").put("timeout", 5);
            h.putArray("args").add("true").add(k);
            h.putArray("env").add("A=b");
        }
        c.putObject("annotations").put("org.example.key", "value");
        ObjectNode l = c.withObjectProperty("linux");
        l.put("cgroupsPath", "/capsa-fuzz/ct");
        l.put("rootfsPropagation", "rslave");
        l.withArrayProperty("namespaces").addObject().put("type", "cgroup");
        l.withArrayProperty("namespaces").addObject().put("type", "time");
        l.putObject("timeOffsets").putObject("boottime").put("secs", 10).put("nanosecs", 5);
        l.putObject("sysctl").put("net.ipv4.ip_forward", "1").put("kernel.shmmax", "1000000");
        ArrayNode devs = l.putArray("devices");
        devs.addObject().put("path", "/dev/fuse").put("type", "c").put("major", 10).put("minor", 229)
                .put("fileMode", 0666).put("uid", 0).put("gid", 0);
        devs.addObject().put("path", "/dev/fifo").put("type", "p");
        ObjectNode r = l.withObjectProperty("resources");
        r.withArrayProperty("devices").addObject().put("allow", true).put("type", "c").put("major", 10).put("minor", 229).put("access", "rwm");
        r.putObject("memory").put("limit", 1 << 28).put("reservation", 1 << 27).put("swap", 1 << 29).put("swappiness", 10);
        r.putObject("cpu").put("shares", 512).put("quota", 50000).put("period", 100000).put("cpus", "0").put("mems", "0");
        r.putObject("pids").put("limit", 100);
        r.putObject("blockIO").put("weight", 500).putArray("throttleReadBpsDevice").addObject().put("major", 8).put("minor", 0).put("rate", 1000);
        r.putArray("hugepageLimits").addObject().put("pageSize", "2MB").put("limit", 0);
        r.putObject("network").put("classID", 1).putArray("priorities").addObject().put("name", "lo").put("priority", 1);
        r.putObject("unified").put("memory.high", "max");
        l.withArrayProperty("maskedPaths").add("/proc/fuzz");
        l.withArrayProperty("readonlyPaths").add("/proc/fuzz-ro");
        l.put("mountLabel", "");
        l.putObject("personality").put("domain", "LINUX");
        ObjectNode s = l.putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW");
        s.putArray("architectures").add("SCMP_ARCH_X86_64");
        ObjectNode sc = s.putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("errnoRet", 1);
        sc.putArray("names").add("reboot");
        sc.putArray("args").addObject().put("index", 0).put("value", 1).put("op", "SCMP_CMP_EQ");
        return c;
    }

    /** A place in the tree: the container holding a value, its key or index there, and its JSON pointer. */
    private record Slot(ContainerNode<?> parent, String key, int index, String path) {
        JsonNode get() {
            return key != null ? parent.get(key) : parent.get(index);
        }

        void set(JsonNode v) {
            if (key != null) ((ObjectNode) parent).set(key, v);
            else ((ArrayNode) parent).set(index, v);
        }

        void remove() {
            if (key != null) ((ObjectNode) parent).remove(key);
            else ((ArrayNode) parent).remove(index);
        }
    }

    private static void slots(JsonNode n, String at, Predicate<String> keep, List<Slot> out) {
        if (n instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = at + "/" + e.getKey();
                if (!keep.test(p)) continue;
                out.add(new Slot(o, e.getKey(), -1, p));
                slots(e.getValue(), p, keep, out);
            }
        } else if (n instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = at + "/" + i;
                if (!keep.test(p)) continue;
                out.add(new Slot(a, null, i, p));
                slots(a.get(i), p, keep, out);
            }
        }
    }

    /** The config.json text after applying {@code mutations} in turn to {@code base}. */
    public static byte[] mutate(ObjectNode base, List<Mutation> mutations) {
        return mutate(base, mutations, p -> true);
    }

    /**
     * The config.json text after applying {@code mutations} in turn to {@code base}, never touching a value whose
     * JSON pointer (e.g. {@code /linux/cgroupsPath}) {@code mutable} refuses, nor anything inside it.
     */
    public static byte[] mutate(ObjectNode base, List<Mutation> mutations, Predicate<String> mutable) {
        ObjectNode c = base.deepCopy();
        List<String> deep = new ArrayList<>();
        for (Mutation m : mutations) {
            List<Slot> all = new ArrayList<>();
            slots(c, "", mutable, all);
            if (all.isEmpty()) {
                c.put("ociVersion", "1.0.2");
                continue;
            }
            Slot s = all.get(Math.floorMod(m.target(), all.size()));
            int seed = Math.abs(m.seed() % 1_000_000);
            switch (m.kind()) {
                case SAME_TYPE -> {
                    JsonNode v = s.get();
                    if (v.isTextual()) s.set(TextNode.valueOf(GARBAGE[seed % GARBAGE.length]));
                    else if (v.isNumber()) s.set(seed % 2 == 0 ? HUGE[seed / 2 % HUGE.length] : IntNode.valueOf(seed % 70 - 5));
                    else if (v.isBoolean()) s.set(BooleanNode.valueOf(!v.booleanValue()));
                    else if (v instanceof ArrayNode a && !a.isEmpty()) a.remove(seed % a.size());
                    else if (v instanceof ObjectNode o && !o.isEmpty()) {
                        List<String> names = new ArrayList<>();
                        o.fieldNames().forEachRemaining(names::add);
                        o.remove(names.get(seed % names.size()));
                    }
                }
                case DELETE -> s.remove();
                case NULL -> s.set(NullNode.instance);
                case GARBAGE_STRING -> s.set(TextNode.valueOf(GARBAGE[seed % GARBAGE.length]));
                case SMALL_NUMBER -> s.set(IntNode.valueOf(seed % 70 - 5));
                case HUGE_NUMBER -> s.set(HUGE[seed % HUGE.length]);
                case FRACTION -> s.set(DoubleNode.valueOf(seed / 7.0 + 0.5));
                case BOOLEAN -> s.set(BooleanNode.valueOf(seed % 2 == 0));
                case EMPTY_ARRAY -> s.set(F.arrayNode());
                case EMPTY_OBJECT -> s.set(F.objectNode());
                case WRAP_IN_ARRAY -> s.set(F.arrayNode().add(s.get().deepCopy()));
                case DEEP_NESTING -> {
                    // a marker replaced in the text: Jackson itself refuses to write (or build) such a tree
                    s.set(TextNode.valueOf("\u0001deep" + deep.size()));
                    deep.add(nested(DEPTHS[seed % DEPTHS.length], seed % 2 == 0));
                }
                case DUPLICATE -> {
                    if (s.parent() instanceof ArrayNode a) a.add(s.get().deepCopy());
                    else ((ObjectNode) s.parent()).set(s.key() + "_", s.get().deepCopy());
                }
                case UNKNOWN_FIELD -> {
                    if (s.get() instanceof ObjectNode o) o.put("x-unknown-" + seed, seed);
                    else s.set(F.objectNode().put("x", seed));
                }
            }
        }
        String text;
        try {
            text = MAPPER.writeValueAsString(c);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < deep.size(); i++) text = text.replace("\"\\u0001deep" + i + "\"", deep.get(i));
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String nested(int depth, boolean arrays) {
        StringBuilder b = new StringBuilder(depth * 8);
        for (int i = 0; i < depth; i++) b.append(arrays ? "[" : "{\"a\":");
        b.append("1");
        for (int i = 0; i < depth; i++) b.append(arrays ? "]" : "}");
        return b.toString();
    }
}
