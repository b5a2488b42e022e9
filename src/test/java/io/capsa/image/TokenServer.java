package io.capsa.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.capsa.spec.Json;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token server for the registry's token auth (the Docker Hub flow): GET /token?service=&scope= answers
 * {"token": JWT} signed RS256 with a self-signed certificate (made with openssl) that the registry trusts.
 * Anonymous requests get pull access to repositories under public/; the user with the password gets
 * pull and push everywhere; wrong credentials get 401.
 */
public final class TokenServer implements AutoCloseable {
    static final String SERVICE = "capsa-test-registry", ISSUER = "capsa-test-issuer";

    private final HttpServer server;
    private final Path cert;
    private final PrivateKey key;
    private final String certDer;
    private final String user, password;
    /** The scopes and users tokens were asked for ("anonymous" or the user name). */
    public final List<String> requests = new CopyOnWriteArrayList<>();

    public TokenServer(Path dir, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Files.createDirectories(dir);
        cert = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        TestRegistry.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=capsa-test-token"));
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyFile)));
        certDer = Base64.getEncoder().encodeToString(pem(cert));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", ex -> {
            String q = ex.getRequestURI().getRawQuery();
            String scope = null;
            for (String kv : q == null ? new String[0] : q.split("&")) {
                if (kv.startsWith("scope=")) scope = URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String who = "anonymous";
            if (auth != null) {
                String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
                if (!auth.equals(expected)) {
                    byte[] b = "{\"details\":\"wrong credentials\"}".getBytes();
                    ex.sendResponseHeaders(401, b.length);
                    ex.getResponseBody().write(b);
                    ex.close();
                    return;
                }
                who = user;
            }
            requests.add(who + " " + scope);
            byte[] body;
            try {
                body = Json.toBytes(java.util.Map.of("token", jwt(who, scope)));
            } catch (Exception e) {
                ex.sendResponseHeaders(500, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    private static byte[] pem(Path f) throws Exception {
        String s = Files.readString(f).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(s);
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return cert;
    }

    private String jwt(String who, String scope) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ObjectNode h = Json.mapper().createObjectNode();
        h.put("typ", "JWT");
        h.put("alg", "RS256");
        h.putArray("x5c").add(certDer);
        long now = System.currentTimeMillis() / 1000;
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("iss", ISSUER);
        c.put("sub", who);
        c.put("aud", SERVICE);
        c.put("exp", now + 600);
        c.put("nbf", now - 60);
        c.put("iat", now);
        c.put("jti", UUID.randomUUID().toString());
        ArrayNode access = c.putArray("access");
        if (scope != null) {
            for (String sc : scope.split(" ")) {
                String[] p = sc.split(":");
                if (p.length != 3 || !p[0].equals("repository")) continue;
                boolean allowed = !who.equals("anonymous") || p[1].startsWith("public/");
                if (!allowed) continue;
                ObjectNode a = access.addObject();
                a.put("type", "repository");
                a.put("name", p[1]);
                ArrayNode actions = a.putArray("actions");
                for (String act : p[2].split(",")) {
                    if (who.equals("anonymous") && !act.equals("pull")) continue;
                    actions.add(act);
                }
            }
        }
        String signingInput = b64.encodeToString(Json.toBytes(h)) + "." + b64.encodeToString(Json.toBytes(c));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(sig.sign());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
