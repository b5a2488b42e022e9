package io.capsa.image.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** A user name and password (or an identity token, kept as the password) for one registry. */
public record Credentials(String username, String password) {
    public Credentials {
        if (username == null) username = "";
        if (password == null) password = "";
    }

    /** The value of a Basic Authorization header. */
    public String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes the base64 {@code user:password} of an {@code auth} field; null if malformed. */
    public static Credentials fromAuthField(String auth) {
        try {
            String s = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            int c = s.indexOf(':');
            return c < 0 ? null : new Credentials(s.substring(0, c), s.substring(c + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]";
    }
}
