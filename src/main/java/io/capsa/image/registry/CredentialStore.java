package io.capsa.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.image.ImageException;
import io.capsa.image.Reference;
import io.capsa.spec.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Registry credentials: Capsa's own file (written by {@code capsa login}; by default
 * {@code ~/.config/capsa/auth.json}, or {@code $CAPSA_AUTH_FILE}) first, then Docker's
 * ({@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}): its {@code auths} entries
 * ({@code auth} = base64 of user:password, or {@code username}/{@code password}, or {@code identitytoken})
 * and its {@code credHelpers}/{@code credsStore} helpers ({@code docker-credential-NAME get}).
 * Both files have Docker's format, so either tool can read the other's.
 */
public final class CredentialStore {
    private final Path capsaFile;
    private final List<Path> dockerFiles;

    public CredentialStore(Path capsaFile, List<Path> dockerFiles) {
        this.capsaFile = capsaFile;
        this.dockerFiles = dockerFiles;
    }

    /** No credentials at all (anonymous pulls only). */
    public static CredentialStore none() {
        return new CredentialStore(null, List.of());
    }

    /** The default locations, from the environment. */
    public static CredentialStore defaults() {
        Map<String, String> env = System.getenv();
        String home = System.getProperty("user.home");
        Path capsa = env.containsKey("CAPSA_AUTH_FILE") ? Path.of(env.get("CAPSA_AUTH_FILE"))
                : env.containsKey("XDG_CONFIG_HOME") ? Path.of(env.get("XDG_CONFIG_HOME"), "capsa", "auth.json")
                : Path.of(home, ".config", "capsa", "auth.json");
        Path docker = env.containsKey("DOCKER_CONFIG") ? Path.of(env.get("DOCKER_CONFIG"), "config.json")
                : Path.of(home, ".docker", "config.json");
        return new CredentialStore(capsa, List.of(docker));
    }

    public Path capsaFile() {
        return capsaFile;
    }

    /** The keys a registry's entry may have in a config file (Docker Hub has historic ones). */
    static List<String> keys(String registry) {
        if (registry.equals(Reference.DOCKER_HUB)) {
            return List.of("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io",
                    "https://registry-1.docker.io", "https://docker.io");
        }
        return List.of(registry, "https://" + registry, "http://" + registry);
    }

    /** The host[:port] a config file key or a login argument names: scheme and path stripped. */
    public static String hostOf(String key) {
        String k = key;
        int s = k.indexOf("://");
        if (s >= 0) k = k.substring(s + 3);
        int slash = k.indexOf('/');
        if (slash >= 0) k = k.substring(0, slash);
        if (k.equals("index.docker.io") || k.equals("registry-1.docker.io")) k = Reference.DOCKER_HUB;
        return k;
    }

    /** The credentials for the registry (host[:port] as in a {@link Reference}), or null. */
    public Credentials lookup(String registry) {
        List<Path> files = new ArrayList<>();
        if (capsaFile != null) files.add(capsaFile);
        files.addAll(dockerFiles);
        for (Path f : files) {
            JsonNode root = read(f);
            if (root == null) continue;
            Credentials c = fromAuths(root.get("auths"), registry);
            if (c != null) return c;
            JsonNode helpers = root.get("credHelpers");
            if (helpers != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = helpers.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (hostOf(e.getKey()).equals(registry)) return helper(e.getValue().asText(), registry);
                }
            }
            JsonNode store = root.get("credsStore");
            if (store != null && !store.asText().isEmpty()) {
                c = helper(store.asText(), registry);
                if (c != null) return c;
            }
        }
        return null;
    }

    private static Credentials fromAuths(JsonNode auths, String registry) {
        if (auths == null || !auths.isObject()) return null;
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!hostOf(e.getKey()).equals(registry)) continue;
            JsonNode v = e.getValue();
            if (v.hasNonNull("identitytoken") && !v.get("identitytoken").asText().isEmpty()) {
                String user = v.hasNonNull("username") ? v.get("username").asText() : "<token>";
                return new Credentials(user, v.get("identitytoken").asText());
            }
            if (v.hasNonNull("auth") && !v.get("auth").asText().isEmpty()) {
                Credentials c = Credentials.fromAuthField(v.get("auth").asText());
                if (c != null) return c;
            }
            if (v.hasNonNull("username")) {
                return new Credentials(v.get("username").asText(),
                        v.hasNonNull("password") ? v.get("password").asText() : "");
            }
        }
        return null;
    }

    private static JsonNode read(Path f) {
        try {
            if (!Files.isRegularFile(f)) return null;
            return Json.mapper().readTree(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new ImageException("cannot read credentials file " + f + ": " + e.getMessage());
        }
    }

    /** Runs {@code docker-credential-NAME get} with the server on stdin; null if it has none. */
    private static Credentials helper(String name, String registry) {
        if (!name.matches("[A-Za-z0-9_.-]+")) return null;
        String server = registry.equals(Reference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry;
        try {
            Process p = new ProcessBuilder("docker-credential-" + name, "get")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().write(server.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            JsonNode n = Json.mapper().readTree(out);
            String user = n.path("Username").asText(""), secret = n.path("Secret").asText("");
            if (secret.isEmpty()) return null;
            return new Credentials(user, secret);
        } catch (IOException e) {
            return null; // helper not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stores credentials for the registry in Capsa's file (mode 0600, replaced atomically). */
    public void store(String registry, Credentials c) {
        update(auths -> {
            for (String k : keys(registry)) auths.remove(k);
            ObjectNode e = auths.putObject(registry.equals(Reference.DOCKER_HUB) ? "https://index.docker.io/v1/" : registry);
            e.put("auth", java.util.Base64.getEncoder().encodeToString(
                    (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
            return true;
        });
    }

    /** Removes the registry's credentials from Capsa's file; false if it had none. */
    public boolean remove(String registry) {
        boolean[] removed = {false};
        update(auths -> {
            List<String> drop = new ArrayList<>();
            auths.fieldNames().forEachRemaining(k -> {
                if (hostOf(k).equals(registry)) drop.add(k);
            });
            drop.forEach(auths::remove);
            removed[0] = !drop.isEmpty();
            return removed[0];
        });
        return removed[0];
    }

    private void update(java.util.function.Predicate<ObjectNode> change) {
        if (capsaFile == null) throw new ImageException("no credentials file configured");
        try {
            JsonNode root = read(capsaFile);
            ObjectNode r = root instanceof ObjectNode o ? o : Json.mapper().createObjectNode();
            ObjectNode auths = r.get("auths") instanceof ObjectNode a ? a : r.putObject("auths");
            if (!change.test(auths)) return;
            Path dir = capsaFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".auth", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(r));
                Files.move(tmp, capsaFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ImageException("cannot write credentials file " + capsaFile + ": " + e.getMessage());
        }
    }
}
