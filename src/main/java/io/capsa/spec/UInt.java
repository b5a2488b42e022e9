package io.capsa.spec;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Unsigned integer fields of the spec, held in a {@code Long}.
 *
 * <p>uint64 values above {@link Long#MAX_VALUE} (e.g. RLIM_INFINITY 18446744073709551615 or seccomp masks)
 * are stored as their two's complement and written back unsigned. Negative or too large input is
 * rejected with a message starting "expected " (e.g. "expected an unsigned 32-bit integer, got -1"), which
 * {@link SpecLoader} reports with the field path.
 *
 * <p>The annotations are plain markers read by {@link RecordJson} (and mapped to databind (de)serializers by
 * {@link Json#mapper()}'s annotation introspector): they must not name databind classes, since reading a record's
 * annotations loads every class they mention.
 */
public final class UInt {
    private UInt() {
    }

    /** uint64 component: full unsigned range, two's complement storage. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    public @interface U64 {
    }

    /** uint32 component: 0..4294967295. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    public @interface U32 {
    }

    /** list of uint32. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
    public @interface U32List {
    }

    /** Largest uint32. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    /** The unsigned decimal text of a uint64 held in a long. */
    public static String u64String(long v) {
        return Long.toUnsignedString(v);
    }
}
