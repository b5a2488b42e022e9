package io.capsa.image.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme ({@code basic}, {@code bearer},
 * lower-cased) and its parameters (names lower-cased, values unquoted), e.g. {@code Bearer
 * realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"}.
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public String param(String name) {
        return params.get(name);
    }

    /** Parses every challenge of the header values (a value may hold several, separated by commas). */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String v : headerValues) out.addAll(parse(v));
        return out;
    }

    /** Parses one header value. Malformed parts are skipped, never thrown on. */
    public static List<AuthChallenge> parse(String h) {
        List<AuthChallenge> out = new ArrayList<>();
        int i = 0, n = h.length();
        String scheme = null;
        Map<String, String> params = null;
        while (i < n) {
            // skip separators
            while (i < n && (h.charAt(i) == ',' || Character.isWhitespace(h.charAt(i)))) i++;
            if (i >= n) break;
            int start = i;
            while (i < n && isTokenChar(h.charAt(i))) i++;
            if (i == start) { // stray character
                i++;
                continue;
            }
            String token = h.substring(start, i);
            int j = i;
            while (j < n && (h.charAt(j) == ' ' || h.charAt(j) == '\t')) j++;
            if (j < n && h.charAt(j) == '=' && scheme != null && !(j + 1 < n && h.charAt(j + 1) == '=' && token68End(h, j))) {
                // auth-param
                i = j + 1;
                while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) i++;
                String value;
                if (i < n && h.charAt(i) == '"') {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    while (i < n && h.charAt(i) != '"') {
                        char c = h.charAt(i++);
                        if (c == '\\' && i < n) c = h.charAt(i++);
                        sb.append(c);
                    }
                    i++; // closing quote
                    value = sb.toString();
                } else {
                    int vs = i;
                    while (i < n && h.charAt(i) != ',' && !Character.isWhitespace(h.charAt(i))) i++;
                    value = h.substring(vs, i);
                }
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else if (j < n && h.charAt(j) == '=' && scheme != null) {
                // token68 (e.g. base64 with '=' padding): skip it
                i = j;
                while (i < n && h.charAt(i) != ',') i++;
            } else {
                if (scheme != null) out.add(new AuthChallenge(scheme, params));
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
                i = j;
            }
        }
        if (scheme != null) out.add(new AuthChallenge(scheme, params));
        return out;
    }

    private static boolean token68End(String h, int j) {
        int k = j;
        while (k < h.length() && h.charAt(k) == '=') k++;
        while (k < h.length() && (h.charAt(k) == ' ' || h.charAt(k) == '\t')) k++;
        return k >= h.length() || h.charAt(k) == ',';
    }

    private static boolean isTokenChar(char c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
    }
}
