package io.capsa.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code algorithm:hex} (sha256 or sha512), validated. */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");

    public Digest {
        boolean ok = switch (algorithm) {
            case "sha256" -> SHA256.matcher(hex).matches();
            case "sha512" -> SHA512.matcher(hex).matches();
            default -> false;
        };
        if (!ok) throw new ImageException("invalid digest: " + algorithm + ":" + hex);
    }

    /** Parses {@code sha256:<64 hex>}; throws {@link ImageException} naming the text. */
    public static Digest parse(String s) {
        int c = s == null ? -1 : s.indexOf(':');
        if (c <= 0) throw new ImageException("invalid digest: " + s);
        String alg = s.substring(0, c), hex = s.substring(c + 1);
        if (!alg.equals("sha256") && !alg.equals("sha512")) {
            throw new ImageException("unsupported digest algorithm " + alg + " in " + s);
        }
        if (!(alg.equals("sha256") ? SHA256 : SHA512).matcher(hex).matches()) {
            throw new ImageException("invalid digest: " + s);
        }
        return new Digest(alg, hex);
    }

    /** The sha256 digest of these bytes. */
    public static Digest sha256(byte[] data) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(data)));
    }

    /** A fresh SHA-256 MessageDigest. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A fresh SHA-256 MessageDigest for bulk data (layers, blobs): OpenSSL's when it is there (fast also on a
     * C1-only JVM), else the JDK's.
     */
    public static MessageDigest newBulkSha256() {
        return io.capsa.sys.NativeSha256.create();
    }

    /** A fresh MessageDigest for this digest's algorithm (libcrypto's SHA-256 for bulk data when it can). */
    public MessageDigest newDigest() {
        if (algorithm.equals("sha256")) return newBulkSha256();
        try {
            return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digest whose value a finished MessageDigest of this digest's algorithm computed. */
    public Digest withValue(byte[] value) {
        return new Digest(algorithm, HexFormat.of().formatHex(value));
    }

    /** The first 12 hex digits (Docker's short id). */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }
}
