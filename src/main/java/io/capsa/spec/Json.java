package io.capsa.spec;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * OCI JSON (config.json, state, features, process.json) in and out, through {@link RecordJson}: jackson-core's
 * streaming parser and generator with our own record binder, so that a command never loads jackson-databind
 * (whose ObjectMapper costs hundreds of milliseconds on a cold JVM).
 *
 * <p>Reading ignores unknown properties (the spec allows extensions) and never coerces scalars (a string where a
 * number is expected is an error, as with Go's encoding/json that runc uses); writing omits null components.
 */
public final class Json {
    private Json() {
    }

    /**
     * A jackson-databind mapper configured like the binder, for code off the commands' hot path (tests, tools)
     * that wants trees or other databind features. Created on first use; thread-safe; do not reconfigure it.
     */
    public static ObjectMapper mapper() {
        return JsonDatabind.mapper();
    }

    /** Compact JSON bytes (UTF-8). */
    public static byte[] toBytes(Object value) {
        return RecordJson.toBytes(value);
    }

    /** Compact JSON text. */
    public static String toJson(Object value) {
        return RecordJson.toJson(value);
    }

    /** JSON indented with tabs exactly like Go's {@code json.MarshalIndent(v, "", "\t")} (no trailing newline). */
    public static String toIndentedJson(Object value) {
        return RecordJson.toIndentedJson(value, "\t");
    }

    /**
     * JSON indented like Go's {@code json.MarshalIndent(v, "", indent)} (no trailing newline); e.g. runc's
     * {@code features} uses four spaces and appends a newline.
     */
    public static String toIndentedJson(Object value, String indent) {
        return RecordJson.toIndentedJson(value, indent);
    }

    /**
     * Reads a JSON document as {@code type} (null for a top-level JSON null).
     *
     * @param name the document's name for messages, e.g. "config.json"
     * @throws SpecException if it is malformed or does not fit the type, e.g.
     *     {@code config.json: process.args: expected an array of strings}
     */
    public static <T> T read(byte[] data, Class<T> type, String name) {
        try {
            return RecordJson.read(data, type);
        } catch (RecordJson.JsonBindException e) {
            throw new SpecException(name + ": " + e.getMessage(), e);
        }
    }
}
