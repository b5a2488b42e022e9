package io.capsa.runtime;

import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * A shell wrapper that starts the runtime under test as a caller of runc would: it first opens host files at fds 3
 * and 4 ($TEST_FD3, $TEST_FD4), then runs the test's own shell lines, then execs the runtime (this JVM's classes
 * and JDK, as CapsaRun runs them; -Dcapsa.test.runtime names another runtime).
 */
final class RuntimeWrapper {
    private static final Map<String, Path> MADE = new HashMap<>();

    private RuntimeWrapper() {
    }

    /** The wrapper {@code name} (made once per JVM) running {@code setup}, shell lines, before the exec. */
    static synchronized Path get(String name, String setup) {
        Path made = MADE.get(name);
        if (made != null) return made;
        String prop = System.getProperty("capsa.test.runtime");
        Path runtime = prop != null && !prop.isBlank() ? Path.of(prop) : TestPaths.repo().resolve("bin/capsa-runtime");
        String script = """
                #!/bin/sh
                # the code under test (see CapsaRun): this JVM's classes and JDK
                export CAPSA_CLASSPATH='%s' CAPSA_JAVA='%s'
                if [ -n "$TEST_FD3" ]; then exec 3<"$TEST_FD3"; fi
                if [ -n "$TEST_FD4" ]; then exec 4<"$TEST_FD4"; fi
                %sexec '%s' "$@"
                """.formatted(System.getProperty("java.class.path"),
                Path.of(System.getProperty("java.home"), "bin", "java"), setup, runtime);
        try {
            Path p = TestPaths.newDir("wrapper-").resolve(name);
            Files.writeString(p, script);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            MADE.put(name, p);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
