package io.capsa.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capsa.image.OciLayoutBuilder.Compression;
import io.capsa.image.OciLayoutBuilder.Layer;
import io.capsa.image.registry.CredentialStore;
import io.capsa.image.registry.Credentials;
import io.capsa.image.registry.RegistryClient;
import io.capsa.image.rootfs.RootfsManager;
import io.capsa.image.store.Archives;
import io.capsa.image.store.ImageStore;
import io.capsa.image.unpack.UnsafeLayerException;
import io.capsa.sys.FsCalls;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from a real registry (Debian's docker-registry on 127.0.0.1) images that the tests build offline and
 * push with skopeo: multi-layer (gzip, zstd, plain), whiteouts and opaque directories, a multi-arch index,
 * hostile layers; then checks the store, the unpacked layers and the container root filesystems file by file.
 */
@Tag("integration")
class RegistryPullTest {
    static final LinkOption NF = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    static Path shared;
    static TestRegistry registry;
    static Path layout;
    static Descriptor multiArchIndex;
    static Layer base, second, third;

    @TempDir
    Path tmp;
    ImageStore store;
    Images images;
    List<String> warnings = new CopyOnWriteArrayList<>();
    Map<String, String> statuses = new ConcurrentHashMap<>();

    @BeforeAll
    static void startRegistryAndPush() throws Exception {
        registry = TestRegistry.start(shared.resolve("registry"), null, null);
        layout = shared.resolve("layout");
        OciLayoutBuilder b = new OciLayoutBuilder(layout);
        Path bb = shared.resolve("bbroot");
        Files.createDirectories(bb.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bb.resolve("bin/busybox"));
        for (String a : List.of("sh", "ls", "cat", "echo", "id", "stat")) Files.createSymbolicLink(bb.resolve("bin/" + a), Path.of("busybox"));
        base = new Layer(new TarBuilder()
                .tree(bb, "")
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n", 0644)
                .file("etc/group", "root:x:0:\napp:x:1000:\n", 0644)
                .file("etc/gone", "to be whited out", 0644)
                .file("var/cache/old/a", "old", 0644)
                .file("usr/share/doc/readme", "base", 0644)
                .dir("tmp", 01777)
                .tar(), Compression.GZIP);
        second = new Layer(new TarBuilder()
                .whiteout("etc/gone")
                .opaque("var/cache")
                .file("var/cache/new", "new", 0644)
                .file("app/run.sh", "#!/bin/sh\necho run\n".getBytes(), 0755, 1000, 1000)
                .file("app/setuid", "x".getBytes(), 04755, 0, 0)
                .file("usr/share/doc/readme", "second", 0644)
                .tar(), Compression.ZSTD);
        third = new Layer(new TarBuilder()
                .file("data/f", "data".getBytes(), 0640, 1000, 1000)
                .hardlink("data/f2", "data/f")
                .symlink("data/link", "/etc/passwd")
                .chr("dev/null", 1, 3)
                .fifo("data/fifo")
                .tar(), Compression.NONE);
        var cfg = OciLayoutBuilder.runConfig(List.of("/bin/sh", "-c"), List.of("echo hi"),
                List.of("PATH=/bin", "GREETING=hello world"), "/app", "1000:1000", "SIGQUIT", "8080/tcp", "53/udp");
        Descriptor multi = b.image(new Platform("linux", "amd64", null), List.of(base, second, third), cfg);
        b.tag(multi, "multi");

        Descriptor amd = b.image(new Platform("linux", "amd64", null),
                List.of(new Layer(new TarBuilder().file("arch", "amd64", 0644).tar(), Compression.GZIP)), null);
        Descriptor arm = b.image(new Platform("linux", "arm64", "v8"),
                List.of(new Layer(new TarBuilder().file("arch", "arm64", 0644).tar(), Compression.GZIP)), null);
        multiArchIndex = b.index(List.of(arm, amd));
        b.tag(multiArchIndex, "multiarch");

        OciLayoutBuilder evil = new OciLayoutBuilder(shared.resolve("evil"));
        evil.tag(hostile(evil, new TarBuilder().file("ok", "ok", 0644).file("../../../evil-traversal", "x", 0644)), "traversal");
        evil.tag(hostile(evil, new TarBuilder().symlink("esc", "/tmp").file("esc/evil-symlink", "x", 0644)), "symlink");
        evil.tag(hostile(evil, new TarBuilder().hardlink("h", "../../../etc/shadow")), "hardlink");

        registry.push(layout, "multi", "test/multi:v1", false);
        registry.push(layout, "multiarch", "test/multiarch:latest", true);
        for (String t : List.of("traversal", "symlink", "hardlink")) registry.push(evil.dir(), t, "evil/" + t + ":1", false);
    }

    static Descriptor hostile(OciLayoutBuilder b, TarBuilder t) {
        return b.image(new Platform("linux", "amd64", null), List.of(new Layer(t.tar(), Compression.GZIP)), null);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
    }

    @BeforeEach
    void newStore() {
        store = ImageStore.open(tmp.resolve("store"));
        images = new Images(store, new RegistryClient(new RegistryClient.Options(CredentialStore.none(), Set.of(),
                Duration.ofSeconds(10), 2)));
    }

    Images.PullOptions opts() {
        return new Images.PullOptions(Platform.host(), 3, new PullProgress() {
            @Override
            public void layer(Digest layer, String status, long current, long total) {
                statuses.put(layer.toString(), status);
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
    }

    String ref(String repo) {
        return registry.host() + "/" + repo;
    }

    static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", NF);
    }

    @Test
    void pullsAMultiLayerImageWithItsConfigAndUnpacksEveryLayer() throws Exception {
        Image img = images.pull(ref("test/multi:v1"), opts());
        assertThat(img.names()).containsExactly(registry.host() + "/test/multi:v1");
        ImageConfig.RunConfig rc = img.runConfig();
        assertThat(rc.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(rc.cmd()).containsExactly("echo hi");
        assertThat(rc.env()).containsExactly("PATH=/bin", "GREETING=hello world");
        assertThat(rc.workingDir()).isEqualTo("/app");
        assertThat(rc.user()).isEqualTo("1000:1000");
        assertThat(rc.stopSignal()).isEqualTo("SIGQUIT");
        assertThat(rc.exposedPorts()).containsOnlyKeys("8080/tcp", "53/udp");
        assertThat(img.diffIds()).containsExactly(Digest.sha256(base.tar()), Digest.sha256(second.tar()), Digest.sha256(third.tar()));
        assertThat(img.manifest().layers()).extracting(Descriptor::mediaType)
                .containsExactly(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER);
        assertThat(statuses).hasSize(3).allSatisfy((k, v) -> assertThat(v).isEqualTo("Pull complete"));
        for (Descriptor l : img.manifest().layers()) assertThat(store.hasBlob(l.parsedDigest())).isTrue();

        Path l1 = store.layerDir(img.diffIds().get(0)), l2 = store.layerDir(img.diffIds().get(1)), l3 = store.layerDir(img.diffIds().get(2));
        assertThat(Files.readAllBytes(l1.resolve("bin/busybox"))).isEqualTo(Files.readAllBytes(Path.of("/bin/busybox")));
        assertThat(Files.readSymbolicLink(l1.resolve("bin/sh")).toString()).isEqualTo("busybox");
        assertThat(mode(l1.resolve("tmp")) & 07777).isEqualTo(01777);
        assertThat(mode(l2.resolve("etc/gone")) & 0170000).isEqualTo(FsCalls.S_IFCHR); // overlayfs whiteout
        assertThat(FsCalls.lgetxattr(l2.resolve("var/cache"), "trusted.overlay.opaque")).containsExactly('y');
        assertThat(mode(l2.resolve("app/setuid")) & 07777).isEqualTo(04755);
        assertThat(Files.getAttribute(l2.resolve("app/run.sh"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(l3.resolve("data/f2"), "unix:ino")).isEqualTo(Files.getAttribute(l3.resolve("data/f"), "unix:ino"));
        assertThat(Files.getAttribute(l3.resolve("dev/null"), "unix:rdev")).isEqualTo(FsCalls.makedev(1, 3));

        // a second pull finds everything in the store
        statuses.clear();
        assertThat(images.pull(ref("test/multi:v1"), opts()).id()).isEqualTo(img.id());
        assertThat(statuses.values()).containsOnly("Already exists");
        assertThat(store.find("sha256:" + img.id().hex().substring(0, 10))).isPresent();
        assertThat(store.find(img.id().shortHex()).orElseThrow().id()).isEqualTo(img.id());
        assertThat(store.find(img.repoDigests().get(0))).isPresent();
        try (Stream<Path> s = Files.list(store.tmpDir())) {
            assertThat(s).isEmpty();
        }
    }

    void checkMergedView(Path root) throws Exception {
        assertThat(Files.exists(root.resolve("etc/gone"), NF)).isFalse();
        try (Stream<Path> s = Files.list(root.resolve("var/cache"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new");
        }
        assertThat(Files.readString(root.resolve("usr/share/doc/readme"))).isEqualTo("second");
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains("app:x:1000");
        assertThat(Files.readString(root.resolve("data/f"))).isEqualTo("data");
        assertThat(mode(root.resolve("data/f")) & 07777).isEqualTo(0640);
        assertThat(Files.getAttribute(root.resolve("data/f2"), "unix:nlink")).isEqualTo(2);
        assertThat(Files.readSymbolicLink(root.resolve("data/link")).toString()).isEqualTo("/etc/passwd");
        assertThat(mode(root.resolve("data/fifo")) & 0170000).isEqualTo(FsCalls.S_IFIFO);
        assertThat(mode(root.resolve("app/setuid")) & 07777).isEqualTo(04755);
        // the image's busybox runs in it (chroot: the runtime does the rest)
        Process p = new ProcessBuilder("chroot", root.toString(), "/bin/sh", "-c", "cat /etc/group; ls /var/cache; id -u")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("app:x:1000:").contains("new").endsWith("0\n");
    }

    @Test
    void overlayRootfsShowsTheMergedLayersAndIsRemovedWithTheContainer() throws Exception {
        Image img = images.pull(ref("test/multi:v1"), opts());
        RootfsManager rm = new RootfsManager(store);
        RootfsManager.Rootfs a = rm.create(img, "c1");
        RootfsManager.Rootfs b = null;
        try {
            assertThat(a.kind()).isEqualTo(RootfsManager.Kind.OVERLAY);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).contains(" " + a.path() + " ");
            checkMergedView(a.path());
            // the container's writes go to its upper directory, never to the shared layers
            Files.writeString(a.path().resolve("usr/share/doc/readme"), "changed by c1");
            Files.delete(a.path().resolve("etc/passwd"));
            b = rm.create(img, "c2");
            assertThat(Files.readString(b.path().resolve("usr/share/doc/readme"))).isEqualTo("second");
            assertThat(Files.exists(b.path().resolve("etc/passwd"))).isTrue();
            assertThat(Files.readString(store.layerDir(img.diffIds().get(1)).resolve("usr/share/doc/readme"))).isEqualTo("second");
            assertThat(Files.readString(store.rootfsDir("c1").resolve("upper/usr/share/doc/readme"))).isEqualTo("changed by c1");
            assertThatThrownBy(() -> rm.create(img, "c1")).hasMessageContaining("exists already");
            // in use: not removable without force, and its layers survive gc
            assertThatThrownBy(() -> store.remove(ref("test/multi:v1"), false)).hasMessageContaining("being used by container");
        } finally {
            rm.remove("c1");
            if (b != null) rm.remove("c2");
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(store.rootfsDir("c1").toString());
        assertThat(Files.exists(store.rootfsDir("c1"))).isFalse();
        assertThat(rm.get("c1")).isEmpty();
    }

    @Test
    void copyRootfsWhereOverlayIsNotUsed() throws Exception {
        Image img = images.pull(ref("test/multi:v1"), opts());
        RootfsManager rm = new RootfsManager(store);
        RootfsManager.Rootfs r = rm.create(img, "copy1", RootfsManager.Strategy.COPY);
        try {
            assertThat(r.kind()).isEqualTo(RootfsManager.Kind.COPY);
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(r.path().toString());
            checkMergedView(r.path());
        } finally {
            rm.remove("copy1");
        }
        assertThat(Files.exists(store.rootfsDir("copy1"))).isFalse();
    }

    @Test
    void multiArchIndexResolvesToThePlatform() throws Exception {
        Image amd = images.pull(ref("test/multiarch"), opts());
        assertThat(Files.readString(store.layerDir(amd.diffIds().get(0)).resolve("arch"))).isEqualTo("amd64");
        assertThat(amd.config().architecture()).isEqualTo("amd64");
        assertThat(amd.repoDigests()).containsExactly(registry.host() + "/test/multiarch@" + multiArchIndex.digest());
        assertThat(amd.names()).containsExactly(registry.host() + "/test/multiarch:latest");

        Image arm = images.pull(ref("test/multiarch:latest"), new Images.PullOptions(Platform.parse("linux/arm64"), 2, PullProgress.QUIET));
        assertThat(Files.readString(store.layerDir(arm.diffIds().get(0)).resolve("arch"))).isEqualTo("arm64");
        // the tag moved to the arm64 image; the amd64 one stays, untagged
        assertThat(store.images()).hasSize(2);
        assertThat(store.resolve(ref("test/multiarch")).id()).isEqualTo(arm.id());

        Image byDigest = images.pull(ref("test/multiarch@" + multiArchIndex.digest()), opts());
        assertThat(byDigest.id()).isEqualTo(amd.id());
        assertThatThrownBy(() -> images.pull(ref("test/multiarch"), new Images.PullOptions(Platform.parse("linux/s390x"), 2, PullProgress.QUIET)))
                .hasMessageContaining("no manifest for platform linux/s390x").hasMessageContaining("linux/arm64/v8, linux/amd64");
    }

    @Test
    void hostileLayersAreRefusedAndLeaveNothing() throws Exception {
        for (String t : List.of("traversal", "symlink", "hardlink")) {
            assertThatThrownBy(() -> images.pull(ref("evil/" + t + ":1"), opts()))
                    .isInstanceOf(UnsafeLayerException.class)
                    .hasMessageContaining("layer sha256:")
                    .hasMessageContaining("refused");
            assertThat(store.find(ref("evil/" + t + ":1"))).isEmpty();
        }
        assertThat(Files.exists(Path.of("/evil-traversal"))).isFalse();
        assertThat(Files.exists(Path.of("/tmp/evil-symlink"))).isFalse();
        assertThat(store.entries()).isEmpty();
        try (Stream<Path> s = Files.list(store.tmpDir())) {
            assertThat(s).isEmpty();
        }
        try (Stream<Path> s = Files.list(store.root().resolve("layers/sha256"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void unknownNamesAndRegistriesFailClearly() throws Exception {
        assertThatThrownBy(() -> images.pull(ref("test/multi:nope"), opts()))
                .hasMessageContaining("manifest for " + registry.host() + "/test/multi:nope not found");
        assertThatThrownBy(() -> images.pull(ref("no/such"), opts())).hasMessageContaining("not found");
        int closed = TestRegistry.freePort();
        assertThatThrownBy(() -> images.pull("127.0.0.1:" + closed + "/x", opts()))
                .hasMessageContaining("cannot connect to registry 127.0.0.1:" + closed);
        assertThatThrownBy(() -> store.resolve("nothing-here")).hasMessage("No such image: nothing-here");
    }

    @Test
    void corruptedAndTruncatedBlobsAreRejectedAndAResumedDownloadCompletes() throws Exception {
        // an image of its own in a repository of its own, so that corrupting its blob affects no other test
        OciLayoutBuilder b = new OciLayoutBuilder(tmp.resolve("own"));
        byte[] big = new byte[3 << 20];
        new java.util.Random(1).nextBytes(big);
        Layer layer = new Layer(new TarBuilder().file("big", big, 0644, 0, 0).tar(), Compression.GZIP);
        b.tag(b.image(new Platform("linux", "amd64", null), List.of(layer), null), "own");
        registry.push(b.dir(), "own", "test/own:1", false);
        Digest blob = Digest.sha256(layer.blob());

        // resume: half of the blob is already there from an interrupted pull
        byte[] compressed = layer.blob();
        Files.write(store.partialBlob(blob), java.util.Arrays.copyOf(compressed, compressed.length / 2));
        Image img = images.pull(ref("test/own:1"), opts());
        assertThat(Files.readAllBytes(store.layerDir(img.diffIds().get(0)).resolve("big"))).isEqualTo(big);
        store.remove(ref("test/own:1"), false);
        assertThat(store.hasBlob(blob)).isFalse();

        // the registry serves corrupted content
        Path data = registry.blobFile(blob);
        byte[] orig = Files.readAllBytes(data);
        byte[] bad = orig.clone();
        bad[bad.length / 2] ^= 1;
        Files.write(data, bad);
        try {
            assertThatThrownBy(() -> images.pull(ref("test/own:1"), opts())).hasMessageContaining("digest mismatch")
                    .hasMessageContaining(blob.toString());
            assertThat(store.find(ref("test/own:1"))).isEmpty();
            assertThat(store.hasBlob(blob)).isFalse();
            Files.write(data, java.util.Arrays.copyOf(orig, orig.length - 1000));
            assertThatThrownBy(() -> images.pull(ref("test/own:1"), opts())).isInstanceOf(ImageException.class)
                    .hasMessageContaining(blob.toString());
            assertThat(store.find(ref("test/own:1"))).isEmpty();
        } finally {
            Files.write(data, orig);
        }
        assertThat(images.pull(ref("test/own:1"), opts()).id()).isEqualTo(img.id());
    }

    @Test
    void concurrentPullsOfOneImageFromThreadsAndAnotherProcess() throws Exception {
        // another JVM pulling into the same store at the same time (file locks between processes)
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ImageMain.class.getName(), "--root", store.root().toString(),
                "-q", "pull", ref("test/multi:v1")).redirectErrorStream(true).start();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Image>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) fs.add(pool.submit(() -> images.pull(ref("test/multi:v1"), Images.PullOptions.defaults())));
            Set<Digest> ids = new java.util.HashSet<>();
            for (Future<Image> f : fs) ids.add(f.get().id());
            assertThat(ids).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        String out = new String(other.getInputStream().readAllBytes());
        assertThat(other.waitFor()).as(out).isZero();
        assertThat(out.strip()).isEqualTo(ref("test/multi:v1"));
        assertThat(store.images()).hasSize(1);
        try (Stream<Path> s = Files.list(store.root().resolve("layers/sha256"))) {
            assertThat(s).hasSize(3);
        }
        try (Stream<Path> s = Files.list(store.tmpDir())) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void listRemoveAndCollect() throws Exception {
        Image img = images.pull(ref("test/multi:v1"), opts());
        store.tag(img, Reference.parse("local/alias:2"));
        assertThat(store.resolve("local/alias:2").id()).isEqualTo(img.id());
        assertThatThrownBy(() -> store.remove(img.id().shortHex(), false)).hasMessageContaining("must be forced");
        ImageStore.Removal r = store.remove("local/alias:2", false);
        assertThat(r.untagged()).containsExactly("local/alias:2");
        assertThat(r.deleted()).isEmpty();
        assertThat(store.hasLayer(img.diffIds().get(0))).isTrue();
        r = store.remove(ref("test/multi:v1"), false);
        assertThat(r.deleted()).containsExactly(img.id());
        assertThat(store.images()).isEmpty();
        for (Digest d : img.diffIds()) assertThat(store.hasLayer(d)).isFalse();
        try (Stream<Path> s = Files.list(store.root().resolve("blobs/sha256"))) {
            assertThat(s).isEmpty();
        }
        assertThatThrownBy(() -> store.remove("gone", false)).hasMessage("No such image: gone");
    }

    @Test
    void ociLayoutAndDockerArchiveRoundTrips() throws Exception {
        Image img = images.pull(ref("test/multi:v1"), opts());
        Archives ar = new Archives(store);
        Path oci = tmp.resolve("out-oci");
        ar.save(List.of(ref("test/multi:v1")), oci, Archives.Format.OCI_DIR);
        Path ociTar = tmp.resolve("out-oci.tar");
        ar.save(List.of(ref("test/multi:v1")), ociTar, Archives.Format.OCI_TAR);
        Path docker = tmp.resolve("out-docker.tar");
        ar.save(List.of(ref("test/multi:v1")), docker, Archives.Format.DOCKER_ARCHIVE);

        // other tools read what we wrote
        assertThat(TestRegistry.run(List.of(TestRegistry.SKOPEO, "inspect", "--raw", "oci:" + oci))).contains(img.id().toString());
        assertThat(TestRegistry.run(List.of(TestRegistry.SKOPEO, "inspect", "--config", "docker-archive:" + docker)))
                .contains(img.diffIds().get(2).toString());

        for (Path src : List.of(oci, ociTar, docker)) {
            ImageStore other = ImageStore.open(tmp.resolve("store-" + src.getFileName()));
            List<Image> loaded = new Archives(other).load(src, null, Platform.host(), PullProgress.QUIET);
            assertThat(loaded).singleElement().satisfies(i -> {
                assertThat(i.id()).isEqualTo(img.id());
                assertThat(i.diffIds()).isEqualTo(img.diffIds());
            });
            Image again = other.resolve(ref("test/multi:v1"));
            assertThat(Files.readAllBytes(other.layerDir(again.diffIds().get(0)).resolve("bin/busybox")))
                    .isEqualTo(Files.readAllBytes(Path.of("/bin/busybox")));
            if (!src.equals(docker)) assertThat(again.manifestDigest()).isEqualTo(img.manifestDigest());
        }
        // a layout skopeo wrote, loaded with a name for its tag-only ref
        ImageStore other = ImageStore.open(tmp.resolve("store-skopeo"));
        List<Image> fromSkopeo = new Archives(other).load(layout, "example.com/built", Platform.host(), PullProgress.QUIET);
        assertThat(other.resolve("example.com/built:multi").id()).isEqualTo(img.id());
        assertThat(fromSkopeo).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void basicAuthRegistry() throws Exception {
        try (TestRegistry auth = TestRegistry.start(tmp.resolve("auth-registry"), "alice", "s3cret")) {
            auth.push(layout, "multiarch", "private/img:1", true);
            String r = auth.host() + "/private/img:1";
            assertThatThrownBy(() -> images.pull(r, opts())).hasMessageContaining("authentication required by " + auth.host());

            CredentialStore creds = new CredentialStore(tmp.resolve("auth.json"), List.of());
            RegistryClient client = new RegistryClient(new RegistryClient.Options(creds, Set.of(), Duration.ofSeconds(10), 1));
            assertThatThrownBy(() -> client.login(auth.host(), new Credentials("alice", "wrong"))).hasMessageContaining("unauthorized");
            client.login(auth.host(), new Credentials("alice", "s3cret"));
            creds.store(auth.host(), new Credentials("alice", "s3cret"));
            Image img = new Images(store, client).pull(r, opts());
            assertThat(Files.readString(store.layerDir(img.diffIds().get(0)).resolve("arch"))).isEqualTo("amd64");

            // docker's config.json works the same
            Path dockerCfg = tmp.resolve("docker/config.json");
            Files.createDirectories(dockerCfg.getParent());
            Files.writeString(dockerCfg, "{\"auths\":{\"http://" + auth.host() + "\":{\"auth\":\""
                    + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes()) + "\"}}}");
            RegistryClient viaDocker = new RegistryClient(new RegistryClient.Options(
                    new CredentialStore(null, List.of(dockerCfg)), Set.of(), Duration.ofSeconds(10), 1));
            assertThat(viaDocker.manifest(Reference.parse(r)).mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        }
    }

    @Test
    void bearerTokenRegistry() throws Exception {
        try (TokenServer tokens = new TokenServer(tmp.resolve("tokens"), "bob", "pw");
             TestRegistry reg = TestRegistry.start(tmp.resolve("token-registry"), "bob", "pw", tokens)) {
            reg.push(layout, "multiarch", "public/img:1", true);
            reg.push(layout, "multiarch", "private/img:1", true);
            // anonymous: a token with pull access to public/ only (what Docker Hub gives)
            Image pub = images.pull(reg.host() + "/public/img:1", opts());
            assertThat(Files.readString(store.layerDir(pub.diffIds().get(0)).resolve("arch"))).isEqualTo("amd64");
            assertThat(tokens.requests).contains("anonymous repository:public/img:pull");
            assertThatThrownBy(() -> images.pull(reg.host() + "/private/img:1", opts()))
                    .hasMessageContaining("unauthorized");
            // with credentials the token server checks
            CredentialStore creds = new CredentialStore(tmp.resolve("auth2.json"), List.of());
            creds.store(reg.host(), new Credentials("bob", "pw"));
            RegistryClient client = new RegistryClient(new RegistryClient.Options(creds, Set.of(), Duration.ofSeconds(10), 1));
            Image priv = new Images(store, client).pull(reg.host() + "/private/img:1", opts());
            assertThat(priv.id()).isEqualTo(pub.id());
            assertThat(tokens.requests).contains("bob repository:private/img:pull");
            creds.store(reg.host(), new Credentials("bob", "nope"));
            RegistryClient wrong = new RegistryClient(new RegistryClient.Options(creds, Set.of(), Duration.ofSeconds(10), 1));
            assertThatThrownBy(() -> wrong.manifest(Reference.parse(reg.host() + "/private/img:1")))
                    .hasMessageContaining("refused the credentials of bob");
            client.login(reg.host(), new Credentials("bob", "pw"));
        }
    }

    @Test
    void progressOnANonTerminal() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        var out = new java.io.PrintStream(bytes, true);
        images.pull(ref("test/multi:v1"), opts().withProgress(new ConsoleProgress(out, false)));
        String text = bytes.toString();
        assertThat(text).contains("v1: Pulling from " + registry.host() + "/test/multi");
        assertThat(text.lines().filter(l -> l.endsWith(": Pull complete"))).hasSize(3);
        assertThat(text).doesNotContain("\033[");
        assertThat(ConsoleProgress.human(12_345_678)).isEqualTo("12.3MB");
    }
}
