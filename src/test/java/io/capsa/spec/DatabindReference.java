package io.capsa.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The former SpecLoader.parse: jackson-databind ({@link Json#mapper()}) with its errors translated into the same
 * messages. Kept in the tests as the reference {@link RecordJson} is compared with.
 */
final class DatabindReference {
    private DatabindReference() {
    }

    static <T> T parse(byte[] data, Class<T> type, String fileName) {
        T value;
        try {
            value = Json.mapper().readValue(data, type);
        } catch (JacksonException e) {
            throw new SpecException(fileName + ": " + describe(e, type), e);
        } catch (IOException e) {
            throw new SpecException(fileName + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new SpecException(fileName + ": expected an object, got null");
        }
        return value;
    }

    // ---- error translation ------------------------------------------------------------------------------------

    static String describe(JacksonException e, Class<?> rootType) {
        JsonParseException syntax = find(e, JsonParseException.class);
        if (syntax != null) {
            return malformed(syntax.getLocation(), syntax.getOriginalMessage());
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof DatabindException de && de instanceof JsonMappingException jme) {
            List<JsonMappingException.Reference> refs = jme.getPath();
            if (refs.isEmpty()) {
                if (original.startsWith("No content to map")) {
                    return "malformed JSON: the file is empty";
                }
                if (original.startsWith("Trailing token")) {
                    return malformed(jme.getLocation(), "unexpected data after the top-level value");
                }
            }
            StringBuilder path = new StringBuilder();
            Type t = rootType;
            for (JsonMappingException.Reference r : refs) {
                t = step(t, r, path);
            }
            String what;
            if (original.startsWith("expected ")) {
                what = original; // from our own deserializers (UInt)
            } else if (find(e, InputCoercionException.class) != null) {
                what = "number out of range, expected " + describeType(t);
            } else {
                what = "expected " + describeType(t);
            }
            return path.isEmpty() ? what : path + ": " + what;
        }
        return firstLine(original);
    }

    private static String malformed(JsonLocation loc, String message) {
        String where = loc == null || loc.getLineNr() < 0 ? ""
                : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
        return "malformed JSON" + where + ": " + firstLine(message);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static <X extends Throwable> X find(Throwable t, Class<X> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) {
                return kind.cast(c);
            }
        }
        return null;
    }

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Appends a path segment for {@code r} and returns the Java type found there (null if unknown). */
    private static Type step(Type t, JsonMappingException.Reference r, StringBuilder path) {
        Class<?> raw = rawClass(t);
        if (r.getIndex() >= 0) {
            path.append('[').append(r.getIndex()).append(']');
            return raw != null && List.class.isAssignableFrom(raw) ? typeArg(t, 0) : null;
        }
        String name = r.getFieldName();
        if (name == null) {
            return null;
        }
        if (raw != null && Map.class.isAssignableFrom(raw)) {
            appendKey(path, name);
            return typeArg(t, 1);
        }
        if (!path.isEmpty()) {
            path.append('.');
        }
        path.append(name);
        if (raw != null && raw.isRecord()) {
            for (RecordComponent c : raw.getRecordComponents()) {
                if (jsonName(c).equals(name)) {
                    return c.getGenericType();
                }
            }
        }
        return null;
    }

    /** Appends a map key: {@code .key} if it is an identifier, else {@code ["key"]}. */
    static void appendKey(StringBuilder path, String key) {
        if (IDENT.matcher(key).matches()) {
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(key);
        } else {
            path.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
        }
    }

    static String jsonName(RecordComponent c) {
        com.fasterxml.jackson.annotation.JsonProperty p =
                c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        if (p == null) {
            p = c.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Type typeArg(Type t, int i) {
        if (t instanceof ParameterizedType p && p.getActualTypeArguments().length > i) {
            return p.getActualTypeArguments()[i];
        }
        return null;
    }

    /** "a string", "an array of strings", "an object", ... */
    static String describeType(Type t) {
        Class<?> raw = rawClass(t);
        if (raw == null) {
            return "a different type";
        }
        if (raw == String.class) {
            return "a string";
        }
        if (raw == Integer.class) {
            return "a 32-bit integer";
        }
        if (raw == Long.class) {
            return "an integer";
        }
        if (raw == Boolean.class) {
            return "a boolean";
        }
        if (List.class.isAssignableFrom(raw)) {
            Type e = typeArg(t, 0);
            return e == null ? "an array" : "an array of " + plural(e);
        }
        if (Map.class.isAssignableFrom(raw)) {
            Type v = typeArg(t, 1);
            return v == null ? "an object" : "an object whose values are " + plural(v);
        }
        return "an object";
    }

    private static String plural(Type t) {
        Class<?> raw = rawClass(t);
        if (raw == String.class) {
            return "strings";
        }
        if (raw == Integer.class || raw == Long.class) {
            return "integers";
        }
        if (raw == Boolean.class) {
            return "booleans";
        }
        if (raw != null && List.class.isAssignableFrom(raw)) {
            return "arrays";
        }
        return "objects";
    }
}
