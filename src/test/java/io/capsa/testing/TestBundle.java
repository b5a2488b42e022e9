package io.capsa.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OCI bundle for tests: a private copy of {@link TestRootfs} in {@code rootfs/} and a {@code config.json}
 * that starts as runc 1.1's default spec ({@code runc spec}) with these changes: no terminal, a writable root
 * (the runc default is read-only: see {@link #readonlyRoot(boolean)}), and an absolute cgroupsPath below this
 * JVM's {@link TestCgroups#PARENT}. The config is an {@link ObjectNode} changed by the fluent methods or
 * directly through {@link #config()} / {@link #edit(Consumer)}; {@link #dir()} writes it out.
 *
 * <pre>{@code
 * try (TestBundle b = TestBundle.create().args("sh", "-c", "hostname").hostname("box")) {
 *     CapsaRun.Result r = capsa.run("run", "--bundle", b.dir().toString(), capsa.newId());
 * }
 * }</pre>
 * {@link #close()} removes the bundle directory (refusing to walk into anything mounted there).
 */
public final class TestBundle implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path dir;
    private final String name;
    private final ObjectNode config;

    private TestBundle(Path dir, String name, ObjectNode config) {
        this.dir = dir;
        this.name = name;
        this.config = config;
    }

    /** A new bundle with a busybox rootfs and the default test config. */
    public static TestBundle create() {
        String name = "b" + COUNTER.incrementAndGet();
        Path dir = TestPaths.newDir("bundle-" + name + "-");
        TestRootfs.copyTo(dir.resolve("rootfs"));
        ObjectNode cfg = runcDefaultSpec();
        cfg.withObjectProperty("process").put("terminal", false);
        cfg.withObjectProperty("root").put("readonly", false);
        cfg.withObjectProperty("linux").put("cgroupsPath", TestCgroups.child(name));
        return new TestBundle(dir, name, cfg);
    }

    /** runc 1.1's {@code runc spec} output, unchanged (a fresh copy). */
    public static ObjectNode runcDefaultSpec() {
        try (InputStream in = TestBundle.class.getResourceAsStream("runc-default-config.json")) {
            if (in == null) throw new IllegalStateException("runc-default-config.json missing from test resources");
            return (ObjectNode) MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bundle directory, after writing config.json from the current {@link #config()}. */
    public Path dir() {
        write();
        return dir;
    }

    /** The bundle's rootfs directory. */
    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    /** This bundle's short name (b1, b2, ...), also the last element of its default cgroupsPath. */
    public String name() {
        return name;
    }

    /** The config being built (live: changes show in the next {@link #dir()} / {@link #write()}). */
    public ObjectNode config() {
        return config;
    }

    /** The config.json path (written). */
    public Path configFile() {
        write();
        return dir.resolve("config.json");
    }

    public TestBundle write() {
        try {
            MAPPER.writeValue(dir.resolve("config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Writes {@code text} as config.json verbatim (for malformed-input tests); later {@link #dir()} calls overwrite it. */
    public Path writeRawConfig(String text) {
        try {
            return Files.writeString(dir.resolve("config.json"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestBundle edit(Consumer<ObjectNode> change) {
        change.accept(config);
        return this;
    }

    // ---- process ----

    public TestBundle args(String... args) {
        strings(process().putArray("args"), List.of(args));
        return this;
    }

    /** Adds (or replaces, by name) environment entries {@code NAME=value}. */
    public TestBundle env(String... entries) {
        ArrayNode env = process().withArrayProperty("env");
        for (String e : entries) {
            String key = e.substring(0, e.indexOf('=') + 1);
            removeIf(env, n -> n.asText().startsWith(key));
            env.add(e);
        }
        return this;
    }

    public TestBundle cwd(String cwd) {
        process().put("cwd", cwd);
        return this;
    }

    public TestBundle terminal(boolean on) {
        process().put("terminal", on);
        return this;
    }

    public TestBundle user(long uid, long gid, long... additionalGids) {
        ObjectNode u = process().putObject("user");
        u.put("uid", uid).put("gid", gid);
        if (additionalGids.length > 0) {
            ArrayNode a = u.putArray("additionalGids");
            for (long g : additionalGids) a.add(g);
        }
        return this;
    }

    public TestBundle noNewPrivileges(boolean on) {
        process().put("noNewPrivileges", on);
        return this;
    }

    /** Sets (or replaces) one rlimit, e.g. {@code rlimit("RLIMIT_NOFILE", 512, 1024)}. */
    public TestBundle rlimit(String type, long soft, long hard) {
        ArrayNode rl = process().withArrayProperty("rlimits");
        removeIf(rl, n -> n.path("type").asText().equals(type));
        rl.addObject().put("type", type).put("hard", hard).put("soft", soft);
        return this;
    }

    /** Sets all five capability sets to {@code caps} (e.g. "CAP_KILL"). */
    public TestBundle capabilities(String... caps) {
        ObjectNode c = process().putObject("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            strings(c.putArray(set), List.of(caps));
        }
        return this;
    }

    // ---- root, hostname, mounts ----

    public TestBundle readonlyRoot(boolean ro) {
        config.withObjectProperty("root").put("readonly", ro);
        return this;
    }

    public TestBundle hostname(String name) {
        config.put("hostname", name);
        return this;
    }

    public TestBundle domainname(String name) {
        config.put("domainname", name);
        return this;
    }

    /** Appends a mount; {@code options} may be empty. */
    public TestBundle addMount(String destination, String type, String source, String... options) {
        ObjectNode m = config.withArrayProperty("mounts").addObject();
        m.put("destination", destination);
        if (type != null) m.put("type", type);
        if (source != null) m.put("source", source);
        if (options.length > 0) strings(m.putArray("options"), List.of(options));
        return this;
    }

    /** Appends a bind mount of a host path ({@code "bind"} or {@code "rbind"} plus options). */
    public TestBundle bind(String hostPath, String destination, String... options) {
        String[] opts = new String[options.length + 1];
        opts[0] = "rbind";
        System.arraycopy(options, 0, opts, 1, options.length);
        return addMount(destination, "bind", hostPath, opts);
    }

    public TestBundle removeMount(String destination) {
        removeIf(config.withArrayProperty("mounts"), n -> n.path("destination").asText().equals(destination));
        return this;
    }

    // ---- linux ----

    public ObjectNode linux() {
        return config.withObjectProperty("linux");
    }

    /** Adds a namespace of {@code type} (pid, network, mount, ipc, uts, user, cgroup, time), replacing one of that type. */
    public TestBundle addNamespace(String type) {
        return namespace(type, null);
    }

    /** Adds a namespace to join by {@code path} (e.g. /proc/123/ns/net), replacing one of that type. */
    public TestBundle namespace(String type, String path) {
        ArrayNode ns = linux().withArrayProperty("namespaces");
        removeIf(ns, n -> n.path("type").asText().equals(type));
        ObjectNode n = ns.addObject().put("type", type);
        if (path != null) n.put("path", path);
        return this;
    }

    public TestBundle removeNamespace(String type) {
        removeIf(linux().withArrayProperty("namespaces"), n -> n.path("type").asText().equals(type));
        return this;
    }

    /** Adds a user namespace mapping container 0..size-1 to host hostId.. for both uids and gids. */
    public TestBundle userns(long hostId, long size) {
        addNamespace("user");
        linux().putArray("uidMappings").addObject().put("containerID", 0).put("hostID", hostId).put("size", size);
        linux().putArray("gidMappings").addObject().put("containerID", 0).put("hostID", hostId).put("size", size);
        return this;
    }

    /** The absolute cgroupsPath (default {@code /capsa-test-<random>/<name>}). */
    public String cgroupsPath() {
        return linux().path("cgroupsPath").asText(null);
    }

    public TestBundle cgroupsPath(String path) {
        linux().put("cgroupsPath", path);
        return this;
    }

    /** linux.resources.memory.limit (bytes). */
    public TestBundle memoryLimit(long bytes) {
        linux().withObjectProperty("resources").withObjectProperty("memory").put("limit", bytes);
        return this;
    }

    /** linux.resources.pids.limit. */
    public TestBundle pidsLimit(long max) {
        linux().withObjectProperty("resources").withObjectProperty("pids").put("limit", max);
        return this;
    }

    public TestBundle sysctl(String key, String value) {
        linux().withObjectProperty("sysctl").put(key, value);
        return this;
    }

    public TestBundle maskedPaths(String... paths) {
        strings(linux().putArray("maskedPaths"), List.of(paths));
        return this;
    }

    public TestBundle readonlyPaths(String... paths) {
        strings(linux().putArray("readonlyPaths"), List.of(paths));
        return this;
    }

    // ---- hooks, annotations ----

    /**
     * Appends a hook to {@code hooks.<kind>} (prestart, createRuntime, createContainer, startContainer, poststart,
     * poststop). {@code args} is the full argv (args[0] included); empty means {@code [path]}.
     */
    public TestBundle hook(String kind, String path, List<String> args, List<String> env, Integer timeout) {
        ObjectNode h = config.withObjectProperty("hooks").withArray(kind).addObject();
        h.put("path", path);
        if (!args.isEmpty()) strings(h.putArray("args"), args);
        if (env != null && !env.isEmpty()) strings(h.putArray("env"), env);
        if (timeout != null) h.put("timeout", timeout);
        return this;
    }

    /** Appends a hook running {@code /bin/sh -c script} on the host. */
    public TestBundle shellHook(String kind, String script) {
        return hook(kind, "/bin/sh", List.of("sh", "-c", script), null, null);
    }

    public TestBundle annotation(String key, String value) {
        config.withObjectProperty("annotations").put(key, value);
        return this;
    }

    /** Removes the bundle directory. Throws if something was left mounted inside (a leak), after unmounting it. */
    @Override
    public void close() {
        TestPaths.deleteTree(dir);
    }

    @Override
    public String toString() {
        return "TestBundle[" + dir + "]";
    }

    // ---- helpers ----

    private ObjectNode process() {
        return config.withObjectProperty("process");
    }

    private static void strings(ArrayNode a, List<String> values) {
        a.removeAll();
        values.forEach(a::add);
    }

    private static void removeIf(ArrayNode a, java.util.function.Predicate<JsonNode> p) {
        for (Iterator<JsonNode> it = a.elements(); it.hasNext(); ) {
            if (p.test(it.next())) it.remove();
        }
    }
}
