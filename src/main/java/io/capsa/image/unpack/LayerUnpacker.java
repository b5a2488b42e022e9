package io.capsa.image.unpack;

import io.capsa.image.Digest;
import io.capsa.image.ImageException;
import io.capsa.sys.Errno;
import io.capsa.sys.FsCalls;
import io.capsa.sys.SysException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one image layer (a tar, plain, gzip or zstd) into a directory, safely: no entry may write outside
 * that directory (absolute names, {@code ..}, symbolic links among an entry's parents, hard links to names
 * outside), or the layer is refused with an {@link UnsafeLayerException} naming the layer and the entry.
 *
 * <p>Regular files, directories, symbolic links, hard links, character and block devices and FIFOs are
 * created with the layer's ownership, mode (set-id bits included), extended attributes ({@code SCHILY.xattr.*})
 * and modification times. OCI whiteouts are handled per {@link Mode}.
 *
 * <p>The digest of the uncompressed stream (the layer's diff_id) is computed on the way and returned.
 */
public final class LayerUnpacker {
    /** What to do with whiteouts. */
    public enum Mode {
        /**
         * The directory holds this layer alone, as an overlayfs lower layer: {@code .wh.NAME} becomes a
         * character device 0/0 named NAME, {@code .wh..wh..opq} the {@code trusted.overlay.opaque=y} xattr.
         */
        OVERLAY,
        /** The directory holds the layers below, already applied: whiteouts delete what they hide. */
        APPLY
    }

    /** What an unpack did. */
    public record Result(Digest diffId, long uncompressedSize, int entries) {}

    static final String WH = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    static final String OVERLAY_OPAQUE_XATTR = "trusted.overlay.opaque";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path dest;
    private final Mode mode;
    private final String layer;
    private final boolean root;
    /** Relative directory paths known to be real directories (not links) inside dest. */
    private final Set<String> knownDirs = new HashSet<>();
    /** APPLY mode: relative paths this layer created (whiteouts and opaque dirs spare them). */
    private final Set<String> created = new HashSet<>();
    private final List<Object[]> dirTimes = new ArrayList<>();
    private final byte[] buf = new byte[1 << 18];
    private String entryName;

    private LayerUnpacker(Path dest, Mode mode, String layer) {
        this.dest = dest;
        this.mode = mode;
        this.layer = layer;
        this.root = isRoot();
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Unpacks the layer blob file into {@code dest} (an existing directory). */
    public static Result unpack(Path blob, Path dest, Mode mode, String layerName) {
        try (InputStream in = Files.newInputStream(blob)) {
            return unpack(in, dest, mode, layerName);
        } catch (IOException e) {
            throw new ImageException("layer " + layerName + ": cannot read " + blob + ": " + e.getMessage(), e);
        }
    }

    /**
     * Unpacks a layer stream (compressed or not) into {@code dest} (an existing directory).
     *
     * @param layerName how errors name the layer (its digest)
     */
    public static Result unpack(InputStream raw, Path dest, Mode mode, String layerName) {
        return new LayerUnpacker(dest.toAbsolutePath().normalize(), mode, layerName).run(raw);
    }

    private ImageException fail(String what) {
        return new ImageException("layer " + layer + ": entry \"" + entryName + "\": " + what);
    }

    private UnsafeLayerException unsafe(String what) {
        return new UnsafeLayerException("layer " + layer + ": entry \"" + entryName + "\": " + what
                + ": refused (it would write outside the layer directory)");
    }

    private Result run(InputStream raw) {
        MessageDigest sha = Digest.newBulkSha256();
        long[] count = new long[1];
        int entries = 0;
        try {
            InputStream plain = Compression.decompress(raw);
            InputStream hashed = new DigestInputStream(plain, sha) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) count[0]++;
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) count[0] += n;
                    return n;
                }
            };
            Recorder rec = new Recorder(hashed);
            TarArchiveInputStream tar = new TarArchiveInputStream(rec, 512, StandardCharsets.UTF_8.name());
            knownDirs.add("");
            while (true) {
                rec.start();
                TarArchiveEntry e;
                try {
                    e = tar.getNextEntry();
                } catch (IOException | IllegalArgumentException ex) {
                    // Some writers (umoci) end a layer right after the last file's data, without its padding
                    // or the end-of-archive blocks; Go's reader (Docker, containerd) takes that as the end, and
                    // so do we when nothing follows (the digests are what vouch for completeness).
                    if (entries > 0 && ex instanceof IOException && hashed.read() < 0) break;
                    throw new ImageException("layer " + layer + ": invalid tar after entry \""
                            + (entryName == null ? "(start)" : entryName) + "\": " + ex.getMessage(), ex);
                }
                rec.stop();
                if (e == null) break;
                entries++;
                entryName = e.getName();
                entry(tar, e, rec);
            }
            // the rest of the stream (end-of-archive blocks, padding) counts in the diff_id too
            while (hashed.read(buf) >= 0) {
                // drain
            }
            for (int i = dirTimes.size() - 1; i >= 0; i--) {
                Object[] d = dirTimes.get(i);
                setTimes((Path) d[0], (long) d[1], (long) d[2]);
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | SysException e) {
            String full = ImageException.fullDisk(e);
            if (full != null) {
                throw new ImageException("layer " + layer + ": " + full + " while unpacking "
                        + (entryName == null ? "it" : "entry \"" + entryName + "\"") + " into " + dest, e);
            }
            if (e instanceof SysException) {
                throw new ImageException("layer " + layer + ": entry \"" + entryName + "\": " + e.getMessage(), e);
            }
            String where = entryName == null ? "" : " at entry \"" + entryName + "\"";
            throw new ImageException("layer " + layer + ": unpacking failed" + where + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        return new Result(new Digest("sha256", java.util.HexFormat.of().formatHex(sha.digest())), count[0], entries);
    }

    /** Splits and checks a tar name: relative, no {@code ..}; "." components dropped. Empty list: the root. */
    private List<String> components(String name) {
        if (name.startsWith("/")) throw unsafe("absolute path");
        List<String> out = new ArrayList<>();
        for (String c : name.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) throw unsafe("path with \"..\"");
            out.add(c);
        }
        return out;
    }

    private static String join(List<String> comps, int n) {
        return String.join("/", comps.subList(0, n));
    }

    /**
     * Makes sure every parent of the entry is a real directory inside dest (creating missing ones 0755),
     * never following a symbolic link; returns the parent path.
     */
    private Path parents(List<String> comps, boolean create) throws IOException {
        Path p = dest;
        for (int i = 0; i < comps.size() - 1; i++) {
            p = p.resolve(comps.get(i));
            String rel = join(comps, i + 1);
            if (knownDirs.contains(rel)) continue;
            BasicFileAttributes a = lstat(p);
            if (a == null) {
                if (!create) throw fail("link target's directory " + rel + " does not exist");
                Files.createDirectory(p);
                FsCalls.chmod(p, 0755);
                if (mode == Mode.APPLY) created.add(rel);
            } else if (a.isSymbolicLink()) {
                throw unsafe("its parent " + rel + " is a symbolic link");
            } else if (!a.isDirectory()) {
                throw fail("its parent " + rel + " is not a directory");
            }
            knownDirs.add(rel);
        }
        return p;
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Forgets cached directories at and under rel (it is being replaced or removed). */
    private void forget(String rel) {
        knownDirs.remove(rel);
        String prefix = rel + "/";
        knownDirs.removeIf(k -> k.startsWith(prefix));
        if (mode == Mode.APPLY) created.removeIf(k -> k.equals(rel) || k.startsWith(prefix));
    }

    private static void deleteTree(Path p) throws IOException {
        BasicFileAttributes a = lstat(p);
        if (a == null) return;
        if (!a.isDirectory()) {
            Files.delete(p);
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes at) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void entry(TarArchiveInputStream tar, TarArchiveEntry e, Recorder rec) throws IOException {
        List<String> comps = components(e.getName());
        if (comps.isEmpty()) return; // the root directory itself: the layer directory keeps its own attributes
        String base = comps.get(comps.size() - 1);
        String rel = join(comps, comps.size());
        if (base.startsWith(WH)) {
            whiteout(comps, base);
            return;
        }
        Path parent = parents(comps, true);
        Path target = parent.resolve(base);
        BasicFileAttributes old = lstat(target);
        boolean isDir = e.isDirectory();
        if (old != null && !(isDir && old.isDirectory())) {
            // replaced: a file by anything, a directory by a non-directory
            forget(rel);
            deleteTree(target);
            old = null;
        }
        if (e.isLink()) {
            hardlink(e, target, rel);
            return;
        }
        if (isDir) {
            if (old == null) Files.createDirectory(target);
            knownDirs.add(rel);
        } else if (e.isSymbolicLink()) {
            String to = e.getLinkName();
            if (to == null || to.isEmpty()) throw fail("symbolic link with an empty target");
            Files.createSymbolicLink(target, target.getFileSystem().getPath(to));
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            int type = e.isCharacterDevice() ? FsCalls.S_IFCHR : e.isBlockDevice() ? FsCalls.S_IFBLK : FsCalls.S_IFIFO;
            FsCalls.mknod(target, type | (e.getMode() & 0777), e.getDevMajor(), e.getDevMinor());
        } else if (e.isFile()) {
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int n;
                while ((n = tar.read(buf)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) ch.write(bb);
                }
            } catch (FileAlreadyExistsException x) {
                throw fail("exists already");
            }
        } else {
            throw fail("unsupported tar entry type '" + (char) e.getLinkFlag() + "'");
        }
        if (mode == Mode.APPLY) created.add(rel);
        metadata(e, target, rec);
    }

    private void hardlink(TarArchiveEntry e, Path target, String rel) throws IOException {
        String to = e.getLinkName();
        if (to == null || to.isEmpty()) throw fail("hard link with an empty target");
        List<String> tc;
        try {
            tc = components(to);
        } catch (UnsafeLayerException x) {
            throw unsafe("hard link to " + to);
        }
        if (tc.isEmpty()) throw unsafe("hard link to the layer's root directory");
        Path src;
        try {
            src = parents(tc, false).resolve(tc.get(tc.size() - 1));
        } catch (UnsafeLayerException x) {
            throw unsafe("hard link to " + to + " through a symbolic link");
        }
        BasicFileAttributes a = lstat(src);
        if (a == null) throw fail("hard link to " + to + ", which is not in the layer");
        if (a.isDirectory()) throw fail("hard link to directory " + to);
        if (src.equals(target)) return;
        Files.createLink(target, src);
        if (mode == Mode.APPLY) created.add(rel);
    }

    private void whiteout(List<String> comps, String base) throws IOException {
        if (base.equals(OPAQUE)) {
            // the parent directory hides everything below it in the lower layers
            List<String> dirComps = comps.subList(0, comps.size() - 1);
            List<String> asParent = new ArrayList<>(dirComps);
            asParent.add("x");
            Path dir = parents(asParent, true);
            if (mode == Mode.OVERLAY) {
                FsCalls.lsetxattr(dir, OVERLAY_OPAQUE_XATTR, new byte[] {'y'});
            } else {
                clearLower(dir, join(dirComps, dirComps.size()));
            }
            return;
        }
        if (base.startsWith(WH + WH)) return; // other AUFS metadata (.wh..wh.plnk...): nothing to do
        String name = base.substring(WH.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) throw unsafe("whiteout of \"" + name + "\"");
        Path parent = parents(comps, true);
        Path target = parent.resolve(name);
        List<String> tcomps = new ArrayList<>(comps.subList(0, comps.size() - 1));
        tcomps.add(name);
        String trel = join(tcomps, tcomps.size());
        BasicFileAttributes a = lstat(target);
        if (mode == Mode.OVERLAY) {
            if (a != null) return; // this layer has the name: a whiteout only hides the lower layers
            FsCalls.mknod(target, FsCalls.S_IFCHR, 0, 0);
        } else {
            if (a == null || created.contains(trel)) return;
            forget(trel);
            deleteTree(target);
        }
    }

    /** APPLY mode: deletes what under dir this layer did not create. */
    private void clearLower(Path dir, String rel) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path c : ds) children.add(c);
        }
        for (Path c : children) {
            String crel = rel.isEmpty() ? c.getFileName().toString() : rel + "/" + c.getFileName();
            if (!created.contains(crel)) {
                forget(crel);
                deleteTree(c);
            } else {
                BasicFileAttributes a = lstat(c);
                if (a != null && a.isDirectory()) clearLower(c, crel);
            }
        }
    }

    private void metadata(TarArchiveEntry e, Path target, Recorder rec) {
        boolean link = e.isSymbolicLink();
        if (root) FsCalls.lchown(target, e.getLongUserId(), e.getLongGroupId());
        if (!link) FsCalls.chmod(target, e.getMode() & 07777);
        Map<String, String> pax = e.getExtraPaxHeaders();
        if (!pax.isEmpty()) {
            for (Map.Entry<String, String> h : pax.entrySet()) {
                String k = h.getKey();
                String xname;
                if (k.startsWith("SCHILY.xattr.")) {
                    xname = k.substring("SCHILY.xattr.".length());
                } else {
                    continue;
                }
                if (xname.startsWith("trusted.overlay.")) continue; // never let a layer steer overlayfs
                byte[] value = h.getValue().indexOf('\uFFFD') >= 0 ? rec.paxValue(k) : null;
                if (value == null) value = h.getValue().getBytes(StandardCharsets.UTF_8);
                try {
                    FsCalls.lsetxattr(target, xname, value);
                } catch (SysException x) {
                    if (xname.startsWith("security.selinux") || (link && x.errno() == Errno.EPERM)) continue;
                    throw fail("cannot set extended attribute " + xname + ": " + Errno.describe(x.errno()));
                }
            }
        }
        long mtime = e.getLastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        long atime = e.getLastAccessTime() != null ? e.getLastAccessTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)
                : mtime;
        if (e.isDirectory()) {
            dirTimes.add(new Object[] {target, atime, mtime});
        } else {
            setTimes(target, atime, mtime);
        }
    }

    private void setTimes(Path p, long atime, long mtime) {
        try {
            FsCalls.lutimes(p, atime, mtime);
        } catch (SysException x) {
            if (x.errno() != Errno.ENOENT) throw x; // removed by a later entry
        }
    }

    /**
     * Keeps the raw bytes read while the tar reader looks for the next header, so that a PAX record whose
     * value is not UTF-8 (e.g. {@code SCHILY.xattr.security.capability}) can be read exactly: Commons
     * Compress decodes PAX values as UTF-8 text.
     */
    static final class Recorder extends FilterInputStream {
        private static final int MAX = 1 << 20;
        private byte[] data = new byte[8192];
        private int len;
        private boolean on;

        Recorder(InputStream in) {
            super(in);
        }

        void start() {
            len = 0;
            on = true;
        }

        void stop() {
            on = false;
        }

        private void keep(byte[] b, int off, int n) {
            if (!on || n <= 0 || len + n > MAX) return;
            if (len + n > data.length) data = java.util.Arrays.copyOf(data, Math.max(len + n, data.length * 2));
            System.arraycopy(b, off, data, len, n);
            len += n;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) keep(new byte[] {(byte) c}, 0, 1);
            return c;
        }

        @Override
        public int read(byte[] b, int off, int n) throws IOException {
            int r = in.read(b, off, n);
            keep(b, off, r);
            return r;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] tmp = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(tmp, 0, (int) Math.min(tmp.length, n - done));
                if (r < 0) break;
                done += r;
            }
            return done;
        }

        /** The raw value of the last PAX record with this key among the recorded bytes, or null. */
        byte[] paxValue(String key) {
            byte[] k = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
            byte[] found = null;
            outer:
            for (int i = 0; i + k.length <= len; i++) {
                for (int j = 0; j < k.length; j++) if (data[i + j] != k[j]) continue outer;
                // the decimal record length precedes the space
                int s = i;
                while (s > 0 && data[s - 1] >= '0' && data[s - 1] <= '9') s--;
                if (s == i) continue;
                int recLen = Integer.parseInt(new String(data, s, i - s, StandardCharsets.US_ASCII));
                int valStart = i + k.length, valEnd = s + recLen - 1; // the record ends with '\n'
                if (valEnd < valStart || valEnd >= len || data[valEnd] != '\n') continue;
                found = java.util.Arrays.copyOfRange(data, valStart, valEnd);
            }
            return found;
        }
    }
}
