package io.capsa.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attacker of the escape tests: {@code src/test/c/attack.c}, compiled once per test JVM (static, so it runs in
 * the busybox rootfs as well as on the host) into {@link TestPaths#runDir()}. It reports each attempt as a line
 * {@code name=ok} or {@code name=ERRNONAME} ({@code EACCES}, ...); see the C file for its commands.
 */
public final class Attack {
    private static Path binary;

    private Attack() {
    }

    /** The compiled attacker (built on first use). */
    public static synchronized Path binary() {
        if (binary != null) return binary;
        Path src = TestPaths.repo().resolve("src/test/c/attack.c");
        Path out = TestPaths.runDir().resolve("attack");
        TestRootfs.mustRun("gcc", "-static", "-O1", "-Wall", "-o", out.toString(), src.toString());
        return binary = out;
    }

    /** Copies the attacker into {@code rootfs} as {@code /attack} (mode 0755, root-owned). */
    public static void installIn(Path rootfs) {
        try {
            Files.copy(binary(), rootfs.resolve("attack"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code name=value} lines of an attacker's output (later lines win). */
    public static Map<String, String> results(String output) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : output.split("\n")) {
            int eq = l.indexOf('=');
            if (eq > 0) m.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return m;
    }
}
