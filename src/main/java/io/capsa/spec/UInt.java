package io.capsa.spec;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigInteger;

/**
 * Unsigned integer fields of the spec, held in a {@code Long}.
 *
 * <p>uint64 values above {@link Long#MAX_VALUE} (e.g. RLIM_INFINITY 18446744073709551615 or seccomp masks)
 * are stored as their two's complement and written back unsigned. Negative or too large input is
 * rejected with a message starting "expected ", which {@link SpecLoader} reports with the field path.
 */
public final class UInt {
    private UInt() {
    }

    /** uint64 component: full unsigned range, two's complement storage. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    @JacksonAnnotationsInside
    @JsonSerialize(using = U64Serializer.class)
    @JsonDeserialize(using = U64Deserializer.class)
    public @interface U64 {
    }

    /** uint32 component: 0..4294967295. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    @JacksonAnnotationsInside
    @JsonDeserialize(using = U32Deserializer.class)
    public @interface U32 {
    }

    /** list of uint32. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    @JacksonAnnotationsInside
    @JsonDeserialize(contentUsing = U32Deserializer.class)
    public @interface U32List {
    }

    /** Largest uint32. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    /** The unsigned decimal text of a uint64 held in a long. */
    public static String u64String(long v) {
        return Long.toUnsignedString(v);
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
            if (v < 0 || v > U32_MAX) {
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
