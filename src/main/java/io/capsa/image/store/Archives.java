package io.capsa.image.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.capsa.image.Descriptor;
import io.capsa.image.Digest;
import io.capsa.image.Image;
import io.capsa.image.ImageConfig;
import io.capsa.image.ImageException;
import io.capsa.image.ImageIndex;
import io.capsa.image.Manifest;
import io.capsa.image.MediaTypes;
import io.capsa.image.Platform;
import io.capsa.image.PullProgress;
import io.capsa.image.Reference;
import io.capsa.image.unpack.Compression;
import io.capsa.spec.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Import and export of images: OCI image layouts (a directory or a tar of one) and docker-archive tarballs
 * ({@code docker save}/{@code docker load}). Every blob is verified against its digest on the way in.
 */
public final class Archives {
    private final ImageStore store;

    public Archives(ImageStore store) {
        this.store = store;
    }

    static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final String CONTAINERD_NAME = "io.containerd.image.name";

    /**
     * Loads the images of an OCI layout directory, or of a tar (plain or gzip) holding an OCI layout or a
     * docker-archive. {@code name} names images the archive leaves unnamed (or names by tag only), may be null.
     */
    public List<Image> load(Path source, String name, Platform platform, PullProgress progress) {
        store.cleanTmp();
        try (StoreLock l = store.sharedLock()) {
            if (Files.isDirectory(source)) {
                try {
                    return loadDir(new Src(source, source.toString(), false), name, platform, progress);
                } catch (IOException e) {
                    throw new ImageException("cannot load " + source + ": " + e.getMessage(), e);
                }
            }
            Path tmp = store.tmpDir().resolve("load-" + UUID.randomUUID());
            try {
                Files.createDirectory(tmp);
                try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(source), 1 << 16))) {
                    extractPlain(in, tmp, source.toString());
                } catch (IOException e) {
                    String full = ImageException.fullDisk(e);
                    if (full == null) throw e;
                    throw new ImageException("cannot load " + source + ": " + full + " while extracting it into " + tmp, e);
                }
                return loadDir(new Src(tmp, source.toString(), true), name, platform, progress);
            } catch (IOException e) {
                throw new ImageException("cannot load " + source + ": " + e.getMessage(), e);
            } finally {
                ImageStore.deleteTree(tmp);
            }
        } finally {
            progress.done();
        }
    }

    /**
     * What is loaded: a directory, the name errors give it (the archive's, not our temporary directory's), and
     * whether the directory is our own extraction in the store's tmp/ (its files can become blobs as they are).
     */
    private record Src(Path dir, String label, boolean own) {}

    /** Extracts an archive holding only directories and regular files with plain relative names. */
    static void extractPlain(InputStream in, Path dest, String what) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String n = e.getName();
            while (n.startsWith("./")) n = n.substring(2);
            if (n.isEmpty() || n.equals(".")) continue;
            for (String c : n.split("/")) {
                if (c.equals("..")) throw new ImageException(what + ": archive entry \"" + e.getName() + "\" leaves the archive");
            }
            if (n.startsWith("/")) throw new ImageException(what + ": archive entry \"" + e.getName() + "\" is absolute");
            Path p = dest.resolve(n).normalize();
            if (!p.startsWith(dest)) throw new ImageException(what + ": archive entry \"" + e.getName() + "\" leaves the archive");
            if (e.isDirectory()) {
                Files.createDirectories(p);
            } else if (e.isFile()) {
                Path parent = p.getParent();
                for (Path q = parent; q != null && q.startsWith(dest) && !q.equals(dest); q = q.getParent()) {
                    if (Files.isSymbolicLink(q)) throw new ImageException(what + ": archive entry \"" + e.getName() + "\" is under a link");
                }
                Files.createDirectories(parent);
                Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
            } else if (e.isSymbolicLink() || e.isLink()) {
                // docker save (old format) links identical layers: copy the target instead
                String t = e.getLinkName();
                Path target = (e.isLink() ? dest.resolve(t) : p.getParent().resolve(t)).normalize();
                if (!target.startsWith(dest) || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ImageException(what + ": archive entry \"" + e.getName() + "\" links outside the archive");
                }
                Files.createDirectories(p.getParent());
                Files.copy(target, p, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private List<Image> loadDir(Src src, String name, Platform platform, PullProgress progress) throws IOException {
        Path dir = src.dir();
        if (Files.isRegularFile(dir.resolve("index.json")) && Files.isRegularFile(dir.resolve("oci-layout"))) {
            return loadOci(src, name, platform, progress);
        }
        if (Files.isRegularFile(dir.resolve("manifest.json"))) return loadDockerArchive(src, name, progress);
        throw new ImageException(src.label() + ": neither an OCI image layout (index.json, oci-layout) nor a docker-archive (manifest.json)");
    }

    private static Path blobIn(Path layout, Digest d) {
        return layout.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
    }

    /**
     * Copies a blob into the store verifying its digest and size. A file of our own extraction becomes the blob
     * through a hard link (no second copy: a full disk is reached later, if at all).
     */
    private void importBlob(Path src, Digest d, long size, String what, boolean own) throws IOException {
        if (store.hasBlob(d)) return;
        if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)) throw new ImageException(what + ": blob " + d + " is missing");
        if (size >= 0 && Files.size(src) != size) {
            throw new ImageException(what + ": blob " + d + ": size mismatch: " + Files.size(src) + " bytes, expected " + size);
        }
        if (own) {
            MessageDigest md = d.newDigest();
            try (InputStream in = Files.newInputStream(src)) {
                byte[] buf = new byte[1 << 17];
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
            Digest got = d.withValue(md.digest());
            if (!got.equals(d)) throw new ImageException(what + ": blob " + d + ": digest mismatch: the content has digest " + got);
            if (store.linkBlob(src, d)) return;
        }
        Path tmp = store.tmpDir().resolve("blob-" + UUID.randomUUID());
        try {
            MessageDigest md = d.newDigest();
            try (InputStream in = new DigestInputStream(Files.newInputStream(src), md)) {
                Files.copy(in, tmp);
            } catch (IOException e) {
                if (ImageException.fullDisk(e) != null) throw ImageException.writing("blob " + d + " of " + what, tmp, e);
                throw e;
            }
            Digest got = d.withValue(md.digest());
            if (!got.equals(d)) throw new ImageException(what + ": blob " + d + ": digest mismatch: the content has digest " + got);
            store.commitBlob(tmp, d);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private List<Image> loadOci(Src src, String name, Platform platform, PullProgress progress) throws IOException {
        Path dir = src.dir();
        String label = src.label();
        ImageIndex idx = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")), label + "/index.json");
        List<Image> out = new ArrayList<>();
        for (Descriptor top : idx.manifests()) {
            Descriptor d = top;
            Digest topDigest = d.parsedDigest();
            byte[] body = null;
            for (int depth = 0; ; depth++) {
                Digest dd = d.parsedDigest();
                body = Files.readAllBytes(blobIn(dir, dd));
                Digest got = dd.withValue(dd.newDigest().digest(body));
                if (!got.equals(dd)) throw new ImageException(label + ": blob " + dd + ": digest mismatch: " + got);
                String mt = d.mediaType() != null ? d.mediaType()
                        : io.capsa.image.registry.RegistryClient.mediaTypeOf(body, "");
                if (!MediaTypes.isIndex(mt)) break;
                if (depth > 3) throw new ImageException(label + ": image indexes nested too deeply");
                d = ImageIndex.parse(body, label + " index " + dd).select(platform, label);
            }
            Digest md = d.parsedDigest();
            Manifest m = Manifest.parse(body, label + " manifest " + md);
            String refName = top.annotations() == null ? null
                    : top.annotations().getOrDefault(CONTAINERD_NAME, top.annotations().get(REF_NAME));
            List<String> names = new ArrayList<>();
            Reference ref = imageName(refName, name);
            if (ref != null && ref.tag() != null) names.add(ref.toString());
            List<String> repoDigests = ref == null ? List.of() : List.of(ref.name() + "@" + topDigest);
            out.add(importImage(src, m, md, body, d.mediaType() != null ? d.mediaType() : m.mediaType(),
                    names, repoDigests, progress));
        }
        return out;
    }

    /** The name of an image from its annotation (a full reference, or a tag only) and the name given. */
    static Reference imageName(String annotation, String given) {
        if (annotation != null && !annotation.isEmpty()) {
            if (Reference.isValid(annotation) && (annotation.contains("/") || annotation.contains(":") || given == null)) {
                return Reference.parse(annotation);
            }
            if (given != null && annotation.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
                return Reference.parse(given).withTag(annotation);
            }
        }
        return given == null ? null : Reference.parse(given);
    }

    private Image importImage(Src src, Manifest m, Digest md, byte[] body, String mediaType, List<String> names,
                              List<String> repoDigests, PullProgress progress) throws IOException {
        Path dir = src.dir();
        String what = src.label() + " image " + md;
        Digest cd = m.config().parsedDigest();
        importBlob(blobIn(dir, cd), cd, m.config().size(), what, src.own());
        ImageConfig cfg = ImageConfig.parse(store.readBlob(cd), what + " config");
        List<Digest> diffIds = cfg.diffIds();
        if (diffIds.size() != m.layers().size()) {
            throw new ImageException(what + ": the manifest lists " + m.layers().size() + " layers but the config "
                    + diffIds.size() + " diff_ids");
        }
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor l = m.layers().get(i);
            Digest ld = l.parsedDigest();
            if (store.hasLayer(diffIds.get(i)) && store.hasBlob(ld)) {
                progress.layer(ld, "Already exists", -1, -1);
                continue;
            }
            progress.layer(ld, "Loading layer", -1, -1);
            importBlob(blobIn(dir, ld), ld, l.size(), what, src.own());
            store.ensureLayer(diffIds.get(i), ld, null);
            progress.layer(ld, "Loaded", -1, -1);
        }
        store.putBlob(body, md);
        store.addImage(md, cd, mediaType == null ? MediaTypes.OCI_MANIFEST : mediaType, names, repoDigests);
        return store.resolve(cd.toString());
    }

    private List<Image> loadDockerArchive(Src src, String name, PullProgress progress) throws IOException {
        Path dir = src.dir();
        String label = src.label();
        JsonNode root = Json.mapper().readTree(Files.readAllBytes(dir.resolve("manifest.json")));
        if (!root.isArray()) throw new ImageException(label + ": manifest.json is not a list");
        List<Image> out = new ArrayList<>();
        for (JsonNode item : root) {
            String configPath = item.path("Config").asText("");
            if (configPath.isEmpty()) throw new ImageException(label + ": manifest.json entry without Config");
            Path cf = inside(src, configPath);
            byte[] cfgBytes = Files.readAllBytes(cf);
            Digest cd = store.putBlob(cfgBytes, null);
            ImageConfig cfg = ImageConfig.parse(cfgBytes, label + "/" + configPath);
            List<Digest> diffIds = cfg.diffIds();
            JsonNode layers = item.path("Layers");
            if (layers.size() != diffIds.size()) {
                throw new ImageException(label + ": " + configPath + " has " + diffIds.size() + " diff_ids but manifest.json lists "
                        + layers.size() + " layers");
            }
            List<Descriptor> descs = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                Path lf = inside(src, layers.get(i).asText());
                Digest ld = fileDigest(lf);
                long size = Files.size(lf);
                // our own extraction, hashed just now: linked as it is; else copied (and hashed again)
                if (!store.hasBlob(ld) && !(src.own() && store.linkBlob(lf, ld))) importBlob(lf, ld, size, label, false);
                Compression c;
                try (InputStream in = new BufferedInputStream(Files.newInputStream(store.blobPath(ld)))) {
                    c = Compression.detect(in);
                }
                String mt = c == Compression.GZIP ? MediaTypes.DOCKER_LAYER_GZIP
                        : c == Compression.ZSTD ? MediaTypes.OCI_LAYER_ZSTD : MediaTypes.DOCKER_LAYER;
                progress.layer(ld, "Loading layer", -1, -1);
                store.ensureLayer(diffIds.get(i), ld, null);
                progress.layer(ld, "Loaded", -1, -1);
                descs.add(new Descriptor(mt, ld, size));
            }
            Manifest m = new Manifest(2, MediaTypes.DOCKER_MANIFEST, new Descriptor(MediaTypes.DOCKER_CONFIG, cd, cfgBytes.length),
                    descs, null);
            byte[] body = Json.toBytes(m);
            Digest md = store.putBlob(body, null);
            List<String> names = new ArrayList<>();
            for (JsonNode t : item.path("RepoTags")) names.add(Reference.parse(t.asText()).toString());
            if (names.isEmpty() && name != null) names.add(Reference.parse(name).toString());
            store.addImage(md, cd, MediaTypes.DOCKER_MANIFEST, names, List.of());
            out.add(store.resolve(cd.toString()));
        }
        return out;
    }

    private static Path inside(Src src, String rel) {
        Path dir = src.dir();
        Path p = dir.resolve(rel).normalize();
        if (!p.startsWith(dir) || rel.startsWith("/")) throw new ImageException(src.label() + ": path " + rel + " leaves the archive");
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw new ImageException(src.label() + ": " + rel + " is missing");
        return p;
    }

    private static Digest fileDigest(Path f) throws IOException {
        MessageDigest md = Digest.newBulkSha256();
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 17];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return new Digest("sha256", java.util.HexFormat.of().formatHex(md.digest()));
    }

    // ---- export ----

    /** Export formats. */
    public enum Format { OCI_DIR, OCI_TAR, DOCKER_ARCHIVE }

    /**
     * Saves images (name or id each) to {@code target}: an OCI layout directory, a tar of one, or a
     * docker-archive tar (layers uncompressed, as {@code docker save} writes them).
     */
    public void save(List<String> namesOrIds, Path target, Format format) {
        // under the store lock (shared): a gc (after an rmi of another process) waits until the blobs are written
        try (StoreLock l = store.sharedLock()) {
            saveLocked(namesOrIds, target, format);
        }
    }

    private void saveLocked(List<String> namesOrIds, Path target, Format format) {
        List<Image> images = new ArrayList<>();
        List<String> asked = new ArrayList<>();
        for (String n : namesOrIds) {
            images.add(store.resolve(n));
            asked.add(n);
        }
        try {
            switch (format) {
                case OCI_DIR -> {
                    Files.createDirectories(target);
                    writeOci(new DirSink(target), images, asked);
                }
                case OCI_TAR -> {
                    try (TarSink s = new TarSink(target)) {
                        writeOci(s, images, asked);
                    }
                }
                case DOCKER_ARCHIVE -> {
                    try (TarSink s = new TarSink(target)) {
                        writeDocker(s, images, asked);
                    }
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot save to " + target + ": " + e.getMessage(), e);
        }
    }

    private interface Sink {
        void file(String name, byte[] data) throws IOException;

        void file(String name, Path src) throws IOException;

        /** A file whose content is written by the writer (its size must be known first). */
        void stream(String name, long size, IOConsumer<OutputStream> writer) throws IOException;
    }

    @FunctionalInterface
    private interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    private record DirSink(Path dir) implements Sink {
        public void file(String name, byte[] data) throws IOException {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.write(p, data);
        }

        public void file(String name, Path src) throws IOException {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            if (!Files.exists(p)) Files.copy(src, p);
        }

        public void stream(String name, long size, IOConsumer<OutputStream> writer) throws IOException {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            try (OutputStream o = Files.newOutputStream(p)) {
                writer.accept(o);
            }
        }
    }

    private static final class TarSink implements Sink, AutoCloseable {
        private final TarArchiveOutputStream tar;
        private final java.util.Set<String> written = new java.util.HashSet<>();
        private final java.util.Set<String> dirs = new java.util.HashSet<>();

        TarSink(Path target) throws IOException {
            tar = new TarArchiveOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(target), 1 << 16));
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        private void parents(String name) throws IOException {
            int i = name.indexOf('/');
            while (i > 0) {
                String d = name.substring(0, i + 1);
                if (dirs.add(d)) {
                    TarArchiveEntry e = new TarArchiveEntry(d);
                    e.setMode(040755);
                    e.setModTime(0);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                }
                i = name.indexOf('/', i + 1);
            }
        }

        private TarArchiveEntry entry(String name, long size) throws IOException {
            parents(name);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            e.setMode(0100644);
            e.setModTime(0);
            return e;
        }

        public void file(String name, byte[] data) throws IOException {
            if (!written.add(name)) return;
            tar.putArchiveEntry(entry(name, data.length));
            tar.write(data);
            tar.closeArchiveEntry();
        }

        public void file(String name, Path src) throws IOException {
            if (!written.add(name)) return;
            tar.putArchiveEntry(entry(name, Files.size(src)));
            Files.copy(src, tar);
            tar.closeArchiveEntry();
        }

        public void stream(String name, long size, IOConsumer<OutputStream> writer) throws IOException {
            if (!written.add(name)) return;
            tar.putArchiveEntry(entry(name, size));
            writer.accept(new java.io.FilterOutputStream(tar) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() {
                    // the entry is closed by the sink
                }
            });
            tar.closeArchiveEntry();
        }

        @Override
        public void close() throws IOException {
            tar.finish();
            tar.close();
        }
    }

    private void writeOci(Sink s, List<Image> images, List<String> asked) throws IOException {
        s.file("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        ObjectNode index = Json.mapper().createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            for (Descriptor l : img.manifest().layers()) s.file(blobName(l.parsedDigest()), store.blobPath(l.parsedDigest()));
            s.file(blobName(img.id()), store.blobPath(img.id()));
            s.file(blobName(img.manifestDigest()), store.blobPath(img.manifestDigest()));
            Map<String, String> ann = new LinkedHashMap<>();
            Reference r = nameFor(img, asked.get(i));
            if (r != null) {
                ann.put(CONTAINERD_NAME, r.toString());
                ann.put(REF_NAME, r.tag());
            }
            long size = Files.size(store.blobPath(img.manifestDigest()));
            Descriptor d = new Descriptor(img.manifest().mediaType() == null ? MediaTypes.OCI_MANIFEST : img.manifest().mediaType(),
                    img.manifestDigest().toString(), size, null, ann.isEmpty() ? null : ann, null);
            manifests.add(Json.mapper().valueToTree(d));
        }
        s.file("index.json", Json.toBytes(index));
    }

    /** The name to record for an image saved as {@code asked}: that name if it is one, else its first name. */
    private static Reference nameFor(Image img, String asked) {
        if (Reference.isValid(asked)) {
            Reference r = Reference.parse(asked);
            if (r.digest() == null && img.names().contains(r.toString())) return r;
        }
        return img.names().isEmpty() ? null : Reference.parse(img.names().get(0));
    }

    private static String blobName(Digest d) {
        return "blobs/" + d.algorithm() + "/" + d.hex();
    }

    private void writeDocker(Sink s, List<Image> images, List<String> asked) throws IOException {
        ArrayNode manifest = Json.mapper().createArrayNode();
        ObjectNode repositories = Json.mapper().createObjectNode();
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            s.file(blobName(img.id()), store.blobPath(img.id()));
            ObjectNode item = manifest.addObject();
            item.put("Config", blobName(img.id()));
            ArrayNode tags = item.putArray("RepoTags");
            Reference r = nameFor(img, asked.get(i));
            if (r != null) {
                tags.add(r.familiar());
                repositories.putObject(r.familiarName()).put(r.tag(), img.diffIds().isEmpty() ? ""
                        : img.diffIds().get(img.diffIds().size() - 1).hex());
            }
            ArrayNode layers = item.putArray("Layers");
            for (int k = 0; k < img.diffIds().size(); k++) {
                Digest diffId = img.diffIds().get(k);
                Path blob = store.blobPath(img.manifest().layers().get(k).parsedDigest());
                String n = blobName(diffId);
                long size = uncompressedSize(blob);
                s.stream(n, size, out -> {
                    try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(blob), 1 << 16))) {
                        in.transferTo(out);
                    }
                });
                layers.add(n);
            }
        }
        s.file("manifest.json", Json.toBytes(manifest));
        s.file("repositories", Json.toBytes(repositories));
    }

    private static long uncompressedSize(Path blob) throws IOException {
        try (InputStream in = Compression.decompress(new BufferedInputStream(Files.newInputStream(blob), 1 << 16))) {
            long n = 0;
            byte[] buf = new byte[1 << 17];
            int r;
            while ((r = in.read(buf)) > 0) n += r;
            return n;
        }
    }
}
