package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.math.BigInteger;

/**
 * The jackson-databind {@link ObjectMapper} behind {@link Json#mapper()}, for code off the commands' hot path
 * (tests, tools) that wants trees or databind features. Configured to bind the model as {@link RecordJson} does:
 * unknown properties ignored, nulls not written, no scalar coercion, trailing tokens an error, and the
 * {@link UInt} annotations honoured through an annotation introspector (so that the annotations themselves do not
 * reference databind classes, which would load them on every command).
 */
final class JsonDatabind {
    private JsonDatabind() {
    }

    private static final class Holder {
        static final ObjectMapper MAPPER = create();
    }

    static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    /** Writes a value of a type {@link RecordJson} does not bind (a JsonNode, a Path, ...) with the mapper. */
    static void write(JsonGenerator g, Object value) throws IOException {
        mapper().writeValue(g, value);
    }

    private static ObjectMapper create() {
        JsonMapper m = JsonMapper.builder()
                .annotationIntrospector(new UIntIntrospector())
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

    /** Maps {@link UInt.U64}, {@link UInt.U32} and {@link UInt.U32List} to their (de)serializers. */
    static final class UIntIntrospector extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Object findSerializer(Annotated a) {
            if (a.hasAnnotation(UInt.U64.class)) {
                return U64Serializer.class;
            }
            return super.findSerializer(a);
        }

        @Override
        public Object findDeserializer(Annotated a) {
            if (a.hasAnnotation(UInt.U64.class)) {
                return U64Deserializer.class;
            }
            if (a.hasAnnotation(UInt.U32.class)) {
                return U32Deserializer.class;
            }
            return super.findDeserializer(a);
        }

        @Override
        public Object findContentDeserializer(Annotated a) {
            if (a.hasAnnotation(UInt.U32List.class)) {
                return U32Deserializer.class;
            }
            return super.findContentDeserializer(a);
        }
    }

    static final class U64Deserializer extends StdScalarDeserializer<Long> {
        private static final long serialVersionUID = 1L;

        U64Deserializer() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw MismatchedInputException.from(p, Long.class, "expected an unsigned 64-bit integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                BigInteger b = p.getBigIntegerValue();
                if (b.signum() < 0 || b.bitLength() > 64) {
                    throw MismatchedInputException.from(p, Long.class,
                            "expected an unsigned 64-bit integer, got " + b);
                }
                return b.longValue();
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw MismatchedInputException.from(p, Long.class, "expected an unsigned 64-bit integer, got " + v);
            }
            return v;
        }
    }

    static final class U32Deserializer extends StdScalarDeserializer<Long> {
        private static final long serialVersionUID = 1L;

        U32Deserializer() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw MismatchedInputException.from(p, Long.class, "expected an unsigned 32-bit integer");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw MismatchedInputException.from(p, Long.class,
                        "expected an unsigned 32-bit integer, got " + p.getBigIntegerValue());
            }
            long v = p.getLongValue();
            if (v < 0 || v > UInt.U32_MAX) {
                throw MismatchedInputException.from(p, Long.class, "expected an unsigned 32-bit integer, got " + v);
            }
            return v;
        }
    }

    static final class U64Serializer extends StdSerializer<Long> {
        private static final long serialVersionUID = 1L;

        U64Serializer() {
            super(Long.class);
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            long v = value;
            if (v >= 0) {
                gen.writeNumber(v);
            } else {
                gen.writeNumber(new BigInteger(Long.toUnsignedString(v)));
            }
        }
    }
}
