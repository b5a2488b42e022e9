package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one shared Jackson {@link ObjectMapper} for OCI JSON (config.json, state, features, process.json).
 *
 * <p>Created lazily on first use; no module scanning. Configuration: unknown properties are ignored (the spec
 * allows extensions), null components are not written, and scalars are not coerced (a string where a number is
 * expected is an error, as with Go's encoding/json that runc uses).
 */
public final class Json {
    private Json() {
    }

    private static final class Holder {
        static final ObjectMapper MAPPER = create();
        static final ObjectWriter INDENTED = MAPPER.writer(new GoPrettyPrinter("\t"));
    }

    /** The shared mapper (thread-safe once configured; do not reconfigure it). */
    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    private static ObjectMapper create() {
        JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Boolean, LogicalType.Float}) {
            m.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /** Compact JSON bytes (UTF-8). */
    public static byte[] toBytes(Object value) {
        try {
            return mapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compact JSON text. */
    public static String toJson(Object value) {
        try {
            return mapper().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON indented with tabs exactly like Go's {@code json.MarshalIndent(v, "", "\t")} (no trailing newline). */
    public static String toIndentedJson(Object value) {
        try {
            return Holder.INDENTED.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * JSON indented like Go's {@code json.MarshalIndent(v, "", indent)} (no trailing newline); e.g. runc's
     * {@code features} uses four spaces and appends a newline.
     */
    public static String toIndentedJson(Object value, String indent) {
        try {
            return mapper().writer(new GoPrettyPrinter(indent)).writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pretty printer matching Go's MarshalIndent: {@code "k": v}, {@code {}} and {@code []} when empty. */
    static final class GoPrettyPrinter implements PrettyPrinter, Instantiatable<GoPrettyPrinter> {
        private final String indent;
        private int depth;

        GoPrettyPrinter(String indent) {
            this.indent = indent;
        }

        @Override
        public GoPrettyPrinter createInstance() {
            return new GoPrettyPrinter(indent);
        }

        private void newline(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
            for (int i = 0; i < depth; i++) {
                g.writeRaw(indent);
            }
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
            depth++;
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            depth--;
            if (nrOfEntries > 0) {
                newline(g);
            }
            g.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
            depth++;
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            depth--;
            if (nrOfValues > 0) {
                newline(g);
            }
            g.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            newline(g);
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            newline(g);
        }
    }
}
