package io.capsa.image.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.capsa.image.Digest;
import io.capsa.image.Image;
import io.capsa.image.ImageConfig;
import io.capsa.image.ImageException;
import io.capsa.image.Manifest;
import io.capsa.image.Reference;
import io.capsa.image.unpack.LayerUnpacker;
import io.capsa.spec.Json;
import io.capsa.spec.RecordJson;
import io.capsa.sys.FsCalls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * The local image store: one directory (default {@code /var/lib/capsa}) holding
 * <pre>
 *   blobs/sha256/HEX        content-addressed blobs (manifests, configs, layers as pulled), shared by images
 *   layers/sha256/HEX/      unpacked layers keyed by diff_id, shared by images, overlayfs form
 *   images.json             the index: manifest digest, config digest, names and repo digests of each image
 *   rootfs/ID/              containers' root filesystems (see io.capsa.image.rootfs.RootfsManager)
 *   tmp/                    downloads and unpacks in progress (renamed into place once verified)
 *   locks/                  lock files
 * </pre>
 * Nothing becomes visible before it is complete and verified: blobs and layer directories are written under
 * tmp/ and renamed; an image is added to the index only when all its blobs and layers are in place. Pulls hold
 * the store lock shared and a lock per blob and per layer, so concurrent pulls of one image download and unpack
 * each layer once; garbage collection holds the store lock exclusively.
 */
public final class ImageStore {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/capsa");

    private final Path root;

    /** An image in the index. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Entry(
            @JsonProperty("manifest") String manifest,
            @JsonProperty("config") String config,
            @JsonProperty("mediaType") String mediaType,
            @JsonProperty("names") List<String> names,
            @JsonProperty("repoDigests") List<String> repoDigests,
            @JsonProperty("added") String added) {
        public Digest manifestDigest() {
            return Digest.parse(manifest);
        }

        public Digest configDigest() {
            return Digest.parse(config);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record IndexFile(@JsonProperty("version") int version, @JsonProperty("images") List<Entry> images) {}

    private ImageStore(Path root) {
        this.root = root;
    }

    /** Opens (creating if needed) the store at root. */
    public static ImageStore open(Path root) {
        Path r = root.toAbsolutePath().normalize();
        try {
            for (String d : new String[] {"", "blobs/sha256", "layers/sha256", "rootfs", "tmp", "locks"}) {
                Path p = d.isEmpty() ? r : r.resolve(d);
                if (!Files.isDirectory(p)) {
                    Files.createDirectories(p);
                    // setuid binaries of layers must not be reachable by other users through the store
                    FsCalls.chmod(p, d.isEmpty() ? 0711 : 0700);
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot create the image store at " + r + ": " + e.getMessage(), e);
        }
        return new ImageStore(r);
    }

    public Path root() {
        return root;
    }

    public Path tmpDir() {
        return root.resolve("tmp");
    }

    Path lockFile(String name) {
        return root.resolve("locks").resolve(name + ".lock");
    }

    /**
     * The store lock, shared: held by pulls, loads and rootfs creation (anything that adds references), saves
     * and readers (they read blobs), and by anything that keeps a file in tmp/ (gc empties tmp/ under the
     * exclusive lock). Lock order: the store lock before the index lock.
     */
    public StoreLock sharedLock() {
        return StoreLock.shared(lockFile("store"), lockFile("gc"));
    }

    /**
     * The store lock, exclusive: held by garbage collection. While it waits for the shared holders to finish it
     * holds gc.lock, which new shared holders pass first: they wait behind it (else overlapping readers would
     * keep it waiting for ever).
     */
    public StoreLock exclusiveLock() {
        return StoreLock.exclusive(lockFile("store"), lockFile("gc"));
    }

    // ---- blobs ----

    public Path blobPath(Digest d) {
        return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    public boolean hasBlob(Digest d) {
        return Files.isRegularFile(blobPath(d));
    }

    public byte[] readBlob(Digest d) {
        try {
            return Files.readAllBytes(blobPath(d));
        } catch (NoSuchFileException e) {
            throw new ImageException("blob " + d + " is missing from the store " + root);
        } catch (IOException e) {
            throw new ImageException("cannot read blob " + d + ": " + e.getMessage(), e);
        }
    }

    /** Stores bytes as a blob, checking them against the expected digest (null: their own digest). */
    public Digest putBlob(byte[] data, Digest expected) {
        Digest d = expected == null ? Digest.sha256(data) : expected.withValue(expected.newDigest().digest(data));
        if (expected != null && !d.equals(expected)) {
            throw new ImageException("blob " + expected + ": digest mismatch: the content has digest " + d);
        }
        if (hasBlob(d)) return d;
        Path tmp = tmpDir().resolve("blob-" + UUID.randomUUID());
        try {
            Files.createDirectories(blobPath(d).getParent());
            try {
                Files.write(tmp, data);
                commit(tmp, blobPath(d));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw ImageException.writing("blob " + d, tmp, e);
        }
        return d;
    }

    /** Moves a verified file into the store as blob d (atomically; if another writer won, keeps theirs). */
    public void commitBlob(Path verified, Digest d) {
        try {
            Files.createDirectories(blobPath(d).getParent());
            commit(verified, blobPath(d));
        } catch (IOException e) {
            throw ImageException.writing("blob " + d, blobPath(d), e);
        }
    }

    /**
     * Makes a verified file that stays where it is (a file of an archive being loaded, in tmp/) blob d through a
     * hard link: no copy. False if it cannot be linked (the caller copies it).
     */
    public boolean linkBlob(Path verified, Digest d) {
        try {
            Files.createDirectories(blobPath(d).getParent());
            Files.createLink(blobPath(d), verified);
            return true;
        } catch (FileAlreadyExistsException e) {
            return true; // another writer stored it
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp);
        }
    }

    /** The lock serializing the download of one blob. */
    public StoreLock blobLock(Digest d) {
        return StoreLock.exclusive(lockFile("blob-" + d.hex()));
    }

    /** Where a blob download in progress is kept (resumed by the next attempt). */
    public Path partialBlob(Digest d) {
        return tmpDir().resolve("blob-" + d.hex() + ".partial");
    }

    // ---- layers ----

    /** The unpacked layer with this diff_id (overlayfs form). */
    public Path layerDir(Digest diffId) {
        return root.resolve("layers").resolve(diffId.algorithm()).resolve(diffId.hex());
    }

    public boolean hasLayer(Digest diffId) {
        return Files.isDirectory(layerDir(diffId), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Unpacks the layer blob (if its diff_id is not unpacked yet) into layers/, checking that its content has
     * the diff_id the image config says. Safe to call concurrently for the same layer.
     *
     * @param progress told how many bytes of the blob have been read, may be null
     */
    public void ensureLayer(Digest diffId, Digest blob, LongConsumer progress) {
        if (hasLayer(diffId)) return;
        try (StoreLock l = StoreLock.exclusive(lockFile("layer-" + diffId.hex()))) {
            if (hasLayer(diffId)) return;
            // what an unpack of this layer that was killed left (the lock says none is running)
            deleteTmp("layer-" + diffId.hex() + "-");
            Path tmp = tmpDir().resolve("layer-" + diffId.hex() + "-" + UUID.randomUUID());
            try {
                Files.createDirectory(tmp);
                FsCalls.chmod(tmp, 0755);
                LayerUnpacker.Result r;
                try (InputStream in = counting(Files.newInputStream(blobPath(blob)), progress)) {
                    r = LayerUnpacker.unpack(in, tmp, LayerUnpacker.Mode.OVERLAY, blob.toString());
                }
                if (!r.diffId().equals(diffId)) {
                    throw new ImageException("layer " + blob + ": diff_id mismatch: the image config says " + diffId
                            + " but the uncompressed content has digest " + r.diffId());
                }
                try {
                    Files.move(tmp, layerDir(diffId), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    if (!hasLayer(diffId)) throw e; // else another writer won the race: keep theirs
                }
            } catch (IOException e) {
                String full = ImageException.fullDisk(e);
                throw new ImageException("layer " + blob + ": " + (full != null ? full + " while unpacking it into " + tmp
                        : "cannot unpack: " + e.getMessage()), e);
            } finally {
                deleteTree(tmp);
            }
        }
    }

    /** Deletes the entries of tmp/ whose names start with prefix. */
    private void deleteTmp(String prefix) {
        try (Stream<Path> s = Files.list(tmpDir())) {
            for (Path p : s.toList()) if (p.getFileName().toString().startsWith(prefix)) deleteTree(p);
        } catch (IOException e) {
            throw new ImageException("cannot list " + tmpDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes what killed pulls and loads left in tmp/ (unpacks, archives being loaded), keeping partial
     * downloads for resuming, if no other process uses the store now (else it does nothing: it never waits).
     */
    public void cleanTmp() {
        try (StoreLock l = StoreLock.tryExclusive(lockFile("store"))) {
            if (l == null) return;
            try (Stream<Path> s = Files.list(tmpDir())) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    // index updates (tag, rmi) take the index lock only: theirs may be in flight
                    if (!n.endsWith(".partial") && !n.startsWith("images.json.")) deleteTree(p);
                }
            }
        } catch (IOException | ImageException e) {
            // only tidying: the next gc does it
        }
    }

    static InputStream counting(InputStream in, LongConsumer progress) {
        if (progress == null) return in;
        return new java.io.FilterInputStream(in) {
            long n;
            long last;

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c >= 0) tick(1);
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int r = super.read(b, off, len);
                if (r > 0) tick(r);
                return r;
            }

            private void tick(int k) {
                n += k;
                if (n - last >= (1 << 20)) {
                    last = n;
                    progress.accept(n);
                }
            }
        };
    }

    /** Deletes a file or a directory tree (not following symbolic links); quiet if absent. */
    public static void deleteTree(Path p) {
        try {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(p);
                return;
            }
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    // a directory without search permission (mode 0) must not stop the deletion
                    try {
                        FsCalls.chmod(d, 0700);
                    } catch (RuntimeException ignored) {
                        // best effort
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new ImageException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    // ---- index ----

    private Path indexFile() {
        return root.resolve("images.json");
    }

    /** The images in the index. */
    public List<Entry> entries() {
        Path f = indexFile();
        if (!Files.exists(f)) return List.of();
        try {
            IndexFile idx = RecordJson.read(Files.readAllBytes(f), IndexFile.class);
            return idx == null || idx.images() == null ? List.of() : idx.images();
        } catch (IOException | RecordJson.JsonBindException e) {
            throw new ImageException("cannot read the image index " + f + ": " + e.getMessage(), e);
        }
    }

    private void writeEntries(List<Entry> entries) {
        Path f = indexFile();
        Path tmp = tmpDir().resolve("images.json." + UUID.randomUUID());
        try {
            Files.writeString(tmp, Json.toIndentedJson(new IndexFile(1, entries), "  "));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw ImageException.writing("the image index", f, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    /** Changes the index under its lock (read, change, atomic replace). */
    private <T> T updateIndex(java.util.function.Function<List<Entry>, T> change) {
        try (StoreLock l = StoreLock.exclusive(lockFile("index"))) {
            List<Entry> entries = new ArrayList<>(entries());
            T result = change.apply(entries);
            writeEntries(entries);
            return result;
        }
    }

    /**
     * Adds an image (all its blobs and layers must be in the store) under these names: each name moves from
     * the image it pointed to before (which keeps its other names, or stays as an untagged image).
     */
    public void addImage(Digest manifest, Digest config, String mediaType, List<String> names, List<String> repoDigests) {
        addNames(manifest, config, mediaType, names, repoDigests, false);
    }

    private void addNames(Digest manifest, Digest config, String mediaType, List<String> names, List<String> repoDigests,
                          boolean mustExist) {
        updateIndex(entries -> {
            // a tag adds no blobs: it may only name an image still in the index (one removed meanwhile may have
            // lost its blobs to gc already, and must not come back without them)
            if (mustExist && entries.stream().noneMatch(e -> e.manifest().equals(manifest.toString()))) {
                throw new ImageException("No such image: " + config.shortHex() + " (removed meanwhile)");
            }
            Set<String> ns = new LinkedHashSet<>(names);
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.manifest().equals(manifest.toString())) continue;
                List<String> keep = e.names().stream().filter(n -> !ns.contains(n)).toList();
                if (keep.size() != e.names().size()) {
                    entries.set(i, new Entry(e.manifest(), e.config(), e.mediaType(), keep, e.repoDigests(), e.added()));
                }
            }
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (e.manifest().equals(manifest.toString())) {
                    Set<String> n2 = new LinkedHashSet<>(e.names());
                    n2.addAll(ns);
                    Set<String> r2 = new LinkedHashSet<>(e.repoDigests());
                    r2.addAll(repoDigests);
                    entries.set(i, new Entry(e.manifest(), e.config(), e.mediaType(), List.copyOf(n2), List.copyOf(r2), e.added()));
                    return null;
                }
            }
            entries.add(new Entry(manifest.toString(), config.toString(), mediaType, List.copyOf(ns),
                    List.copyOf(new LinkedHashSet<>(repoDigests)), Instant.now().toString()));
            return null;
        });
    }

    /** Adds a name to an image already in the store ({@code capsa tag}). */
    public void tag(Image image, Reference name) {
        addNames(image.manifestDigest(), image.id(), image.manifest().mediaType(), List.of(name.toString()), List.of(), true);
    }

    /** The image an index entry describes, read from its blobs. */
    public Image image(Entry e) {
        Digest md = e.manifestDigest();
        Manifest m = Manifest.parse(readBlob(md), "manifest " + md);
        Digest cd = e.configDigest();
        ImageConfig c = ImageConfig.parse(readBlob(cd), "config " + cd);
        long size = m.layers().stream().mapToLong(io.capsa.image.Descriptor::size).sum();
        Instant added;
        try {
            added = Instant.parse(e.added());
        } catch (RuntimeException x) {
            added = Instant.EPOCH;
        }
        return new Image(cd, e.names(), md, e.repoDigests(), m, c, size, added);
    }

    /**
     * Every image in the store. Read under the store lock (shared): a gc after a concurrent rmi cannot delete the
     * blobs of an entry between reading the index and reading them.
     */
    public List<Image> images() {
        try (StoreLock l = sharedLock()) {
            return entries().stream().map(this::image).toList();
        }
    }

    /** The image a name ({@code alpine}, {@code host:5000/x:y}, {@code x@sha256:...}) or id (prefix) names. */
    public Optional<Image> find(String nameOrId) {
        try (StoreLock l = sharedLock()) {
            Entry e = findEntry(entries(), nameOrId);
            return e == null ? Optional.empty() : Optional.of(image(e));
        }
    }

    /** Like {@link #find}, or {@link ImageException} "No such image". */
    public Image resolve(String nameOrId) {
        return find(nameOrId).orElseThrow(() -> new ImageException("No such image: " + nameOrId));
    }

    static Entry findEntry(List<Entry> entries, String nameOrId) {
        String s = nameOrId.trim();
        if (Reference.isValid(s)) {
            Reference r = Reference.parse(s);
            for (Entry e : entries) {
                if (r.digest() != null) {
                    String rd = r.name() + "@" + r.digest();
                    boolean sameRepo = e.names().stream().anyMatch(n -> Reference.parse(n).name().equals(r.name()))
                            || e.repoDigests().stream().anyMatch(n -> Reference.parse(n).name().equals(r.name()));
                    if (e.repoDigests().contains(rd) || (sameRepo && e.manifest().equals(r.digest().toString()))) {
                        return e;
                    }
                } else if (e.names().contains(r.toString())) {
                    return e;
                }
            }
        }
        String hex = s.startsWith("sha256:") ? s.substring(7) : s;
        if (hex.matches("[0-9a-f]{1,64}")) {
            Entry found = null;
            for (Entry e : entries) {
                if (e.configDigest().hex().startsWith(hex) || (s.startsWith("sha256:") && e.manifestDigest().hex().equals(hex))) {
                    if (found != null && !found.config().equals(e.config())) {
                        throw new ImageException("ambiguous image id " + s + ": matches " + found.configDigest().shortHex()
                                + " and " + e.configDigest().shortHex());
                    }
                    if (found == null) found = e;
                }
            }
            return found;
        }
        return null;
    }

    /** What {@link #remove} did, in Docker's words ("Untagged: ...", "Deleted: ..."). */
    public record Removal(List<String> untagged, List<Digest> deleted) {}

    /**
     * Removes a name, or (by id, or when it was the last name) the image; then collects what no image uses.
     * An image used by a container root filesystem is kept unless forced.
     */
    public Removal remove(String nameOrId, boolean force) {
        Removal rm = updateIndex(entries -> {
            Entry e = findEntry(entries, nameOrId);
            if (e == null) throw new ImageException("No such image: " + nameOrId);
            List<String> untagged = new ArrayList<>();
            List<Digest> deleted = new ArrayList<>();
            String s = nameOrId.trim();
            boolean byName = false;
            if (Reference.isValid(s)) {
                Reference r = Reference.parse(s);
                byName = r.digest() == null && e.names().contains(r.toString());
                if (byName && e.names().size() > 1) {
                    List<String> keep = e.names().stream().filter(n -> !n.equals(r.toString())).toList();
                    entries.set(entries.indexOf(e), new Entry(e.manifest(), e.config(), e.mediaType(), keep,
                            e.repoDigests(), e.added()));
                    untagged.add(r.familiar());
                    return new Removal(untagged, deleted);
                }
            }
            if (!byName && e.names().size() > 1 && !force) {
                throw new ImageException("conflict: unable to delete " + e.configDigest().shortHex()
                        + " (must be forced) - image is referenced in multiple repositories");
            }
            // the same image (config) under another entry (e.g. pulled and loaded: two manifests) keeps it for its users
            boolean sameImageStays = entries.stream().anyMatch(x -> x != e && x.config().equals(e.config()));
            List<String> users = sameImageStays ? List.of() : rootfsUsers(e.configDigest());
            if (!users.isEmpty() && !force) {
                throw new ImageException("conflict: unable to remove image " + nameOrId
                        + ": image is being used by container " + String.join(", ", users));
            }
            for (String n : e.names()) untagged.add(Reference.parse(n).familiar());
            for (String n : e.repoDigests()) untagged.add(Reference.parse(n).familiar());
            entries.remove(e);
            if (entries.stream().noneMatch(x -> x.config().equals(e.config()))) deleted.add(e.configDigest());
            return new Removal(untagged, deleted);
        });
        if (!rm.deleted().isEmpty()) gc();
        return rm;
    }

    // ---- container root filesystems (records kept for garbage collection) ----

    /** The directory of container id's root filesystem. */
    public Path rootfsDir(String id) {
        return root.resolve("rootfs").resolve(id);
    }

    /** A container root filesystem's record: the image it was made from and the layers it uses. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RootfsRecord(@JsonProperty("image") String image, @JsonProperty("layers") List<String> layers,
                               @JsonProperty("kind") String kind) {}

    public void writeRootfsRecord(String id, RootfsRecord r) {
        Path f = rootfsDir(id).resolve("rootfs.json");
        try {
            Path tmp = f.resolveSibling("rootfs.json.tmp");
            Files.write(tmp, Json.toBytes(r));
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw ImageException.writing("the root filesystem record of container " + id, f, e);
        }
    }

    public Optional<RootfsRecord> rootfsRecord(String id) {
        Path f = rootfsDir(id).resolve("rootfs.json");
        try {
            return Optional.ofNullable(RecordJson.read(Files.readAllBytes(f), RootfsRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RecordJson.JsonBindException e) {
            throw new ImageException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /** The ids of the container root filesystems in the store. */
    public List<String> rootfsIds() {
        try (Stream<Path> s = Files.list(root.resolve("rootfs"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ImageException("cannot list " + root.resolve("rootfs") + ": " + e.getMessage(), e);
        }
    }

    private List<String> rootfsUsers(Digest imageId) {
        List<String> users = new ArrayList<>();
        for (String id : rootfsIds()) {
            rootfsRecord(id).ifPresent(r -> {
                if (imageId.toString().equals(r.image())) users.add(id);
            });
        }
        return users;
    }

    // ---- garbage collection ----

    /** What {@link #gc} removed. */
    public record GcResult(int blobs, int layers, long bytes) {}

    /**
     * Deletes blobs and unpacked layers that no image in the index and no container root filesystem uses,
     * and everything in tmp/ (leftovers of interrupted pulls and loads, partial downloads included).
     *
     * <p>Safe against every other store operation, in this process or another: it holds the store lock
     * exclusively (pulls, loads, saves, readers of images and root filesystem creation hold it shared while
     * their files in tmp/ exist and while they read blobs), then the index lock (tag and rmi change the index
     * under it only, writing their new images.json in tmp/ first), so no file of a running operation is in tmp/
     * and the index cannot change while it decides what is used.
     */
    public GcResult gc() {
        try (StoreLock l = exclusiveLock(); StoreLock il = StoreLock.exclusive(lockFile("index"))) {
            Set<String> blobs = new HashSet<>();
            Set<String> layers = new HashSet<>();
            for (Entry e : entries()) {
                blobs.add(e.manifest());
                blobs.add(e.config());
                try {
                    Manifest m = Manifest.parse(readBlob(e.manifestDigest()), "manifest " + e.manifest());
                    for (var d : m.layers()) blobs.add(d.digest());
                    ImageConfig c = ImageConfig.parse(readBlob(e.configDigest()), "config " + e.config());
                    for (Digest d : c.diffIds()) layers.add(d.toString());
                } catch (ImageException x) {
                    // a damaged image keeps what it can; never delete on a guess
                }
            }
            for (String id : rootfsIds()) {
                rootfsRecord(id).ifPresent(r -> {
                    if (r.layers() != null) layers.addAll(r.layers());
                });
            }
            long[] bytes = {0};
            int nb = sweep(root.resolve("blobs"), blobs, bytes, false);
            int nl = sweep(root.resolve("layers"), layers, bytes, true);
            try (Stream<Path> s = Files.list(tmpDir())) {
                for (Path p : s.toList()) deleteTree(p);
            }
            return new GcResult(nb, nl, bytes[0]);
        } catch (IOException e) {
            throw new ImageException("garbage collection failed: " + e.getMessage(), e);
        }
    }

    private static int sweep(Path base, Set<String> keep, long[] bytes, boolean dirs) throws IOException {
        int n = 0;
        try (Stream<Path> algs = Files.list(base)) {
            for (Path alg : algs.toList()) {
                try (Stream<Path> s = Files.list(alg)) {
                    for (Path p : s.toList()) {
                        String d = alg.getFileName() + ":" + p.getFileName();
                        if (keep.contains(d)) continue;
                        if (!dirs) bytes[0] += Files.size(p);
                        deleteTree(p);
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
