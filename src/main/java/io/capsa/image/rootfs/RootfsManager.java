package io.capsa.image.rootfs;

import io.capsa.image.Digest;
import io.capsa.image.Image;
import io.capsa.image.ImageException;
import io.capsa.image.store.ImageStore;
import io.capsa.image.store.StoreLock;
import io.capsa.image.unpack.LayerUnpacker;
import io.capsa.sys.Errno;
import io.capsa.sys.FsCalls;
import io.capsa.sys.SysException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Containers' root filesystems, under the store's {@code rootfs/ID/}:
 * <pre>
 *   rootfs.json   the image and the layers used (keeps them from garbage collection)
 *   merged/       the root filesystem: an overlayfs mount of the image's layers (read-only lower directories)
 *   upper/ work/  the container's own changes (overlayfs upperdir and workdir)
 * </pre>
 * Where overlayfs is not available (no such filesystem, or the store's filesystem cannot be an upper
 * directory), {@code merged/} is a plain directory with the layers unpacked into it in order, whiteouts
 * applied. A failed creation leaves nothing behind (no mount, no directory).
 */
public final class RootfsManager {
    /** How the root filesystem is made. */
    public enum Kind { OVERLAY, COPY }

    /** A container root filesystem: {@link #path()} is what config.json's root.path names. */
    public record Rootfs(String id, Path path, Kind kind) {}

    /** Whether to try overlayfs (ALWAYS fails if it cannot be mounted; NEVER copies). */
    public enum Strategy { AUTO, OVERLAY, COPY }

    private final ImageStore store;

    public RootfsManager(ImageStore store) {
        this.store = store;
    }

    /** Creates (and for overlay, mounts) the root filesystem of container {@code id} from the image. */
    public Rootfs create(Image image, String id) {
        return create(image, id, Strategy.AUTO);
    }

    public Rootfs create(Image image, String id, Strategy strategy) {
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) throw new ImageException("invalid container id " + id);
        Path dir = store.rootfsDir(id);
        try (StoreLock l = store.sharedLock()) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException("root filesystem for container " + id + " exists already: " + dir);
            }
            List<Digest> layers = image.diffIds();
            for (Digest d : layers) {
                if (!store.hasLayer(d)) throw new ImageException("image " + image.id().shortHex() + ": layer " + d + " is not unpacked in the store");
            }
            Path merged = dir.resolve("merged");
            boolean mounted = false;
            try {
                Files.createDirectories(merged);
                FsCalls.chmod(dir, 0700);
                List<String> layerNames = layers.stream().map(Digest::toString).toList();
                store.writeRootfsRecord(id, new ImageStore.RootfsRecord(image.id().toString(), layerNames,
                        Kind.OVERLAY.name().toLowerCase()));
                if (strategy != Strategy.COPY) {
                    SysException failure = null;
                    try {
                        mountOverlay(dir, layers);
                        mounted = true;
                        return new Rootfs(id, merged, Kind.OVERLAY);
                    } catch (SysException e) {
                        failure = e;
                    }
                    if (strategy == Strategy.OVERLAY || !fallbackAllowed(failure.errno())) {
                        throw new ImageException("cannot mount the overlay root filesystem of container " + id
                                + ": " + failure.getMessage());
                    }
                    deleteQuiet(dir.resolve("upper"));
                    deleteQuiet(dir.resolve("work"));
                }
                store.writeRootfsRecord(id, new ImageStore.RootfsRecord(image.id().toString(), List.of(),
                        Kind.COPY.name().toLowerCase()));
                copy(image, merged);
                return new Rootfs(id, merged, Kind.COPY);
            } catch (IOException | RuntimeException e) {
                if (mounted) unmount(merged);
                deleteQuiet(dir);
                if (e instanceof ImageException ie) throw ie;
                throw new ImageException("cannot create the root filesystem of container " + id + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean fallbackAllowed(int errno) {
        // no overlayfs, or a filesystem that cannot be its upper layer, or not permitted here
        return errno == Errno.ENODEV || errno == Errno.EINVAL || errno == Errno.EPERM || errno == Errno.EOPNOTSUPP
                || errno == Errno.ENOSYS;
    }

    private void mountOverlay(Path dir, List<Digest> layers) throws IOException {
        Path upper = dir.resolve("upper"), work = dir.resolve("work"), merged = dir.resolve("merged");
        Files.createDirectories(upper);
        Files.createDirectories(work);
        FsCalls.chmod(upper, 0755);
        List<String> lower = new ArrayList<>();
        if (layers.isEmpty()) {
            Path empty = dir.resolve("empty");
            Files.createDirectories(empty);
            lower.add(empty.toString());
        }
        for (int i = layers.size() - 1; i >= 0; i--) lower.add(store.layerDir(layers.get(i)).toString()); // top first
        String lowerdir = String.join(":", lower);
        if (lowerdir.length() > 3500) lowerdir = shortLinks(dir, lower);
        String opts = "lowerdir=" + lowerdir + ",upperdir=" + upper + ",workdir=" + work;
        try {
            FsCalls.mount("overlay", merged, "overlay", 0, opts + ",index=off");
        } catch (SysException e) {
            if (e.errno() != Errno.EINVAL) throw e;
            FsCalls.mount("overlay", merged, "overlay", 0, opts); // kernels without the index option
        }
    }

    /** Many layers: the lower directories through short symbolic links (the mount data is one page). */
    private static String shortLinks(Path dir, List<String> lower) throws IOException {
        Path l = dir.resolve("l");
        Files.createDirectories(l);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lower.size(); i++) {
            Path link = l.resolve(Integer.toString(i, 36));
            Files.createSymbolicLink(link, Path.of(lower.get(i)));
            out.add(link.toString());
        }
        String s = String.join(":", out);
        if (s.length() > 3900) throw new ImageException("too many layers (" + lower.size() + ") for one overlay mount");
        return s;
    }

    private void copy(Image image, Path merged) {
        List<Digest> diffIds = image.diffIds();
        for (int i = 0; i < diffIds.size(); i++) {
            Digest blob = image.manifest().layers().get(i).parsedDigest();
            Path p = store.blobPath(blob);
            if (!Files.isRegularFile(p)) {
                throw new ImageException("image " + image.id().shortHex() + ": layer blob " + blob + " is missing from the store");
            }
            LayerUnpacker.Result r = LayerUnpacker.unpack(p, merged, LayerUnpacker.Mode.APPLY, blob.toString());
            if (!r.diffId().equals(diffIds.get(i))) {
                throw new ImageException("layer " + blob + ": diff_id mismatch: expected " + diffIds.get(i) + ", got " + r.diffId());
            }
        }
    }

    /** The root filesystem of container id, if it has one. */
    public java.util.Optional<Rootfs> get(String id) {
        return store.rootfsRecord(id).map(r -> new Rootfs(id, store.rootfsDir(id).resolve("merged"),
                "copy".equals(r.kind()) ? Kind.COPY : Kind.OVERLAY));
    }

    /** Unmounts and deletes container id's root filesystem (and its changes). Quiet if there is none. */
    public void remove(String id) {
        Path dir = store.rootfsDir(id);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Path merged = dir.resolve("merged");
        unmount(merged);
        if (isMountPoint(merged)) {
            throw new ImageException("cannot remove the root filesystem of container " + id + ": " + merged + " is still mounted");
        }
        ImageStore.deleteTree(dir);
    }

    /** Unmounts everything mounted at (and under) path: the overlay and any mounts a runtime left below it. */
    static void unmount(Path path) {
        for (String m : mountsUnder(path)) {
            try {
                FsCalls.umount(Path.of(m), 0);
            } catch (SysException e) {
                if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) continue; // not mounted (any more)
                try {
                    FsCalls.umount(Path.of(m), FsCalls.MNT_DETACH);
                } catch (SysException e2) {
                    if (e2.errno() != Errno.EINVAL && e2.errno() != Errno.ENOENT) {
                        throw new ImageException("cannot unmount " + m + ": " + e2.getMessage());
                    }
                }
            }
        }
    }

    /** Mount points at or under path, deepest first (from /proc/self/mountinfo). */
    static List<String> mountsUnder(Path path) {
        String p = path.toAbsolutePath().normalize().toString();
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String mp = unescape(f[4]);
                if (mp.equals(p) || mp.startsWith(p + "/")) out.add(mp);
            }
        } catch (IOException e) {
            throw new ImageException("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        java.util.Collections.reverse(out); // later mounts (stacked, nested) first
        return out;
    }

    static boolean isMountPoint(Path path) {
        return mountsUnder(path).contains(path.toAbsolutePath().normalize().toString());
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void deleteQuiet(Path p) {
        try {
            ImageStore.deleteTree(p);
        } catch (RuntimeException ignored) {
            // best effort on the failure path
        }
    }
}
