package io.capsa.image;

import io.capsa.image.registry.RegistryClient;
import io.capsa.image.rootfs.RootfsManager;
import io.capsa.image.store.Archives;
import io.capsa.image.store.ImageStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A developer entry point to the image library until {@code capsa pull} and friends land in the front end
 * (bench/pull.sh uses it):
 * <pre>
 *   java -cp capsa.jar io.capsa.image.ImageMain [--root DIR] [-q] [--insecure HOST] [--platform OS/ARCH] COMMAND ...
 *     pull REF | images | rmi NAME... | gc | rootfs NAME ID [overlay|copy] | rm-rootfs ID
 *     | load FILE|DIR [NAME] | save oci|oci-tar|docker-archive TARGET NAME...
 * </pre>
 */
public final class ImageMain {
    private ImageMain() {}

    public static void main(String[] args) {
        Path root = ImageStore.DEFAULT_ROOT;
        boolean quiet = false;
        Set<String> insecure = new HashSet<>();
        Platform platform = Platform.host();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = Path.of(args[++i]);
                case "-q", "--quiet" -> quiet = true;
                case "--insecure" -> insecure.add(args[++i]);
                case "--platform" -> platform = Platform.parse(args[++i]);
                default -> rest.add(args[i]);
            }
        }
        if (rest.isEmpty()) {
            System.err.println("usage: ImageMain [--root DIR] [-q] [--insecure HOST] [--platform P] pull REF | images | rmi NAME... | gc"
                    + " | rootfs NAME ID [overlay|copy] | rm-rootfs ID | load SRC [NAME] | save FORMAT TARGET NAME...");
            System.exit(2);
        }
        try {
            ImageStore store = ImageStore.open(root);
            RegistryClient.Options o = RegistryClient.Options.defaults();
            Images images = new Images(store, new RegistryClient(
                    new RegistryClient.Options(o.credentials(), insecure, o.timeout(), o.retries())));
            PullProgress progress = quiet ? PullProgress.QUIET : ConsoleProgress.forStream(System.out);
            List<String> a = rest.subList(1, rest.size());
            switch (rest.get(0)) {
                case "pull" -> {
                    Image img = images.pull(a.get(0), new Images.PullOptions(platform, 3, progress));
                    if (!quiet) System.out.println("Digest: " + img.manifestDigest());
                    System.out.println(quiet ? img.names().isEmpty() ? img.id().toString() : img.names().get(0)
                            : "Status: Downloaded " + Reference.parse(a.get(0)).familiar());
                }
                case "images" -> {
                    System.out.printf("%-40s %-15s %-14s %s%n", "REPOSITORY", "TAG", "IMAGE ID", "SIZE");
                    for (Image img : store.images()) {
                        List<String> names = img.names().isEmpty() ? List.of("<none>") : img.names();
                        for (String n : names) {
                            Reference r = n.equals("<none>") ? null : Reference.parse(n);
                            System.out.printf("%-40s %-15s %-14s %s%n", r == null ? "<none>" : r.familiarName(),
                                    r == null ? "<none>" : r.tag(), img.id().shortHex(), ConsoleProgress.human(img.size()));
                        }
                    }
                }
                case "rmi" -> {
                    for (String n : a) {
                        ImageStore.Removal r = store.remove(n, false);
                        r.untagged().forEach(u -> System.out.println("Untagged: " + u));
                        r.deleted().forEach(d -> System.out.println("Deleted: " + d));
                    }
                }
                case "gc" -> {
                    ImageStore.GcResult r = store.gc();
                    System.out.println("removed " + r.blobs() + " blobs, " + r.layers() + " layers, "
                            + ConsoleProgress.human(r.bytes()) + " of blobs");
                }
                case "rootfs" -> {
                    RootfsManager.Strategy s = a.size() > 2 ? RootfsManager.Strategy.valueOf(a.get(2).toUpperCase())
                            : RootfsManager.Strategy.AUTO;
                    RootfsManager.Rootfs r = new RootfsManager(store).create(images.resolve(a.get(0)), a.get(1), s);
                    System.out.println(r.path() + " " + r.kind().name().toLowerCase());
                }
                case "rm-rootfs" -> new RootfsManager(store).remove(a.get(0));
                case "load" -> {
                    for (Image img : new Archives(store).load(Path.of(a.get(0)), a.size() > 1 ? a.get(1) : null, platform, progress)) {
                        System.out.println("Loaded image: " + (img.names().isEmpty() ? img.id() : Reference.parse(img.names().get(0)).familiar()));
                    }
                }
                case "save" -> {
                    Archives.Format f = switch (a.get(0)) {
                        case "oci" -> Archives.Format.OCI_DIR;
                        case "oci-tar" -> Archives.Format.OCI_TAR;
                        case "docker-archive" -> Archives.Format.DOCKER_ARCHIVE;
                        default -> throw new ImageException("unknown format " + a.get(0) + " (oci, oci-tar, docker-archive)");
                    };
                    new Archives(store).save(a.subList(2, a.size()), Path.of(a.get(1)), f);
                }
                default -> {
                    System.err.println("unknown command " + rest.get(0));
                    System.exit(2);
                }
            }
        } catch (ImageException | IndexOutOfBoundsException e) {
            System.err.println("Error: " + (e instanceof ImageException ? e.getMessage() : "missing argument"));
            System.exit(1);
        }
    }
}
