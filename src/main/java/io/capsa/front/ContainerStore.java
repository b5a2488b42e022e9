package io.capsa.front;

import io.capsa.spec.Json;
import io.capsa.spec.RecordJson;
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
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The front end's containers under the store root: {@code containers/ID/} holds {@code container.json} (the
 * {@link ContainerRecord}), {@code bundle/config.json}, {@code container.log}, {@code exitcode} (written by the
 * exit monitor), and {@code hostname}, {@code hosts}, {@code resolv.conf} (bind-mounted into the container).
 * {@code containers/.lock} (an fcntl lock) serialises the changes that must see every container at once
 * (a new name, a removal).
 */
public final class ContainerStore {
    public static final String RECORD = "container.json";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    /** Docker's rule for container names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    public ContainerStore(Path storeRoot) {
        this.root = storeRoot.resolve("containers");
    }

    public Path root() { return root; }

    public Path dir(String id) {
        if (!ID.matcher(id).matches()) throw new IllegalArgumentException("invalid container id " + id);
        return root.resolve(id);
    }

    public Path bundle(String id) { return dir(id).resolve("bundle"); }

    public Path logFile(String id) { return dir(id).resolve("container.log"); }

    public Path exitFile(String id) { return dir(id).resolve("exitcode"); }

    /** A new random container id (64 hex digits, as Docker's). */
    public static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        // Docker avoids ids whose short form is all digits (it could be taken for a number): so do we
        return id.substring(0, 12).chars().allMatch(Character::isDigit) ? newId() : id;
    }

    public static void checkName(String name) {
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (!NAME.matcher(n).matches())
            throw new FrontException("Invalid container name (" + name + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }

    /** An exclusive lock over the whole container store (held briefly: names, creation, removal). */
    public Lock lock() {
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            FileChannel ch = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new Lock(ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("locking " + root + ": " + e.getMessage(), e);
        }
    }

    public static final class Lock implements AutoCloseable {
        private final FileChannel ch;
        private final FileLock lock;

        Lock(FileChannel ch, FileLock lock) {
            this.ch = ch;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                ch.close();
            } catch (IOException ignored) {
                // closing releases it
            }
        }
    }

    /**
     * Registers a new container: its directory and record. The name must be free (Docker's message otherwise).
     * Call with {@link #lock()} held when the name was generated or checked before.
     */
    public void create(ContainerRecord r) {
        checkName(r.name);
        for (ContainerRecord o : list()) {
            if (o.name.equals(r.name))
                throw new FrontException("Conflict. The container name \"/" + r.name + "\" is already in use by container \""
                        + o.id + "\". You have to remove (or rename) that container to be able to reuse that name.");
        }
        Path d = dir(r.id);
        try {
            Files.createDirectories(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x---")));
        } catch (FileAlreadyExistsException e) {
            throw new FrontException("container " + r.id + " exists already");
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + d + ": " + e.getMessage(), e);
        }
        try {
            save(r);
        } catch (RuntimeException e) {
            // e.g. a full disk: no directory without its record is left behind
            try {
                io.capsa.image.store.ImageStore.deleteTree(d);
            } catch (RuntimeException e2) {
                e.addSuppressed(e2);
            }
            throw e;
        }
    }

    /** Writes the record atomically (temporary file + rename). */
    public void save(ContainerRecord r) {
        Path d = dir(r.id);
        Path tmp = d.resolve(RECORD + ".tmp");
        try {
            Files.write(tmp, Json.toBytes(r));
            Files.move(tmp, d.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            throw new FrontException("No such container: " + r.id);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // a full disk leaves it cut short
            } catch (IOException e2) {
                e.addSuppressed(e2);
            }
            throw new UncheckedIOException("writing " + d.resolve(RECORD) + ": " + e.getMessage(), e);
        }
    }

    /** The record of container id, or null if there is none (removed meanwhile). */
    public ContainerRecord load(String id) {
        Path f = dir(id).resolve(RECORD);
        try {
            return RecordJson.read(Files.readAllBytes(f), ContainerRecord.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RecordJson.JsonBindException e) {
            throw new FrontException("container " + id + ": cannot read " + f + ": " + e.getMessage());
        }
    }

    /** Every container, oldest first. */
    public List<ContainerRecord> list() {
        List<ContainerRecord> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String id = p.getFileName().toString();
                if (!ID.matcher(id).matches()) continue;
                ContainerRecord r = load(id);
                if (r != null) out.add(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + root + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing((ContainerRecord r) -> r.created == null ? "" : r.created).thenComparing(r -> r.id));
        return out;
    }

    /**
     * Docker's lookup: a full id, else an exact name (with or without the leading "/"), else a unique id prefix.
     * "No such container: REF" when none matches; an error naming the prefix when several do.
     */
    public ContainerRecord resolve(String ref) {
        if (ref == null || ref.isEmpty()) throw new FrontException("No such container: " + ref);
        List<ContainerRecord> all = list();
        for (ContainerRecord r : all) if (r.id.equals(ref)) return r;
        String name = ref.startsWith("/") ? ref.substring(1) : ref;
        for (ContainerRecord r : all) if (r.name.equals(name)) return r;
        List<ContainerRecord> byPrefix = new ArrayList<>();
        if (ref.matches("[0-9a-f]+")) for (ContainerRecord r : all) if (r.id.startsWith(ref)) byPrefix.add(r);
        if (byPrefix.size() == 1) return byPrefix.getFirst();
        if (byPrefix.size() > 1) throw new FrontException("Multiple IDs found with provided prefix: " + ref);
        throw new FrontException("No such container: " + ref);
    }

    /** Deletes the container's directory (its record first, so a half-deleted one is never listed). */
    public void delete(String id) {
        Path d = dir(id);
        try {
            Files.deleteIfExists(d.resolve(RECORD));
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + d.resolve(RECORD) + ": " + e.getMessage(), e);
        }
        io.capsa.image.store.ImageStore.deleteTree(d);
    }
}
