package io.capsa.image;

import io.capsa.image.registry.RegistryClient;
import io.capsa.image.store.ImageStore;
import io.capsa.image.store.StoreLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The image service the front end uses: pull from registries into the store, and resolve names to images.
 * See also {@link ImageStore} (list, remove, gc), {@link io.capsa.image.store.Archives} (load, save) and
 * {@link io.capsa.image.rootfs.RootfsManager} (container root filesystems).
 */
public final class Images {
    private final ImageStore store;
    private final RegistryClient client;

    /**
     * @param platform  the platform multi-arch images are resolved to ({@link Platform#host()})
     * @param parallel  how many layers are downloaded at once (Docker uses 3)
     * @param progress  where progress goes ({@link PullProgress#QUIET} for none)
     */
    public record PullOptions(Platform platform, int parallel, PullProgress progress) {
        public static PullOptions defaults() {
            return new PullOptions(Platform.host(), 3, PullProgress.QUIET);
        }

        public PullOptions withProgress(PullProgress p) {
            return new PullOptions(platform, parallel, p);
        }
    }

    public Images(ImageStore store, RegistryClient client) {
        this.store = store;
        this.client = client;
    }

    public ImageStore store() {
        return store;
    }

    public RegistryClient client() {
        return client;
    }

    /** The image a name or id names in the store, or {@link ImageException} "No such image". */
    public Image resolve(String nameOrId) {
        return store.resolve(nameOrId);
    }

    /** What {@code capsa run} does: the local image if there is one, else pulled. */
    public Image resolveOrPull(String nameOrRef, PullOptions o) {
        var local = store.find(nameOrRef);
        if (local.isPresent()) return local.get();
        if (!Reference.isValid(nameOrRef)) throw new ImageException("No such image: " + nameOrRef);
        return pull(nameOrRef, o);
    }

    /**
     * Pulls an image: resolves the reference to a manifest for the platform, downloads the config and the
     * layers it lacks (in parallel, verified), unpacks each layer once, then names the image in the store.
     */
    public Image pull(String reference, PullOptions o) {
        Reference ref = Reference.parse(reference);
        PullProgress p = o.progress();
        store.cleanTmp();
        try (StoreLock l = store.sharedLock()) {
            RegistryClient.Fetched top = client.manifest(ref);
            RegistryClient.Fetched m = top;
            Digest indexDigest = null;
            for (int depth = 0; MediaTypes.isIndex(m.mediaType()); depth++) {
                if (depth > 3) throw new ImageException(ref + ": image indexes nested too deeply");
                if (indexDigest == null) indexDigest = m.digest();
                ImageIndex idx = ImageIndex.parse(m.body(), ref.toString());
                Descriptor d = idx.select(o.platform(), ref.toString());
                m = client.manifest(ref, d.digest());
                if (m.body().length != d.size()) {
                    throw new ImageException(ref + ": manifest " + d.digest() + ": size mismatch: got "
                            + m.body().length + " bytes, the index says " + d.size());
                }
            }
            if (!MediaTypes.isManifest(m.mediaType())) {
                if (MediaTypes.DOCKER_MANIFEST_V1.equals(m.mediaType()) || MediaTypes.DOCKER_MANIFEST_V1_SIGNED.equals(m.mediaType())) {
                    throw new ImageException(ref + ": Docker v2 schema 1 images are not supported");
                }
                throw new ImageException(ref + ": unsupported manifest media type " + m.mediaType());
            }
            Manifest man = Manifest.parse(m.body(), "manifest " + m.digest() + " of " + ref);
            p.resolved(ref, m.digest(), indexDigest);

            Descriptor cd = man.config();
            Digest configDigest = cd.parsedDigest();
            if (!store.hasBlob(configDigest)) store.putBlob(client.smallBlob(ref, cd), configDigest);
            ImageConfig cfg = ImageConfig.parse(store.readBlob(configDigest), "config " + configDigest + " of " + ref);
            List<Digest> diffIds = cfg.diffIds();
            if (diffIds.size() != man.layers().size()) {
                throw new ImageException(ref + ": the manifest lists " + man.layers().size()
                        + " layers but the config " + diffIds.size() + " diff_ids");
            }
            if (!o.platform().matches(cfg.platform())) {
                p.warning("The requested image's platform (" + cfg.platform() + ") does not match the detected host platform ("
                        + o.platform() + ")");
            }
            fetchLayers(ref, man.layers(), diffIds, o);
            store.putBlob(m.body(), m.digest());
            List<String> names = ref.tag() != null ? List.of(ref.withTag(ref.tag()).toString()) : List.of();
            List<String> repoDigests = List.of(ref.name() + "@" + (indexDigest != null ? indexDigest : m.digest()));
            store.addImage(m.digest(), configDigest, m.mediaType(), names, repoDigests);
            return store.find(ref.tag() != null ? ref.withTag(ref.tag()).toString() : ref.toString())
                    .orElseThrow(() -> new ImageException(ref + ": pulled but not found in the store"));
        } finally {
            p.done();
        }
    }

    private void fetchLayers(Reference ref, List<Descriptor> layers, List<Digest> diffIds, PullOptions o) {
        PullProgress p = o.progress();
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Digest ld = layers.get(i).parsedDigest();
            if (store.hasLayer(diffIds.get(i)) && store.hasBlob(ld)) {
                p.layer(ld, "Already exists", -1, -1);
            } else {
                p.layer(ld, "Waiting", -1, -1);
                todo.add(i);
            }
        }
        if (todo.isEmpty()) return;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(o.parallel(), todo.size())), r -> {
            Thread t = new Thread(r, "capsa-pull");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<Void> cs = new ExecutorCompletionService<>(pool);
            for (int i : todo) {
                Descriptor d = layers.get(i);
                Digest diffId = diffIds.get(i);
                cs.submit(() -> {
                    fetchLayer(ref, d, diffId, p);
                    return null;
                });
            }
            // the first failure (in time) is the one reported; the other layers stop then
            for (int k = 0; k < todo.size(); k++) {
                try {
                    cs.take().get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof ImageException ie) throw ie;
                    throw new ImageException(ref + ": " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException(ref + ": pull interrupted");
                }
            }
        } finally {
            stop(pool);
        }
    }

    /**
     * Interrupts the layers still running and waits for them: once the pull returns (and its process may
     * exit), they have removed their temporary unpack directories; downloads keep their partial files.
     */
    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fetchLayer(Reference ref, Descriptor d, Digest diffId, PullProgress p) {
        Digest ld = d.parsedDigest();
        if (d.urls() != null && !d.urls().isEmpty() && !store.hasBlob(ld)) {
            // foreign layers (Windows base images): the registry may not have them
            p.warning("layer " + ld + " is a foreign layer; fetching it from the registry");
        }
        if (!store.hasBlob(ld)) {
            try (StoreLock bl = store.blobLock(ld)) {
                if (!store.hasBlob(ld)) {
                    java.nio.file.Path partial = store.partialBlob(ld);
                    client.downloadBlob(ref, d, partial, n -> p.layer(ld, "Downloading", n, d.size()));
                    p.layer(ld, "Download complete", d.size(), d.size());
                    store.commitBlob(partial, ld);
                }
            }
        } else {
            p.layer(ld, "Download complete", d.size(), d.size());
        }
        if (!store.hasLayer(diffId)) {
            p.layer(ld, "Extracting", 0, d.size());
            store.ensureLayer(diffId, ld, n -> p.layer(ld, "Extracting", n, d.size()));
        }
        p.layer(ld, "Pull complete", -1, -1);
    }
}
