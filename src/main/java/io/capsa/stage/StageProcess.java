package io.capsa.stage;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The native stage as seen from Java: started with the JDK's ProcessBuilder (no FFM on the hot path), fed the
 * plan, then talked to over its stdin/stdout pipes in length-prefixed frames (docs/stage-protocol.md).
 */
public final class StageProcess implements AutoCloseable {
    /** A message from the stage. */
    public sealed interface Message {
        record Pid(long pid) implements Message {}
        record Sync(String name) implements Message {}
        record Notify(String name) implements Message {}
    }

    private final Process process;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<String> labels;

    private StageProcess(Process process, List<String> labels) {
        this.process = process;
        this.in = new DataInputStream(process.getInputStream());
        this.out = process.getOutputStream();
        this.labels = labels;
    }

    /**
     * Starts the stage and sends it the plan.
     * @param parentFds this process's fds that the stage installs at 0..n-1 (stdio, then preserved fds)
     */
    public static StageProcess start(PlanWriter plan, int[] parentFds) {
        StringJoiner fds = new StringJoiner(",");
        for (int fd : parentFds) fds.add(Integer.toString(fd));
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), fds.toString())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().clear();
        try {
            StageProcess s = new StageProcess(pb.start(), plan.labels());
            s.send(plan.toBytes());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("starting the native stage " + binary() + ": " + e.getMessage(), e);
        }
    }

    /** The stage's pid (the first stage process, not the container). */
    public long pid() { return process.pid(); }

    /**
     * The next message; {@code null} at end of stream (every stage process has exited or exec'd).
     * @throws StageException when the stage reports a failed step
     */
    public Message next() {
        byte[] frame;
        try {
            int len = Integer.reverseBytes(in.readInt());
            if (len < 0 || len > (1 << 20)) throw new IOException("bad frame length " + len);
            frame = in.readNBytes(len);
            if (frame.length != len) throw new EOFException();
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading from the native stage: " + e.getMessage(), e);
        }
        String m = new String(frame, StandardCharsets.UTF_8);
        int sp = m.indexOf(' ');
        String kind = sp < 0 ? m : m.substring(0, sp);
        String rest = sp < 0 ? "" : m.substring(sp + 1);
        return switch (kind) {
            case "PID" -> new Message.Pid(Long.parseLong(rest.trim()));
            case "SYNC" -> new Message.Sync(rest);
            case "NOTIFY" -> new Message.Notify(rest);
            case "ERR" -> throw error(rest);
            default -> throw new IllegalStateException("native stage sent an unknown message: " + m);
        };
    }

    private static StageException error(String rest) {
        // "<errno> <label>\t<step>\t<detail>"
        int sp = rest.indexOf(' ');
        int errno = Integer.parseInt(rest.substring(0, sp));
        String[] parts = rest.substring(sp + 1).split("\t", 3);
        return new StageException(parts[0], parts.length > 1 ? parts[1] : "", errno, parts.length > 2 ? parts[2] : "");
    }

    /** Lets a waiting stage go on; the payload (may be null) is the state text hooks get on stdin. */
    public void ok(String payload) {
        send(("OK" + (payload == null ? "" : "\n" + payload)).getBytes(StandardCharsets.UTF_8));
    }

    /** Tells a waiting stage to give up. */
    public void abort() {
        try {
            send("ABORT".getBytes(StandardCharsets.US_ASCII));
        } catch (UncheckedIOException ignored) {
            // already gone
        }
    }

    private void send(byte[] b) {
        try {
            byte[] frame = new byte[4 + b.length];
            frame[0] = (byte) b.length;
            frame[1] = (byte) (b.length >>> 8);
            frame[2] = (byte) (b.length >>> 16);
            frame[3] = (byte) (b.length >>> 24);
            System.arraycopy(b, 0, frame, 4, b.length);
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to the native stage: " + e.getMessage(), e);
        }
    }

    /** Waits for the first stage process to exit and returns its status (the container's, in wait mode). */
    public int waitFor() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the container");
        }
    }

    /** Sends the given signal (TERM or KILL) to the first stage process. */
    public void destroy(boolean forcibly) {
        if (forcibly) process.destroyForcibly(); else process.destroy();
    }

    public List<String> labels() { return labels; }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // the stage is gone
        }
        try {
            in.close();
        } catch (IOException ignored) {
            // the stage is gone
        }
    }

    private static volatile Path binary;

    /**
     * The stage binary: {@code -Dcapsa.stage=PATH} (set by bin/capsa-runtime), else the build's copy next to the
     * classes, else the copy inside the jar extracted once into a private cache directory.
     */
    public static Path binary() {
        Path b = binary;
        if (b != null) return b;
        String prop = System.getProperty("capsa.stage");
        if (prop != null) return binary = Path.of(prop);
        var url = StageProcess.class.getResource("capsa-stage");
        if (url == null) throw new IllegalStateException("the native stage (io/capsa/stage/capsa-stage) is missing from the class path");
        try {
            if (url.getProtocol().equals("file")) return binary = Path.of(url.toURI());
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "capsa-stage-" + ProcessHandle.current().info().user().orElse("u"));
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            byte[] bytes;
            try (InputStream is = url.openStream()) {
                bytes = is.readAllBytes();
            }
            Path target = dir.resolve("capsa-stage-" + Integer.toHexString(java.util.Arrays.hashCode(bytes)));
            if (!Files.exists(target)) {
                Path tmp = Files.createTempFile(dir, "stage", ".tmp");
                Files.write(tmp, bytes);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return binary = target;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("extracting the native stage: " + e.getMessage(), e);
        }
    }

}
