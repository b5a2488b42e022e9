package io.capsa.image.unpack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/** Layer compression, recognised by its magic bytes (as Docker does), not trusted from the media type. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** Peeks at the stream's first bytes (the stream must support mark/reset). */
    public static Compression detect(InputStream in) throws IOException {
        in.mark(8);
        byte[] b = in.readNBytes(4);
        in.reset();
        if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) return GZIP;
        if (b.length >= 4 && (b[0] & 0xff) == 0x28 && (b[1] & 0xff) == 0xb5 && (b[2] & 0xff) == 0x2f
                && (b[3] & 0xff) == 0xfd) return ZSTD;
        return NONE;
    }

    /** The decompressed stream of {@code raw}, whatever its compression. */
    public static InputStream decompress(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        return switch (detect(in)) {
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new ZstdCompressorInputStream(in);
            case NONE -> in;
        };
    }
}
