package io.capsa.image.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.capsa.image.Descriptor;
import io.capsa.image.Digest;
import io.capsa.image.ImageException;
import io.capsa.image.MediaTypes;
import io.capsa.image.Reference;
import io.capsa.spec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLException;

/**
 * A client of the OCI distribution API (pulls): manifests and blobs, with the registry's authentication
 * (anonymous or with credentials: Basic, or Bearer tokens through the {@code WWW-Authenticate} challenge) and
 * plain HTTP for insecure registries (localhost and 127.0.0.0/8 always, others when configured: HTTPS is tried
 * first, plain HTTP when the TLS handshake fails). Thread-safe: one client serves parallel layer downloads.
 */
public final class RegistryClient {
    /** Manifests and configs are small: more than this is refused. */
    public static final int MAX_MANIFEST = 4 << 20;

    /**
     * @param credentials credentials per registry
     * @param insecure    registries (host[:port]) that may be reached over plain HTTP
     * @param timeout     connect and idle timeout
     * @param retries     how many times a blob download that broke off is resumed
     */
    public record Options(CredentialStore credentials, Set<String> insecure, Duration timeout, int retries) {
        public static Options defaults() {
            return new Options(CredentialStore.defaults(), Set.of(), Duration.ofSeconds(30), 3);
        }
    }

    /** A fetched manifest or index: the exact bytes, the media type, and the digest of the bytes. */
    public record Fetched(byte[] body, String mediaType, Digest digest) {}

    private final Options options;
    private volatile HttpClient http; // created on first use: it loads TLS and crypto classes
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    private final Map<String, String> authHeaders = new ConcurrentHashMap<>();

    public RegistryClient(Options options) {
        this.options = options;
    }

    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                h = http;
                if (h == null) {
                    h = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(options.timeout())
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    http = h;
                }
            }
        }
        return h;
    }

    /** Registries on the loopback: plain HTTP without being configured (as Docker does). */
    public static boolean isLoopback(String registry) {
        String host = registry;
        if (host.startsWith("[")) {
            host = host.substring(1, Math.max(1, host.indexOf(']')));
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.lastIndexOf(':'));
        }
        return host.equals("localhost") || host.equals("::1") || host.matches("127(\\.\\d{1,3}){3}");
    }

    private boolean insecure(String registry) {
        return isLoopback(registry) || options.insecure().contains(registry);
    }

    /** The host the registry's API answers on (Docker Hub's differs from its name). */
    static String endpoint(String registry) {
        return registry.equals(Reference.DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    // ---- API ----

    /** Fetches the manifest (or index) the reference names, by its digest if it has one, else by its tag. */
    public Fetched manifest(Reference ref) {
        return manifest(ref, ref.manifestReference());
    }

    /** Fetches a manifest or index by tag or digest, verifying its digest when asked for by digest. */
    public Fetched manifest(Reference ref, String tagOrDigest) {
        String what = ref.name() + (tagOrDigest.contains(":") ? "@" : ":") + tagOrDigest;
        HttpResponse<InputStream> r = send(ref.registry(), scope(ref), "GET",
                "/v2/" + ref.repository() + "/manifests/" + tagOrDigest,
                Map.of("Accept", MediaTypes.MANIFEST_ACCEPT), what);
        byte[] body = readLimited(r, MAX_MANIFEST, what);
        if (r.statusCode() == 404) {
            throw new ImageException("manifest for " + what + " not found" + errorDetail(body, true));
        }
        if (r.statusCode() != 200) throw httpError(r.statusCode(), body, what);
        String ct = r.headers().firstValue("Content-Type").orElse("");
        int semi = ct.indexOf(';');
        if (semi >= 0) ct = ct.substring(0, semi);
        ct = ct.trim();
        String mt = mediaTypeOf(body, ct);
        Digest computed = Digest.sha256(body);
        if (tagOrDigest.contains(":")) {
            Digest want = Digest.parse(tagOrDigest);
            Digest got = want.algorithm().equals("sha256") ? computed
                    : want.withValue(want.newDigest().digest(body));
            if (!got.equals(want)) {
                throw new ImageException("manifest " + what + ": digest mismatch: the registry sent content with digest " + got);
            }
            computed = got;
        }
        return new Fetched(body, mt, computed);
    }

    /** The media type: the JSON's own mediaType field, else the Content-Type, else guessed from its shape. */
    public static String mediaTypeOf(byte[] body, String contentType) {
        try {
            JsonNode n = Json.mapper().readTree(body);
            if (n != null && n.hasNonNull("mediaType")) return n.get("mediaType").asText();
            if (!contentType.isEmpty() && !contentType.equals("application/json")
                    && !contentType.equals("text/plain")) return contentType;
            if (n != null && n.has("manifests")) return MediaTypes.OCI_INDEX;
            if (n != null && n.has("config")) return MediaTypes.OCI_MANIFEST;
            if (n != null && n.path("schemaVersion").asInt() == 1) return MediaTypes.DOCKER_MANIFEST_V1;
        } catch (IOException e) {
            // fall through: the caller reports invalid JSON
        }
        return contentType;
    }

    /** Fetches a small blob (a config) into memory, verifying size and digest. */
    public byte[] smallBlob(Reference ref, Descriptor d) {
        Digest want = d.parsedDigest();
        String what = "blob " + want + " of " + ref.name();
        if (d.size() > MAX_MANIFEST) throw new ImageException(what + ": too large (" + d.size() + " bytes)");
        HttpResponse<InputStream> r = send(ref.registry(), scope(ref), "GET",
                "/v2/" + ref.repository() + "/blobs/" + want, Map.of(), what);
        byte[] body = readLimited(r, MAX_MANIFEST, what);
        if (r.statusCode() == 404) throw new ImageException(what + " not found" + errorDetail(body, true));
        if (r.statusCode() != 200) throw httpError(r.statusCode(), body, what);
        if (body.length != d.size()) {
            throw new ImageException(what + ": size mismatch: got " + body.length + " bytes, expected " + d.size());
        }
        Digest got = want.withValue(want.newDigest().digest(body));
        if (!got.equals(want)) throw new ImageException(what + ": digest mismatch: got " + got);
        return body;
    }

    /**
     * Downloads a blob into {@code partial}, resuming from what it already holds (HTTP Range) and after
     * broken connections, then verifies size and digest. On a mismatch the partial file is deleted; on a
     * network failure it is kept for the next attempt.
     *
     * @param progress told the number of bytes held so far
     */
    public void downloadBlob(Reference ref, Descriptor d, Path partial, LongConsumer progress) {
        Digest want = d.parsedDigest();
        String what = "blob " + want + " of " + ref.name();
        IOException last = null;
        boolean resumed = false;
        for (int attempt = 0; attempt <= options.retries(); attempt++) {
            try {
                MessageDigest md = want.newDigest();
                resumed |= Files.exists(partial) && Files.size(partial) > 0;
                fetchInto(ref, d, want, partial, progress, what, md);
                Digest got = want.withValue(md.digest());
                if (!got.equals(want)) {
                    Files.deleteIfExists(partial);
                    if (resumed) {
                        // the part kept from an earlier attempt may be what is wrong: once more from the start
                        resumed = false;
                        last = new IOException("digest mismatch after resuming: the content has digest " + got);
                        continue;
                    }
                    throw new ImageException(what + ": digest mismatch: the content has digest " + got);
                }
                return;
            } catch (IOException e) {
                // a restart (the registry refused our range) says less than the failure that led to it
                if (!(e instanceof Restart) || last == null) last = e;
                if (Thread.currentThread().isInterrupted()) break;
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new ImageException(what + ": download failed: " + describe(last, ref.registry()), last);
    }

    /** The registry refused the range of a resumed download: the next attempt starts from the beginning. */
    private static final class Restart extends IOException {
        private static final long serialVersionUID = 1L;

        Restart(String message) {
            super(message);
        }
    }

    /**
     * One attempt: the partial file ends up holding the whole blob (its size checked), all of it passed
     * through md. IOException: retry (the partial file is kept). A registry that says the blob has another size
     * than its descriptor, or a failure to write the partial file (a full disk), is final: ImageException.
     */
    private void fetchInto(Reference ref, Descriptor d, Digest want, Path partial, LongConsumer progress,
                           String what, MessageDigest md) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have > d.size()) {
            Files.delete(partial);
            have = 0;
        }
        progress.accept(have);
        if (have == d.size() && have > 0) {
            hashFile(partial, md);
            return;
        }
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        HttpResponse<InputStream> r = send(ref.registry(), scope(ref), "GET",
                "/v2/" + ref.repository() + "/blobs/" + want, headers, what);
        int code = r.statusCode();
        if (code == 416) { // our range is not satisfiable: the blob is shorter than what we hold, or changed
            r.body().close();
            Files.deleteIfExists(partial);
            long total = rangeTotal(r.headers().firstValue("Content-Range").orElse(""));
            if (total >= 0 && total != d.size()) throw sizeMismatch(what, total, d.size());
            throw new Restart("the registry refused to resume at byte " + have + " (HTTP 416)");
        }
        if (code == 404) throw new ImageException(what + " not found" + errorDetail(readLimited(r, 65536, what), true));
        if (code != 200 && code != 206) throw httpError(code, readLimited(r, 65536, what), what);
        boolean append = code == 206 && have > 0;
        // a registry that announces another size than the descriptor's will not send the blob we want
        long announced = code == 206 ? rangeTotal(r.headers().firstValue("Content-Range").orElse(""))
                : r.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (announced >= 0 && announced != d.size() && r.headers().firstValue("Content-Encoding").isEmpty()) {
            r.body().close();
            Files.deleteIfExists(partial);
            throw sizeMismatch(what, announced, d.size());
        }
        if (append) {
            hashFile(partial, md);
        } else {
            have = 0;
        }
        try (InputStream in = r.body()) {
            FileChannel ch;
            try {
                ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                throw writeFailure(what, partial, e);
            }
            try (ch) {
                byte[] buf = new byte[1 << 17];
                long lastReport = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (have + n > d.size()) {
                        ch.close();
                        Files.deleteIfExists(partial);
                        throw new ImageException(what + ": the registry sent more than the " + d.size()
                                + " bytes its descriptor says");
                    }
                    md.update(buf, 0, n);
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    try {
                        while (bb.hasRemaining()) ch.write(bb);
                    } catch (IOException e) {
                        throw writeFailure(what, partial, e);
                    }
                    have += n;
                    long now = System.nanoTime();
                    if (now - lastReport > 50_000_000L) {
                        progress.accept(have);
                        lastReport = now;
                    }
                }
            }
        }
        progress.accept(have);
        if (have < d.size()) {
            throw new IOException("the connection closed after " + have + " of " + d.size() + " bytes");
        }
    }

    private static ImageException sizeMismatch(String what, long registry, long descriptor) {
        return new ImageException(what + ": size mismatch: the registry has " + registry
                + " bytes, the manifest says " + descriptor);
    }

    /** The total of a Content-Range header ("bytes 0-9/100", "bytes *&#47;100"), or -1. */
    static long rangeTotal(String contentRange) {
        int slash = contentRange.lastIndexOf('/');
        if (slash < 0) return -1;
        try {
            return Long.parseLong(contentRange.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Writing the partial file failed. An interrupt goes on as an IOException (the caller stops); anything else
     * is final, and a full disk also drops what was written so far (the space is the user's, not ours).
     */
    private static IOException writeFailure(String what, Path partial, IOException e) throws IOException {
        if (e instanceof java.nio.channels.ClosedByInterruptException || Thread.currentThread().isInterrupted()) return e;
        if (ImageException.fullDisk(e) != null) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the message below is what matters
            }
        }
        throw ImageException.writing(what, partial, e);
    }

    private static void hashFile(Path f, MessageDigest md) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 17];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
    }

    /** Checks that the credentials are accepted by the registry (what {@code capsa login} does). */
    public void login(String registry, Credentials c) {
        String what = "login to " + registry;
        HttpResponse<InputStream> r = sendWith(registry, null, "GET", "/v2/", Map.of(), what, c, true);
        byte[] body = readLimited(r, 65536, what);
        if (r.statusCode() == 401) throw new ImageException(what + ": unauthorized: wrong user name or password" + errorDetail(body, false));
        if (r.statusCode() != 200) throw httpError(r.statusCode(), body, what);
    }

    // ---- HTTP with authentication ----

    static String scope(Reference ref) {
        return "repository:" + ref.repository() + ":pull";
    }

    private HttpResponse<InputStream> send(String registry, String scope, String method, String path,
                                           Map<String, String> headers, String what) {
        return sendWith(registry, scope, method, path, headers, what, null, false);
    }

    private HttpResponse<InputStream> sendWith(String registry, String scope, String method, String path,
                                               Map<String, String> headers, String what, Credentials given,
                                               boolean login) {
        String cacheKey = registry + " " + scope;
        String auth = login ? null : authHeaders.get(cacheKey);
        boolean triedAuth = false;
        Credentials creds = null;
        while (true) {
            HttpResponse<InputStream> r = exchange(registry, method, path, headers, auth, what);
            if (r.statusCode() != 401) return r;
            if (triedAuth) {
                if (login) return r;
                // authenticated as well as we could, and still refused
                byte[] body = readLimited(r, 65536, what);
                authHeaders.remove(cacheKey);
                if (creds == null) {
                    throw new ImageException(what + ": unauthorized: authentication required (log in with capsa login "
                            + registry + "; or the repository does not exist)" + errorDetail(body, false));
                }
                throw new ImageException(what + ": unauthorized: the registry refused "
                        + (auth.startsWith("Bearer ") ? "access for " : "the credentials of ")
                        + creds.username() + errorDetail(body, false));
            }
            List<AuthChallenge> challenges = AuthChallenge.parse(r.headers().allValues("WWW-Authenticate"));
            byte[] body = readLimited(r, 65536, what);
            creds = given != null ? given : options.credentials().lookup(registry);
            auth = authenticate(registry, scope, challenges, creds, what, body);
            triedAuth = true;
            if (!login) authHeaders.put(cacheKey, auth);
        }
    }

    private String authenticate(String registry, String scope, List<AuthChallenge> challenges, Credentials creds,
                                String what, byte[] body) {
        for (AuthChallenge c : challenges) {
            if (c.scheme().equals("bearer")) return "Bearer " + token(registry, c, scope, creds, what);
        }
        for (AuthChallenge c : challenges) {
            if (c.scheme().equals("basic")) {
                if (creds == null) {
                    throw new ImageException(what + ": authentication required by " + registry
                            + " (log in with capsa login " + registry + ")" + errorDetail(body, false));
                }
                return creds.basicHeader();
            }
        }
        throw new ImageException(what + ": unauthorized" + errorDetail(body, false)
                + (challenges.isEmpty() ? " (the registry sent no authentication challenge)"
                : " (unsupported authentication scheme " + challenges.get(0).scheme() + ")"));
    }

    /** The bearer token flow: GET realm?service=...&scope=... (with Basic credentials if we have some). */
    private String token(String registry, AuthChallenge c, String scope, Credentials creds, String what) {
        String realm = c.param("realm");
        if (realm == null || realm.isEmpty()) throw new ImageException(what + ": bearer challenge without a realm");
        StringBuilder q = new StringBuilder();
        if (c.param("service") != null) q.append("service=").append(enc(c.param("service")));
        String sc = scope != null ? scope : c.param("scope");
        if (sc != null) q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(sc));
        URI uri;
        try {
            uri = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        } catch (IllegalArgumentException e) {
            throw new ImageException(what + ": invalid token realm " + realm);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && insecure(hostPort(uri)))) {
            throw new ImageException(what + ": refusing token realm " + realm + " (plain HTTP to a registry not marked insecure)");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(options.timeout().multipliedBy(2)).GET()
                .header("User-Agent", userAgent());
        if (creds != null) b.header("Authorization", creds.basicHeader());
        HttpResponse<byte[]> r;
        try {
            r = http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ImageException(what + ": cannot get a token from " + realm + ": " + describe(e, uri.getHost()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException(what + ": interrupted");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new ImageException(what + ": unauthorized: the token server " + uri.getHost()
                    + (creds == null ? " refused anonymous access" : " refused the credentials of " + creds.username())
                    + errorDetail(r.body(), false));
        }
        if (r.statusCode() != 200) throw httpError(r.statusCode(), r.body(), what + " (token from " + uri.getHost() + ")");
        try {
            JsonNode n = Json.mapper().readTree(r.body());
            String t = n.hasNonNull("token") ? n.get("token").asText() : n.path("access_token").asText("");
            if (t.isEmpty()) throw new ImageException(what + ": the token server sent no token");
            return t;
        } catch (IOException e) {
            throw new ImageException(what + ": invalid token response from " + uri.getHost());
        }
    }

    private static String hostPort(URI u) {
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String userAgent() {
        return "capsa/0.1 (java " + Runtime.version().feature() + ")";
    }

    /** One request to the registry, following redirects (without our credentials to other hosts). */
    private HttpResponse<InputStream> exchange(String registry, String method, String path, Map<String, String> headers,
                                               String auth, String what) {
        String scheme = schemes.get(registry);
        boolean probing = scheme == null;
        // loopback registries nearly always serve plain HTTP: try that first (no TLS handshake to fail)
        if (probing) scheme = isLoopback(registry) ? "http" : "https";
        URI uri = URI.create(scheme + "://" + endpoint(registry) + path);
        String apiHost = uri.getHost();
        for (int hop = 0; hop < 10; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofMinutes(30)).header("User-Agent", userAgent());
            headers.forEach(b::header);
            if (auth != null && uri.getHost().equals(apiHost)) b.header("Authorization", auth);
            HttpResponse<InputStream> r;
            try {
                r = http().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (probing && scheme.equals("https") && insecure(registry) && isTls(e)) {
                    schemes.put(registry, "http");
                    return exchange(registry, method, path, headers, auth, what);
                }
                if (probing && scheme.equals("http") && !(e instanceof ConnectException)) {
                    schemes.put(registry, "https"); // a TLS-only server hung up on plain HTTP
                    return exchange(registry, method, path, headers, auth, what);
                }
                throw new ImageException(what + ": " + describe(e, registry), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException(what + ": interrupted");
            }
            if (probing && scheme.equals("http") && r.statusCode() == 400) {
                // Go's TLS servers answer plain HTTP with 400 "Client sent an HTTP request to an HTTPS server"
                byte[] body400 = readLimited(r, 4096, what);
                if (new String(body400, StandardCharsets.UTF_8).contains("HTTPS")) {
                    schemes.put(registry, "https");
                    return exchange(registry, method, path, headers, auth, what);
                }
                throw new ImageException(what + ": unexpected response (HTTP 400)" + errorDetail(body400, false));
            }
            if (probing) {
                schemes.put(registry, scheme);
                probing = false;
            }
            int code = r.statusCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String loc = r.headers().firstValue("Location").orElse(null);
                try {
                    r.body().close();
                } catch (IOException ignored) {
                    // nothing to close
                }
                if (loc == null) throw new ImageException(what + ": redirect without a Location");
                uri = uri.resolve(loc);
                String s = uri.getScheme();
                if (!"https".equalsIgnoreCase(s) && !("http".equalsIgnoreCase(s) && insecure(registry))) {
                    throw new ImageException(what + ": refusing redirect to " + uri.getScheme() + "://" + uri.getHost());
                }
                continue;
            }
            return r;
        }
        throw new ImageException(what + ": too many redirects");
    }

    private static boolean isTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof SSLException) return true;
        return false;
    }

    /** A user-facing description of a network failure. */
    static String describe(Throwable e, String host) {
        if (e == null) return "unknown error";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) return "cannot resolve registry host " + host;
            if (t instanceof HttpConnectTimeoutException) return "timed out connecting to " + host;
            if (t instanceof ConnectException) return "cannot connect to registry " + host + ": connection refused";
            if (t instanceof HttpTimeoutException) return "timed out talking to " + host;
            if (t instanceof SSLException) return "TLS failure with " + host + ": " + t.getMessage()
                    + " (if it serves plain HTTP, mark it insecure)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static byte[] readLimited(HttpResponse<InputStream> r, int max, String what) {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) throw new ImageException(what + ": response larger than " + max + " bytes");
            return b;
        } catch (IOException e) {
            throw new ImageException(what + ": reading the response failed: " + e.getMessage(), e);
        }
    }

    private static ImageException httpError(int code, byte[] body, String what) {
        String kind = switch (code) {
            case 401 -> "unauthorized";
            case 403 -> "access denied";
            case 429 -> "too many requests (rate limited)";
            default -> code >= 500 ? "registry error" : "unexpected response";
        };
        return new ImageException(what + ": " + kind + " (HTTP " + code + ")" + errorDetail(body, false));
    }

    /** The registry's error messages ({@code {"errors":[{"code","message"}]}}) as ": CODE: message". */
    static String errorDetail(byte[] body, boolean quiet) {
        if (body == null || body.length == 0) return "";
        try {
            JsonNode n = Json.mapper().readTree(body);
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : n.path("errors")) {
                String code = e.path("code").asText(""), msg = e.path("message").asText("");
                if (quiet && (code.endsWith("_UNKNOWN") || code.equals("NAME_UNKNOWN"))) {
                    sb.append(sb.isEmpty() ? ": " : "; ").append(msg.isEmpty() ? code : msg);
                } else {
                    sb.append(sb.isEmpty() ? ": " : "; ").append(code).append(msg.isEmpty() ? "" : ": " + msg);
                }
            }
            return sb.toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
