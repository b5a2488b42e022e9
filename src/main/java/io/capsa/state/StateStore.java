package io.capsa.state;

import io.capsa.spec.Json;
import io.capsa.spec.SpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One directory per container under the runtime root (default /run/capsa): {@code state.json} written
 * atomically (temp file + rename), {@code exec.fifo} while the container waits for start, and a {@code lock}
 * file whose fcntl lock serialises the commands that act on one container.
 */
public final class StateStore {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_+\\-.]+");
    private final Path root;

    public StateStore(Path root) { this.root = root; }

    public Path root() { return root; }

    public static void checkId(String id) {
        if (id == null || id.isEmpty()) throw new StateException("container id cannot be empty");
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..") || id.length() > 1024)
            throw new StateException("invalid container id format: " + id);
    }

    public Path dir(String id) {
        checkId(id);
        return root.resolve(id);
    }

    public Path fifo(String id) { return dir(id).resolve("exec.fifo"); }

    /** Creates the container's directory; fails if the id is taken. Returns the held lock. */
    public Lock createDir(String id) {
        Path d = dir(id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        } catch (FileAlreadyExistsException e) {
            throw new StateException("container with id exists: " + id);
        } catch (IOException e) {
            throw new StateException("creating state directory " + d + ": " + e.getMessage());
        }
        return lock(id);
    }

    /** Takes the container's lock (blocking), or fails if the container does not exist. */
    public Lock lock(String id) {
        Path d = dir(id);
        if (!Files.isDirectory(d)) throw new StateException("container does not exist: " + id);
        try {
            FileChannel ch = FileChannel.open(d.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new Lock(ch, ch.lock());
        } catch (NoSuchFileException e) {
            throw new StateException("container does not exist: " + id);
        } catch (IOException e) {
            throw new StateException("locking container " + id + ": " + e.getMessage());
        }
    }

    public void save(ContainerState s) {
        Path d = dir(s.id());
        try {
            Path tmp = Files.createTempFile(d, "state", ".tmp");
            Files.write(tmp, Json.toBytes(s));
            Files.move(tmp, d.resolve("state.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StateException("writing state of " + s.id() + ": " + e.getMessage());
        }
    }

    /** The saved state, or null when the directory exists without one (a create that died early). */
    public ContainerState load(String id) {
        Path f = dir(id).resolve("state.json");
        byte[] data;
        try {
            data = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            if (!Files.isDirectory(dir(id))) throw new StateException("container does not exist: " + id);
            return null;
        } catch (IOException e) {
            throw new StateException("reading " + f + ": " + e.getMessage());
        }
        try {
            ContainerState s = Json.read(data, ContainerState.class, f.toString());
            if (s == null) throw new StateException("reading " + f + ": expected an object, got null");
            return s;
        } catch (SpecException e) {
            throw new StateException("reading " + e.getMessage());
        }
    }

    public boolean exists(String id) { return Files.isDirectory(dir(id)); }

    /** Removes the container's directory and everything in it. */
    public void remove(String id) {
        Path d = dir(id);
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new StateException("removing " + d + ": " + e.getMessage());
        }
    }

    /** The ids of every container, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && ID.matcher(n).matches()) ids.add(n);
            }
        } catch (IOException e) {
            throw new StateException("listing " + root + ": " + e.getMessage());
        }
        ids.sort(null);
        return ids;
    }

    /** A held container lock. */
    public record Lock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing else to do
            }
        }
    }
}
