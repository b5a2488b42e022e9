package io.capsa.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON binder for the model's records on jackson-core's streaming {@link JsonParser} and
 * {@link JsonGenerator}: what jackson-databind's ObjectMapper did for us, without its start-up cost (hundreds of
 * milliseconds on a cold JVM; this binder needs a few).
 *
 * <p>Bound types: records (through their components and canonical constructor, cached per class), plain data
 * classes of Capsa's own (a class in an {@code io.capsa} package with a public no-argument constructor: its
 * public non-static, non-transient fields, as databind binds them; a property absent from the JSON keeps the
 * field's initial value), String,
 * Boolean, Integer, Long, Double, enums (by name), {@code List<X>} (read as ArrayList), {@code Map<String, X>}
 * (read as LinkedHashMap, order kept), and Object (any JSON value: LinkedHashMap, ArrayList, String,
 * Integer/Long/BigInteger, Double, Boolean). Honoured annotations: {@link UInt.U64} (uint64 in a long, two's
 * complement above Long.MAX_VALUE, written unsigned), {@link UInt.U32} and {@link UInt.U32List} (0..4294967295),
 * {@link JsonProperty} (the JSON name of a component), {@link JsonPropertyOrder} (written order) and
 * {@link JsonInclude} (NON_NULL is the default; NON_EMPTY and NON_DEFAULT as Jackson defines them for a property).
 * A value of any other type met while writing (a JsonNode, ...) is handed to {@link Json#mapper()}, which loads
 * jackson-databind: the commands' path does not do that.
 *
 * <p>Reading follows the rules of the former ObjectMapper configuration (and Go's encoding/json): unknown
 * properties are ignored, scalars are never coerced (a string where a number is expected is an error, so is 1.5
 * where an integer is expected), data after the top-level value is an error, and a JSON null reads as Java null
 * (0 or false for a primitive component). Writing omits null components and null map values (list elements
 * stay). Errors are {@link JsonBindException}s
 * whose message names the JSON path: {@code process.args[1]: expected a string},
 * {@code malformed JSON at line 3 column 5: ...}.
 */
public final class RecordJson {
    private RecordJson() {
    }

    /** A JSON document that is malformed or does not fit the type. The message has no file name. */
    public static final class JsonBindException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonBindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class FactoryHolder {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    /** The shared jackson-core factory (created on first use). */
    static JsonFactory factory() {
        return FactoryHolder.FACTORY;
    }

    // ---- public entry points -----------------------------------------------------------------------------------

    /** Reads a JSON document (UTF-8) as {@code type}; a top-level JSON null gives null. */
    public static <T> T read(byte[] json, Class<T> type) {
        @SuppressWarnings("unchecked")
        T value = (T) read(json, (Type) type);
        return value;
    }

    /** Reads a JSON document (UTF-8) as a possibly generic type, e.g. a {@code List<Mount>}. */
    public static Object read(byte[] json, Type type) {
        Codec codec = codec(type, null);
        try (JsonParser p = factory().createParser(json)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new JsonBindException("malformed JSON: the file is empty", null);
            }
            Object value = t == JsonToken.VALUE_NULL ? null : codec.read(p, t);
            if (p.nextToken() != null) {
                throw new JsonBindException(
                        malformed(p.currentTokenLocation(), "unexpected data after the top-level value"), null);
            }
            return value;
        } catch (Failure f) {
            String path = f.path();
            throw new JsonBindException(path.isEmpty() ? f.problem : path + ": " + f.problem, f.getCause());
        } catch (JsonParseException e) {
            throw new JsonBindException(malformed(e.getLocation(), e.getOriginalMessage()), e);
        } catch (JacksonException e) {
            throw new JsonBindException(firstLine(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new JsonBindException(String.valueOf(e.getMessage()), e);
        }
    }

    /** Compact JSON as UTF-8 bytes. */
    public static byte[] toBytes(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = factory().createGenerator(out)) {
            writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Compact JSON text. */
    public static String toJson(Object value) {
        return write(value, null);
    }

    /** JSON indented like Go's {@code json.MarshalIndent(v, "", indent)} (no trailing newline). */
    public static String toIndentedJson(Object value, String indent) {
        return write(value, new GoPrettyPrinter(indent));
    }

    private static String write(Object value, PrettyPrinter pp) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = factory().createGenerator(out)) {
            if (pp != null) {
                g.setPrettyPrinter(pp);
            }
            writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes any bindable value (by its runtime class) to {@code g}. */
    public static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else {
            ANY.write(g, value);
        }
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    /** A binding error on its way up: the problem and the path segments collected so far (outermost first). */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String problem;
        final transient ArrayDeque<Object> segments = new ArrayDeque<>();

        Failure(String problem, Throwable cause) {
            super(problem, cause, false, false);
            this.problem = problem;
        }

        Failure at(Object segment) {
            segments.addFirst(segment);
            return this;
        }

        String path() {
            StringBuilder b = new StringBuilder();
            for (Object s : segments) {
                if (s instanceof Integer i) {
                    b.append('[').append(i).append(']');
                } else if (s instanceof MapKey k) {
                    SpecLoader.appendKey(b, k.key());
                } else {
                    if (!b.isEmpty()) {
                        b.append('.');
                    }
                    b.append(s);
                }
            }
            return b.toString();
        }
    }

    /** A map key as a path segment (rendered {@code .key} or {@code ["key"]}). */
    private record MapKey(String key) {
    }

    private static Failure mismatch(Codec c) {
        return new Failure("expected " + c.describe(), null);
    }

    private static Failure outOfRange(Codec c) {
        return new Failure("number out of range, expected " + c.describe(), null);
    }

    static String malformed(JsonLocation loc, String message) {
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

    // ---- codecs ------------------------------------------------------------------------------------------------

    /** Reads and writes one Java type. read gets the current (non-null, non-VALUE_NULL) token. */
    abstract static class Codec {
        abstract Object read(JsonParser p, JsonToken t) throws IOException;

        /** Writes a non-null value. */
        abstract void write(JsonGenerator g, Object v) throws IOException;

        /** For messages: "a string", "an array of strings", ... */
        abstract String describe();

        /** For messages about containers: "strings", "integers", "objects", ... */
        String plural() {
            return "objects";
        }

        final Object readNullable(JsonParser p, JsonToken t) throws IOException {
            return t == JsonToken.VALUE_NULL ? null : read(p, t);
        }
    }

    private static final Codec STRING = new Codec() {
        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.VALUE_STRING) {
                throw mismatch(this);
            }
            return p.getText();
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeString(v.toString());
        }

        @Override
        String describe() {
            return "a string";
        }

        @Override
        String plural() {
            return "strings";
        }
    };

    private static final Codec BOOLEAN = new Codec() {
        @Override
        Object read(JsonParser p, JsonToken t) {
            if (t == JsonToken.VALUE_TRUE) {
                return Boolean.TRUE;
            }
            if (t == JsonToken.VALUE_FALSE) {
                return Boolean.FALSE;
            }
            throw mismatch(this);
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeBoolean((Boolean) v);
        }

        @Override
        String describe() {
            return "a boolean";
        }

        @Override
        String plural() {
            return "booleans";
        }
    };

    private static final Codec INTEGER = new Codec() {
        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw mismatch(this);
            }
            if (p.getNumberType() != JsonParser.NumberType.INT) {
                throw outOfRange(this);
            }
            return p.getIntValue();
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeNumber(((Number) v).intValue());
        }

        @Override
        String describe() {
            return "a 32-bit integer";
        }

        @Override
        String plural() {
            return "integers";
        }
    };

    private static final Codec DOUBLE = new Codec() {
        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw mismatch(this);
            }
            return p.getDoubleValue();
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeNumber(((Number) v).doubleValue());
        }

        @Override
        String describe() {
            return "a number";
        }

        @Override
        String plural() {
            return "numbers";
        }
    };

    /** Long: signed 64-bit, or with {@link UInt} unsigned 32 or 64 bits. */
    private static final class LongCodec extends Codec {
        static final int INT64 = 0;
        static final int U32 = 1;
        static final int U64 = 2;
        final int kind;

        LongCodec(int kind) {
            this.kind = kind;
        }

        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            String unsigned = kind == U32 ? "expected an unsigned 32-bit integer"
                    : kind == U64 ? "expected an unsigned 64-bit integer" : null;
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw unsigned == null ? mismatch(this) : new Failure(unsigned, null);
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                if (unsigned == null) {
                    throw outOfRange(this);
                }
                BigInteger b = p.getBigIntegerValue();
                if (kind == U32 || b.signum() < 0 || b.bitLength() > 64) {
                    throw new Failure(unsigned + ", got " + b, null);
                }
                return b.longValue();
            }
            long v = p.getLongValue();
            if (unsigned != null && (v < 0 || (kind == U32 && v > UInt.U32_MAX))) {
                throw new Failure(unsigned + ", got " + v, null);
            }
            return v;
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            long x = ((Number) v).longValue();
            if (kind == U64 && x < 0) {
                g.writeNumber(Long.toUnsignedString(x));
            } else {
                g.writeNumber(x);
            }
        }

        @Override
        String describe() {
            return "an integer";
        }

        @Override
        String plural() {
            return "integers";
        }
    }

    private static final LongCodec LONG = new LongCodec(LongCodec.INT64);
    private static final LongCodec U32 = new LongCodec(LongCodec.U32);
    private static final LongCodec U64 = new LongCodec(LongCodec.U64);

    private static final class ListCodec extends Codec {
        final Codec element;
        final boolean raw;

        ListCodec(Codec element, boolean raw) {
            this.element = element;
            this.raw = raw;
        }

        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_ARRAY) {
                throw mismatch(this);
            }
            List<Object> list = new ArrayList<>();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                try {
                    list.add(element.readNullable(p, e));
                } catch (Failure f) {
                    throw f.at(list.size());
                }
            }
            return list;
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeStartArray();
            if (v instanceof Object[] a) {
                for (Object e : a) {
                    writeElement(g, e);
                }
            } else {
                for (Object e : (Iterable<?>) v) {
                    writeElement(g, e);
                }
            }
            g.writeEndArray();
        }

        private void writeElement(JsonGenerator g, Object e) throws IOException {
            if (e == null) {
                g.writeNull();
            } else {
                element.write(g, e);
            }
        }

        @Override
        String describe() {
            return raw ? "an array" : "an array of " + element.plural();
        }

        @Override
        String plural() {
            return "arrays";
        }
    }

    private static final class MapCodec extends Codec {
        final Codec value;
        final boolean raw;

        MapCodec(Codec value, boolean raw) {
            this.value = value;
            this.raw = raw;
        }

        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                throw mismatch(this);
            }
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                try {
                    map.put(key, value.readNullable(p, p.nextToken()));
                } catch (Failure f) {
                    throw f.at(new MapKey(key));
                }
            }
            return map;
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                Object k = e.getKey();
                if (k == null) {
                    throw new IllegalArgumentException("a map with a null key cannot be written as JSON");
                }
                if (e.getValue() == null) {
                    continue; // as databind with NON_NULL inclusion: null map values are not written
                }
                g.writeFieldName(k instanceof Enum<?> en ? en.name() : k.toString());
                value.write(g, e.getValue());
            }
            g.writeEndObject();
        }

        @Override
        String describe() {
            return raw ? "an object" : "an object whose values are " + value.plural();
        }
    }

    private static final class EnumCodec extends Codec {
        final Class<?> type;

        EnumCodec(Class<?> type) {
            this.type = type;
        }

        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            if (t == JsonToken.VALUE_STRING) {
                String name = p.getText();
                for (Object c : type.getEnumConstants()) {
                    if (((Enum<?>) c).name().equals(name)) {
                        return c;
                    }
                }
            }
            List<String> names = new ArrayList<>();
            for (Object c : type.getEnumConstants()) {
                names.add(((Enum<?>) c).name());
            }
            throw new Failure("expected one of " + String.join(", ", names), null);
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            g.writeString(((Enum<?>) v).name());
        }

        @Override
        String describe() {
            return "a string";
        }

        @Override
        String plural() {
            return "strings";
        }
    }

    /** Object: any JSON value, read as LinkedHashMap, ArrayList, String, Integer/Long/BigInteger, Double, Boolean. */
    private static final Codec ANY = new Codec() {
        @Override
        Object read(JsonParser p, JsonToken t) throws IOException {
            switch (t) {
                case START_OBJECT: {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                        try {
                            map.put(key, readNullable(p, p.nextToken()));
                        } catch (Failure f) {
                            throw f.at(new MapKey(key));
                        }
                    }
                    return map;
                }
                case START_ARRAY: {
                    List<Object> list = new ArrayList<>();
                    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                        try {
                            list.add(readNullable(p, e));
                        } catch (Failure f) {
                            throw f.at(list.size());
                        }
                    }
                    return list;
                }
                case VALUE_STRING:
                    return p.getText();
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    return p.getNumberValue();
                case VALUE_TRUE:
                    return Boolean.TRUE;
                case VALUE_FALSE:
                    return Boolean.FALSE;
                case VALUE_EMBEDDED_OBJECT:
                    return p.getEmbeddedObject();
                default:
                    throw mismatch(this);
            }
        }

        @Override
        void write(JsonGenerator g, Object v) throws IOException {
            if (v instanceof String s) {
                g.writeString(s);
            } else if (v instanceof Boolean b) {
                g.writeBoolean(b);
            } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                g.writeNumber(((Number) v).intValue());
            } else if (v instanceof Long l) {
                g.writeNumber(l);
            } else if (v instanceof Double d) {
                g.writeNumber(d);
            } else if (v instanceof Float f) {
                g.writeNumber(f);
            } else if (v instanceof BigInteger b) {
                g.writeNumber(b);
            } else if (v instanceof BigDecimal b) {
                g.writeNumber(b);
            } else if (v instanceof Record) {
                RECORDS.get(v.getClass()).write(g, v);
            } else if (isBean(v.getClass())) {
                BEANS.get(v.getClass()).write(g, v);
            } else if (v instanceof Map<?, ?>) {
                ANY_MAP.write(g, v);
            } else if (v instanceof Collection<?> || v instanceof Object[]) {
                ANY_LIST.write(g, v);
            } else if (v instanceof Enum<?> e) {
                g.writeString(e.name());
            } else if (v instanceof Character c) {
                g.writeString(c.toString());
            } else {
                // not a type of the model (a JsonNode, a Path, ...): as databind writes it (which loads it)
                JsonDatabind.write(g, v);
            }
        }

        @Override
        String describe() {
            return "an object";
        }
    };

    private static final Codec ANY_LIST = new ListCodec(ANY, true);
    private static final Codec ANY_MAP = new MapCodec(ANY, true);

    private static final ClassValue<RecordCodec> RECORDS = new ClassValue<>() {
        @Override
        protected RecordCodec computeValue(Class<?> type) {
            return new RecordCodec(type);
        }
    };

    private static final ClassValue<BeanCodec> BEANS = new ClassValue<>() {
        @Override
        protected BeanCodec computeValue(Class<?> type) {
            return new BeanCodec(type);
        }
    };

    /** A plain data class of our own: in an io.capsa package, concrete, with a public no-argument constructor. */
    static boolean isBean(Class<?> c) {
        if (!c.getPackageName().startsWith("io.capsa.") || c.isInterface() || c.isArray() || c.isPrimitive()
                || java.lang.reflect.Modifier.isAbstract(c.getModifiers()) || c.isRecord() || c.isEnum()) {
            return false;
        }
        try {
            return java.lang.reflect.Modifier.isPublic(c.getConstructor().getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static final ClassValue<EnumCodec> ENUMS = new ClassValue<>() {
        @Override
        protected EnumCodec computeValue(Class<?> type) {
            return new EnumCodec(type);
        }
    };

    /** The codec of a type; {@code annotations} of the record component it belongs to, if any. */
    static Codec codec(Type type, Annotations annotations) {
        if (type instanceof Class<?> c) {
            if (c == String.class) {
                return STRING;
            }
            if (c == Long.class || c == long.class) {
                return annotations == null ? LONG : annotations.u64 ? U64 : annotations.u32 ? U32 : LONG;
            }
            if (c == Integer.class || c == int.class) {
                return INTEGER;
            }
            if (c == Boolean.class || c == boolean.class) {
                return BOOLEAN;
            }
            if (c == Double.class || c == double.class) {
                return DOUBLE;
            }
            if (c == Object.class) {
                return ANY;
            }
            if (c.isRecord()) {
                return RECORDS.get(c);
            }
            if (c.isEnum()) {
                return ENUMS.get(c);
            }
            if (List.class.isAssignableFrom(c) || c == Collection.class) {
                return ANY_LIST;
            }
            if (Map.class.isAssignableFrom(c)) {
                return ANY_MAP;
            }
            if (isBean(c)) {
                return BEANS.get(c);
            }
        } else if (type instanceof ParameterizedType pt && pt.getRawType() instanceof Class<?> raw) {
            Type[] args = pt.getActualTypeArguments();
            if ((List.class.isAssignableFrom(raw) || raw == Collection.class) && args.length == 1) {
                boolean u32 = annotations != null && annotations.u32List;
                return new ListCodec(u32 ? U32 : codec(args[0], null), false);
            }
            if (Map.class.isAssignableFrom(raw) && args.length == 2) {
                return new MapCodec(codec(args[1], null), false);
            }
        } else if (type instanceof WildcardType w) {
            return codec(w.getUpperBounds()[0], annotations);
        } else if (type instanceof TypeVariable<?>) {
            return ANY;
        }
        throw new IllegalArgumentException("no JSON binding for " + type.getTypeName());
    }

    /** What the binder reads from a record component's annotations. */
    record Annotations(String name, boolean u64, boolean u32, boolean u32List, JsonInclude.Include include) {
        static Annotations of(Annotation[] as) {
            String name = null;
            boolean u64 = false;
            boolean u32 = false;
            boolean u32List = false;
            JsonInclude.Include include = null;
            for (Annotation a : as) {
                if (a instanceof JsonProperty jp) {
                    name = jp.value().isEmpty() ? null : jp.value();
                } else if (a instanceof UInt.U64) {
                    u64 = true;
                } else if (a instanceof UInt.U32) {
                    u32 = true;
                } else if (a instanceof UInt.U32List) {
                    u32List = true;
                } else if (a instanceof JsonInclude ji) {
                    include = ji.value() == JsonInclude.Include.USE_DEFAULTS ? null : ji.value();
                }
            }
            return new Annotations(name, u64, u32, u32List, include);
        }
    }

    /** One property: a record component (with its accessor) or a data class's field. */
    private static final class Component {
        final String jsonName;
        final int index;
        final Method accessor;
        final Field field;
        final Codec codec;
        final JsonInclude.Include include;
        final Object absent; // the value when the property is null (or, for a record, absent)

        Component(String jsonName, int index, Method accessor, Field field, Codec codec, JsonInclude.Include include,
                Object absent) {
            this.jsonName = jsonName;
            this.index = index;
            this.accessor = accessor;
            this.field = field;
            this.codec = codec;
            this.include = include;
            this.absent = absent;
        }

        boolean omit(Object v) {
            if (v == null) {
                return include != JsonInclude.Include.ALWAYS;
            }
            return switch (include) {
                case NON_EMPTY -> isEmpty(v);
                case NON_DEFAULT -> isEmpty(v) || isZero(v);
                default -> false;
            };
        }

        private static boolean isEmpty(Object v) {
            return v instanceof String s && s.isEmpty()
                    || v instanceof Collection<?> c && c.isEmpty()
                    || v instanceof Map<?, ?> m && m.isEmpty()
                    || v instanceof Object[] a && a.length == 0;
        }

        private static boolean isZero(Object v) {
            return v instanceof Long l && l == 0L
                    || v instanceof Integer i && i == 0
                    || v instanceof Boolean b && !b
                    || v instanceof Double d && d == 0.0
                    || v instanceof Short s && s == 0
                    || v instanceof Byte b2 && b2 == 0
                    || v instanceof Float f && f == 0.0f
                    || v instanceof Character c && c == '\0';
        }
    }

    /** An object's bound properties: by index, in written order, and by JSON name. */
    private record Properties(Component[] components, Component[] writeOrder, Map<String, Component> byName) {
        static Properties of(Component[] components, Component[] writeOrder) {
            Map<String, Component> byName = new HashMap<>();
            for (Component c : components) {
                byName.put(c.jsonName, c);
            }
            return new Properties(components, writeOrder, byName);
        }
    }

    /**
     * Records and plain data classes: a JSON object whose properties are {@link Component}s, bound on first use.
     * Reading collects the values by component, then {@link #make}s the object; writing asks {@link #get}.
     */
    private abstract static class ObjectCodec<B> extends Codec {
        final Class<?> type;
        private volatile B binding;

        ObjectCodec(Class<?> type) {
            this.type = type;
        }

        final B binding() {
            B b = binding;
            if (b == null) {
                b = bind();
                binding = b;
            }
            return b;
        }

        abstract B bind();

        abstract Properties properties(B b);

        /** The object of these values (null where the JSON had null or nothing; {@code present}: what it had). */
        abstract Object make(B b, Object[] values, boolean[] present);

        /** The value of one property of {@code v}. */
        abstract Object get(B b, Object v, Component c);

        @Override
        final Object read(JsonParser p, JsonToken t) throws IOException {
            if (t != JsonToken.START_OBJECT) {
                throw mismatch(this);
            }
            B b = binding();
            Properties ps = properties(b);
            Object[] values = new Object[ps.components().length];
            boolean[] present = new boolean[values.length];
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken vt = p.nextToken();
                Component c = ps.byName().get(name);
                if (c == null) {
                    p.skipChildren();
                    continue;
                }
                try {
                    values[c.index] = c.codec.readNullable(p, vt);
                } catch (Failure f) {
                    throw f.at(c.jsonName);
                }
                present[c.index] = true;
            }
            return make(b, values, present);
        }

        @Override
        final void write(JsonGenerator g, Object v) throws IOException {
            B b = binding();
            g.writeStartObject();
            for (Component c : properties(b).writeOrder()) {
                Object x = get(b, v, c);
                if (c.omit(x)) {
                    continue;
                }
                g.writeFieldName(c.jsonName);
                if (x == null) {
                    g.writeNull();
                } else {
                    c.codec.write(g, x);
                }
            }
            g.writeEndObject();
        }

        /** A new instance through {@code ctor}; a failure of the constructor itself is the JSON's fault. */
        final Object construct(Constructor<?> ctor, Object... args) {
            try {
                return ctor.newInstance(args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new Failure("invalid " + type.getSimpleName() + ": " + cause.getMessage(), cause);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + type.getName(), e);
            }
        }

        @Override
        String describe() {
            return "an object";
        }
    }

    /** A record: its components, through its accessors and canonical constructor. */
    private static final class RecordCodec extends ObjectCodec<RecordCodec.Model> {
        record Model(Constructor<?> constructor, Properties properties) {
        }

        RecordCodec(Class<?> type) {
            super(type);
        }

        @Override
        Model bind() {
            RecordComponent[] rcs = type.getRecordComponents();
            Class<?>[] types = new Class<?>[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                types[i] = rcs[i].getType();
            }
            Constructor<?> ctor;
            try {
                ctor = type.getDeclaredConstructor(types);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
            }
            ctor.setAccessible(true);
            JsonInclude.Include defaultInclude = defaultInclude(type);
            Component[] components = new Component[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                RecordComponent rc = rcs[i];
                Annotations a = annotations(rc);
                Method accessor = rc.getAccessor();
                accessor.setAccessible(true);
                components[i] = new Component(a.name() != null ? a.name() : rc.getName(), i, accessor, null,
                        codec(rc.getGenericType(), a), a.include() != null ? a.include() : defaultInclude,
                        absentValue(rc.getType()));
            }
            Component[] order = components;
            JsonPropertyOrder po = type.getAnnotation(JsonPropertyOrder.class);
            if (po != null && po.value().length > 0) {
                List<Component> ordered = new ArrayList<>();
                for (String n : po.value()) {
                    for (int i = 0; i < rcs.length; i++) {
                        Component c = components[i];
                        if ((c.jsonName.equals(n) || rcs[i].getName().equals(n)) && !ordered.contains(c)) {
                            ordered.add(c);
                        }
                    }
                }
                for (Component c : components) {
                    if (!ordered.contains(c)) {
                        ordered.add(c);
                    }
                }
                order = ordered.toArray(new Component[0]);
            }
            return new Model(ctor, Properties.of(components, order));
        }

        /** The component's annotations, as javac copies them to the record's private field (or its accessor). */
        private Annotations annotations(RecordComponent rc) {
            Annotation[] as;
            try {
                Field f = type.getDeclaredField(rc.getName());
                as = f.getDeclaredAnnotations();
            } catch (NoSuchFieldException e) {
                as = new Annotation[0];
            }
            if (as.length == 0) {
                as = rc.getAccessor().getDeclaredAnnotations();
            }
            return Annotations.of(as);
        }

        @Override
        Properties properties(Model m) {
            return m.properties();
        }

        @Override
        Object make(Model m, Object[] values, boolean[] present) {
            for (Component c : m.properties().components()) {
                if (values[c.index] == null) {
                    values[c.index] = c.absent;
                }
            }
            return construct(m.constructor(), values);
        }

        @Override
        Object get(Model m, Object v, Component c) {
            try {
                return c.accessor.invoke(v);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A plain data class: its public instance fields (declaration order), set after the no-argument constructor
     * ran; properties absent from the JSON keep the values the constructor gave them.
     */
    private static final class BeanCodec extends ObjectCodec<BeanCodec.Bean> {
        record Bean(Constructor<?> constructor, Properties properties) {
        }

        BeanCodec(Class<?> type) {
            super(type);
        }

        @Override
        Bean bind() {
            Constructor<?> ctor;
            try {
                ctor = type.getConstructor();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type.getName() + " has no public no-argument constructor", e);
            }
            JsonInclude.Include defaultInclude = defaultInclude(type);
            List<Component> components = new ArrayList<>();
            for (Field f : type.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!java.lang.reflect.Modifier.isPublic(m) || java.lang.reflect.Modifier.isStatic(m)
                        || java.lang.reflect.Modifier.isTransient(m)) {
                    continue;
                }
                Annotations a = Annotations.of(f.getDeclaredAnnotations());
                components.add(new Component(a.name() != null ? a.name() : f.getName(), components.size(), null, f,
                        codec(f.getGenericType(), a), a.include() != null ? a.include() : defaultInclude,
                        absentValue(f.getType())));
            }
            Component[] cs = components.toArray(new Component[0]);
            return new Bean(ctor, Properties.of(cs, cs));
        }

        @Override
        Properties properties(Bean b) {
            return b.properties();
        }

        @Override
        Object make(Bean b, Object[] values, boolean[] present) {
            Object o = construct(b.constructor());
            for (Component c : b.properties().components()) {
                if (present[c.index]) {
                    try {
                        c.field.set(o, values[c.index] == null ? c.absent : values[c.index]);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot set " + type.getName() + "." + c.field.getName(), e);
                    }
                }
            }
            return o;
        }

        @Override
        Object get(Bean b, Object v, Component c) {
            try {
                return c.field.get(v);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The class's {@link JsonInclude} (NON_NULL if none), the default of its properties. */
    private static JsonInclude.Include defaultInclude(Class<?> type) {
        JsonInclude classInclude = type.getAnnotation(JsonInclude.class);
        return classInclude == null || classInclude.value() == JsonInclude.Include.USE_DEFAULTS
                ? JsonInclude.Include.NON_NULL : classInclude.value();
    }

    /** What a property of this type is when absent or null: null, or a primitive's zero. */
    private static Object absentValue(Class<?> t) {
        return !t.isPrimitive() ? null
                : t == long.class ? (Object) 0L : t == int.class ? (Object) 0 : t == boolean.class
                ? (Object) false : t == double.class ? (Object) 0.0 : t == float.class ? (Object) 0.0f
                : t == short.class ? (Object) (short) 0 : t == byte.class ? (Object) (byte) 0 : (Object) '\0';
    }

    // ---- Go-style indentation ----------------------------------------------------------------------------------

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

        /** An object or array opens: its bracket, one level deeper. */
        private void open(JsonGenerator g, char bracket) throws IOException {
            g.writeRaw(bracket);
            depth++;
        }

        /** It closes: one level up, on a line of its own unless it was empty ({@code {}}, {@code []}). */
        private void close(JsonGenerator g, int entries, char bracket) throws IOException {
            depth--;
            if (entries > 0) {
                newline(g);
            }
            g.writeRaw(bracket);
        }

        /** Between two entries or elements: a comma, then the next line. */
        private void separate(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            newline(g);
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            open(g, '{');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            close(g, nrOfEntries, '}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            separate(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            open(g, '[');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            close(g, nrOfValues, ']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            separate(g);
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
