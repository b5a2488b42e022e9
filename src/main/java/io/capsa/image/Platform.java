package io.capsa.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** An OCI platform (os, architecture, variant); {@link #host()} is the one images are resolved to. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Platform(
        @JsonProperty("os") String os,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("variant") String variant,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures) {

    public Platform(String os, String architecture, String variant) {
        this(os, architecture, variant, null, null);
    }

    /** This machine: linux and the Go name of the JVM's architecture (amd64, arm64...). */
    public static Platform host() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case String other -> other;
        };
        return new Platform("linux", arch, arch.equals("arm64") ? "v8" : null);
    }

    /**
     * Parses {@code os/arch[/variant]} (e.g. {@code linux/arm64/v8}).
     */
    public static Platform parse(String s) {
        String[] p = s.split("/");
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty()) {
            throw new ImageException("invalid platform " + s + ": expected os/architecture[/variant]");
        }
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : null);
    }

    /**
     * Whether an image for {@code candidate} runs here: same os and architecture, and the same variant when
     * both name one (arm64's variant v8 is the default).
     */
    public boolean matches(Platform candidate) {
        if (candidate == null) return false;
        if (!os.equals(candidate.os) || !architecture.equals(candidate.architecture)) return false;
        String a = normVariant(architecture, variant), b = normVariant(architecture, candidate.variant);
        return a == null || b == null || a.equals(b);
    }

    private static String normVariant(String arch, String v) {
        if (v == null || v.isEmpty()) return arch.equals("arm64") ? "v8" : null;
        return v;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
