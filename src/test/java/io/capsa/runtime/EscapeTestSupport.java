package io.capsa.runtime;

import io.capsa.stage.StageProcess;
import io.capsa.testing.Attack;
import io.capsa.testing.CapsaRun;
import io.capsa.testing.TestBundle;
import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * What the escape tests (one class per known runtime-escape class) share. The runtime is started through a shell
 * wrapper, as a caller of runc would start it, that can first open host files at fds 3 and 4 ($TEST_FD3,
 * $TEST_FD4), make one host file all of stdin, stdout and stderr ($TEST_STDIO, e.g. /dev/null), and make stdout a
 * pipe that is already full ($TEST_FULL_STDOUT, a fifo), so that a stage process that writes to it blocks there.
 */
abstract class EscapeTestSupport extends ContainerTestSupport {
    @Override
    protected CapsaRun newRuntime() {
        return new CapsaRun(RuntimeWrapper.get("runtime-escape", """
                if [ -n "$TEST_STDIO" ]; then exec <"$TEST_STDIO" >>"$TEST_STDIO" 2>>"$TEST_STDIO"; fi
                if [ -n "$TEST_FULL_STDOUT" ]; then
                    exec 1<>"$TEST_FULL_STDOUT"
                    dd if=/dev/zero of=/dev/stdout bs=4096 count=64 oflag=nonblock 2>/dev/null
                fi
                """));
    }

    /** A busybox bundle with the attacker installed as /attack. */
    protected TestBundle attackBundle() {
        TestBundle b = bundle();
        Attack.installIn(b.rootfs());
        return b;
    }

    /** Copies the shared libraries {@code binary} needs (as ldd lists them) into {@code rootfs}, at the same paths. */
    protected static void installLibrariesOf(Path binary, Path rootfs) {
        for (String line : host("ldd", binary.toString()).split("\n")) {
            String[] f = line.strip().split("\\s+");
            String lib = f.length >= 3 && f[1].equals("=>") ? f[2] : f.length >= 1 && f[0].startsWith("/") ? f[0] : null;
            if (lib == null || !lib.startsWith("/")) continue;
            try {
                Path to = rootfs.resolve(lib.substring(1));
                Files.createDirectories(to.getParent());
                Files.copy(Path.of(lib), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Waits until the file holds {@code text}; returns its content (fails after the timeout). */
    protected static String awaitFile(Path file, String text, Duration timeout) {
        boolean ok = await(() -> Files.exists(file) && read(file).contains(text), timeout);
        String got = Files.exists(file) ? read(file) : "(no file)";
        if (!ok) throw new AssertionError("no '" + text + "' in " + file + " after " + timeout.toSeconds() + " s: " + got);
        return got;
    }

    protected static Map<String, String> results(String output) {
        return Attack.results(output);
    }

    /** What must not change when an attack fails: the content of a file and its mode, owner and times. */
    protected record FileFacts(String sha256, String mode, Object owner, Object group, Object mtime, Object ctime) {
        static FileFacts of(Path p) {
            try {
                var a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
                String sha = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "";
                return new FileFacts(sha, Integer.toOctalString((Integer) a.get("mode")), a.get("uid"), a.get("gid"),
                        a.get("lastModifiedTime"), a.get("ctime"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The stage binary the runtime under test runs (what CVE-2019-5736 would overwrite). */
    protected static Path stageBinary() {
        return StageProcess.binary();
    }

    /** Mount points at or below {@code dir} in the host's (our) mount namespace. */
    protected static java.util.List<Path> hostMountsUnder(Path dir) {
        return TestPaths.mountsUnder(dir);
    }
}
