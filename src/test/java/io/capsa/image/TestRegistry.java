package io.capsa.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8) started on 127.0.0.1 and a free port, storing under a
 * temporary directory, optionally with htpasswd (Basic) auth; images are pushed into it with skopeo.
 * Stopped (the process this fixture started, by its PID) on close.
 */
public final class TestRegistry implements AutoCloseable {
    public static final String REGISTRY = "/usr/bin/docker-registry", SKOPEO = "/usr/bin/skopeo";

    private final Process process;
    private final Path dir;
    private final int port;
    private final String user, password;

    private TestRegistry(Process process, Path dir, int port, String user, String password) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** Skips the test where the registry or skopeo is not installed (apt-get install docker-registry skopeo). */
    public static void assumeTools() {
        assumeTrue(Files.isExecutable(Path.of(REGISTRY)), "docker-registry is not installed");
        assumeTrue(Files.isExecutable(Path.of(SKOPEO)), "skopeo is not installed");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a registry storing under dir; with a user, it requires Basic auth (htpasswd, bcrypt). */
    public static TestRegistry start(Path dir, String user, String password) throws Exception {
        return start(dir, user, password, null);
    }

    /**
     * Starts a registry; with a token server, it requires Bearer tokens from it (the Docker Hub flow) and
     * the user and password are what skopeo gives the token server.
     */
    public static TestRegistry start(Path dir, String user, String password, TokenServer tokens) throws Exception {
        assumeTools();
        Files.createDirectories(dir);
        int port = freePort();
        StringBuilder cfg = new StringBuilder();
        cfg.append("version: 0.1\n")
                .append("log:\n  level: warn\n  accesslog:\n    disabled: true\n")
                .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data")).append('\n')
                .append("  delete:\n    enabled: true\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        if (tokens != null) {
            cfg.append("auth:\n  token:\n    realm: ").append(tokens.realm()).append('\n')
                    .append("    service: ").append(TokenServer.SERVICE).append('\n')
                    .append("    issuer: ").append(TokenServer.ISSUER).append('\n')
                    .append("    rootcertbundle: ").append(tokens.certificate()).append('\n');
        } else if (user != null) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/htpasswd")), "htpasswd is not installed (apache2-utils)");
            Path htpasswd = dir.resolve("htpasswd");
            Process h = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false).start();
            byte[] line = h.getInputStream().readAllBytes();
            if (h.waitFor() != 0) throw new IllegalStateException("htpasswd failed");
            Files.write(htpasswd, line);
            cfg.append("auth:\n  htpasswd:\n    realm: capsa-test\n    path: ").append(htpasswd).append('\n');
        }
        Path config = dir.resolve("config.yml");
        Files.writeString(config, cfg);
        Process p = new ProcessBuilder(REGISTRY, "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry r = new TestRegistry(p, dir, port, user, password);
        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                HttpResponse<Void> resp = c.send(HttpRequest.newBuilder(URI.create("http://" + r.host() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (resp.statusCode() == 200 || resp.statusCode() == 401) break;
            } catch (IOException e) {
                // not up yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                r.close();
                throw new IllegalStateException("docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
        return r;
    }

    /** host:port */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** The file of a blob in the registry's storage (to corrupt it). */
    public Path blobFile(Digest d) {
        return dir.resolve("data/docker/registry/v2/blobs/sha256").resolve(d.hex().substring(0, 2)).resolve(d.hex()).resolve("data");
    }

    /** skopeo copy oci:LAYOUT:TAG docker://HOST/REPO (all platforms of an index with all=true). */
    public void push(Path layout, String layoutTag, String repoAndTag, boolean all) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SKOPEO, "--insecure-policy", "copy", "-q", "--preserve-digests", "--dest-tls-verify=false"));
        if (user != null) cmd.addAll(List.of("--dest-creds", user + ":" + password));
        if (all) cmd.add("--all");
        cmd.add("oci:" + layout + ":" + layoutTag);
        cmd.add("docker://" + host() + "/" + repoAndTag);
        run(cmd);
    }

    public static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM to the PID we started
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
