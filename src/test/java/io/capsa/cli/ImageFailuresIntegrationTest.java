package io.capsa.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capsa.image.Digest;
import io.capsa.image.OciLayoutBuilder;
import io.capsa.image.OciLayoutBuilder.Compression;
import io.capsa.image.OciLayoutBuilder.Layer;
import io.capsa.image.Platform;
import io.capsa.image.SlowProxy;
import io.capsa.image.TarBuilder;
import io.capsa.image.TestRegistry;
import io.capsa.image.TokenServer;
import io.capsa.testing.TestPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image commands of {@code bin/capsa} on bad input and under stress, against Debian's docker-registry on
 * 127.0.0.1: a full disk (the store on a small tmpfs of the test's own) during pull, load and run; a pull killed
 * with SIGKILL in the middle of a layer; two pulls of one image at once; unknown names and registries, refused
 * credentials, altered and truncated content. Each failure must give a clear message naming the image or blob, a
 * non-zero exit, and leave the store consistent: nothing under the name, every blob in blobs/ complete (its bytes
 * hash to its name), no temporary files but resumable downloads, no lock held; and the next attempt works.
 */
@Tag("integration")
class ImageFailuresIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MIB = 1 << 20;

    static Path work;
    static TestRegistry registry;
    /** An 8 MiB layer of random bytes (incompressible). */
    static Layer big;
    /** busybox, for images that run. */
    static Layer busybox;
    /** The last layer of each image pushed, by tag. */
    static final java.util.Map<String, Layer> LAST = new java.util.HashMap<>();

    @BeforeAll
    static void startRegistryAndPush() throws Exception {
        TestRegistry.assumeTools();
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static");
        work = TestPaths.newDir("image-failures-");
        registry = TestRegistry.start(work.resolve("registry"), null, null);
        Path bb = work.resolve("bbroot");
        Files.createDirectories(bb.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bb.resolve("bin/busybox"));
        for (String a : List.of("sh", "true", "echo", "cat")) Files.createSymbolicLink(bb.resolve("bin/" + a), Path.of("busybox"));
        busybox = new Layer(new TarBuilder().tree(bb, "").dir("tmp", 01777).tar(), Compression.GZIP);
        big = new Layer(new TarBuilder().file("big", random(8 * MIB, 1), 0644, 0, 0).tar(), Compression.GZIP);
        // 16 MiB of zeros: a small blob whose unpacked layer is large
        Layer zeros = new Layer(new TarBuilder().file("zeros", new byte[16 * MIB], 0644, 0, 0).tar(), Compression.GZIP);
        byte[] cutTar = new TarBuilder().file("a", "a", 0644).file("cut", random(100_000, 2), 0644, 0, 0).tar();
        Layer truncatedTar = new Layer(Arrays.copyOf(cutTar, cutTar.length / 2), Compression.GZIP);

        OciLayoutBuilder b = new OciLayoutBuilder(work.resolve("layout"));
        java.util.Map<String, List<Layer>> images = new java.util.LinkedHashMap<>();
        images.put("big", List.of(big));
        images.put("zeros", List.of(busybox, zeros));
        images.put("bb", List.of(busybox));
        images.put("altered", List.of(new Layer(new TarBuilder().file("x", random(MIB, 3), 0644, 0, 0).tar(), Compression.GZIP)));
        images.put("short", List.of(new Layer(new TarBuilder().file("x", random(MIB, 4), 0644, 0, 0).tar(), Compression.GZIP)));
        images.put("cut", List.of(truncatedTar));
        images.put("evil", List.of(new Layer(new TarBuilder().file("ok", "ok", 0644)
                .file("../../../../capsa-evil-traversal", "x", 0644).tar(), Compression.GZIP)));
        for (var e : images.entrySet()) {
            b.tag(b.image(new Platform("linux", "amd64", null), e.getValue(), null), e.getKey());
            LAST.put(e.getKey(), e.getValue().get(e.getValue().size() - 1));
        }
        for (String t : images.keySet()) registry.push(b.dir(), t, "test/" + t + ":1", false);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) registry.close();
        if (work != null) TestPaths.deleteTree(work);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String ref(String repoAndTag) {
        return registry.host() + "/" + repoAndTag;
    }

    static Digest layerDigest(Layer l) {
        return Digest.sha256(l.blob());
    }

    // ---- store checks ----

    /** The store is consistent and names nothing as {@code name}: see the class comment. */
    static void assertConsistent(Path root, String name, boolean partialsAllowed) throws Exception {
        Path index = root.resolve("images.json");
        if (Files.exists(index)) {
            for (JsonNode e : JSON.readTree(index.toFile()).path("images")) {
                for (JsonNode n : e.path("names")) assertThat(n.asText()).as("a name in images.json").isNotEqualTo(name);
            }
        }
        try (Stream<Path> s = Files.list(root.resolve("blobs/sha256"))) {
            for (Path p : s.toList()) assertThat(sha256(p)).as("blob " + p + " is complete").isEqualTo(p.getFileName().toString());
        }
        try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
            List<String> left = s.map(p -> p.getFileName().toString())
                    .filter(n -> !(partialsAllowed && n.matches("blob-[0-9a-f]{64}\\.partial"))).toList();
            assertThat(left).as("temporary files left in " + root.resolve("tmp")).isEmpty();
        }
        assertNoLockHeld(root);
    }

    /** Every lock file of the store can be locked exclusively: no process holds (or left held) one. */
    static void assertNoLockHeld(Path root) throws IOException {
        Path locks = root.resolve("locks");
        if (!Files.isDirectory(locks)) return;
        try (Stream<Path> s = Files.list(locks)) {
            for (Path p : s.toList()) {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    FileLock l = ch.tryLock();
                    assertThat(l).as("lock " + p + " is free").isNotNull();
                    l.release();
                }
            }
        }
    }

    static String sha256(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    static void assertFailed(FrontCli.Result r, int exit, String... inMessage) {
        System.out.println(r); // the messages, for the record (target/surefire-reports/*-output.txt)
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(exit);
        for (String m : inMessage) assertThat(r.stderr()).as(r.toString()).containsIgnoringCase(m);
    }

    // ---- a small tmpfs as the store ----

    /** A tmpfs of the test's own mounted on the store directory; a filler file takes all but some of it. */
    static final class SmallDisk implements AutoCloseable {
        final FrontCli cli;
        final Path dir;
        final Path filler;

        SmallDisk(FrontCli cli, int mib) throws Exception {
            this.cli = cli;
            this.dir = cli.root();
            Files.createDirectories(dir);
            sh("mount", "-t", "tmpfs", "-o", "size=" + mib + "m,mode=0711", "capsa-test-small", dir.toString());
            filler = dir.resolve("filler");
        }

        /** Fills the disk but for {@code free} bytes (0: until writes fail). */
        void leave(long free) throws IOException {
            Files.deleteIfExists(filler);
            long avail = Files.getFileStore(dir).getUsableSpace();
            long want = free == 0 ? Long.MAX_VALUE : avail - free;
            byte[] buf = new byte[1 << 16];
            Arrays.fill(buf, (byte) 1);
            try (OutputStream out = Files.newOutputStream(filler)) {
                for (long n = 0; n < want; n += buf.length) out.write(buf, 0, (int) Math.min(buf.length, want - n));
            } catch (IOException e) {
                if (free != 0 || !String.valueOf(e.getMessage()).contains("No space left")) throw e;
            }
        }

        /** Fills the disk but for {@code pages} pages of 4 KiB (tmpfs allocates whole pages). */
        void leavePages(int pages) throws IOException {
            free();
            List<Path> spare = new java.util.ArrayList<>();
            for (int i = 0; i < pages; i++) {
                Path f = dir.resolve("spare-" + i);
                Files.write(f, new byte[4096]);
                spare.add(f);
            }
            leave(0);
            for (Path f : spare) Files.delete(f);
        }

        /** Frees the space the filler took. */
        void free() throws IOException {
            Files.deleteIfExists(filler);
        }

        @Override
        public void close() throws Exception {
            // containers first (their overlays are on this disk), then the disk
            FrontCli.Result ps = cli.run("ps", "-aq", "--no-trunc");
            for (String id : ps.stdout().lines().filter(l -> !l.isBlank()).toList()) cli.run("rm", "-f", "-v", id);
            try {
                sh("umount", dir.toString());
            } catch (AssertionError e) {
                sh("umount", "-l", dir.toString());
                throw e;
            }
        }
    }

    static String sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    // ---- 1. a full disk ----

    @Test
    void fullDiskDuringPull() throws Exception {
        String name = ref("test/big:1");
        try (FrontCli cli = new FrontCli(); SmallDisk disk = new SmallDisk(cli, 32)) {
            disk.leave(6 * MIB);
            FrontCli.Result r = cli.run("pull", "-q", name);
            assertFailed(r, 1, "no space left on device", layerDigest(big).toString(), cli.root().toString());
            assertConsistent(cli.root(), name, false);
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
            assertThat(count(cli.root().resolve("layers/sha256"))).isZero();

            disk.free();
            assertThat(cli.run("pull", "-q", name).assertOk().stdout()).isEqualTo(name + "\n");
            assertThat(cli.run("images").assertOk().stdout()).contains(registry.host() + "/test/big");
            assertConsistent(cli.root(), null, false);
            assertThat(count(cli.root().resolve("layers/sha256"))).isEqualTo(1);
        }
    }

    @Test
    void fullDiskDuringLoad() throws Exception {
        Path archive = work.resolve("big-" + System.nanoTime() + ".tar");
        TestRegistry.run(List.of(TestRegistry.SKOPEO, "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                "docker://" + ref("test/big:1"), "docker-archive:" + archive + ":localhost/big:1"));
        String name = "localhost/big:1";
        try (FrontCli cli = new FrontCli(); SmallDisk disk = new SmallDisk(cli, 32)) {
            disk.leave(6 * MIB);
            FrontCli.Result r = cli.run("load", "-i", archive.toString());
            assertFailed(r, 1, "no space left on device", archive.toString());
            assertConsistent(cli.root(), name, false);
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
            assertThat(count(cli.root().resolve("layers/sha256"))).isZero();

            disk.free();
            assertThat(cli.run("load", "-i", archive.toString()).assertOk().stdout()).contains("Loaded image: " + name);
            assertConsistent(cli.root(), null, false);
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    @Test
    void fullDiskDuringRunUnpacksNothingAndLeavesNoContainer() throws Exception {
        String name = ref("test/zeros:1");
        try (FrontCli cli = new FrontCli(); SmallDisk disk = new SmallDisk(cli, 32)) {
            disk.leave(6 * MIB);
            // run pulls the image: the blobs fit, the unpacked zeros do not. Layers download and unpack in
            // parallel, so the first layer's unpack may fill the disk while the second blob still downloads:
            // then the blob is the one named
            FrontCli.Result r = cli.run("run", "--rm", "--cgroup-parent", cli.cgroupParent(), name, "true");
            assertFailed(r, 125, "no space left on device", "sha256:");
            assertThat(r.stderr()).as(r.toString()).containsPattern("(layer|blob) sha256:[0-9a-f]{64}");
            assertConsistent(cli.root(), name, false);
            assertRunLeftNothing(cli);

            disk.free();
            assertThat(cli.run("run", "--rm", "--cgroup-parent", cli.cgroupParent(), name, "echo", "fits")
                    .assertOk().stdout()).isEqualTo("fits\n");
            assertRunLeftNothing(cli);
        }
    }

    @Test
    void runOnANearlyFullDiskWorksOrFailsCleanlyWhereverTheSpaceEnds() throws Exception {
        // the image is in the store; then the disk has 0, 1, 2... pages free until a run fits: each write of run
        // (the container's record, the root filesystem's record and overlay, hostname, hosts, resolv.conf,
        // config.json, the record again) is the one that fails in one of them
        String bb = ref("test/bb:1");
        try (FrontCli cli = new FrontCli(); SmallDisk disk = new SmallDisk(cli, 16)) {
            cli.run("pull", "-q", bb).assertOk();
            // every page up to 3, then every other one (a run is about ten pages: this is about time)
            for (int pages = 0; ; pages += pages < 3 ? 1 : 2) {
                assertThat(pages).as("a run fits in 24 pages").isLessThan(24);
                disk.leavePages(pages);
                FrontCli.Result r = cli.run("run", "--rm", "--cgroup-parent", cli.cgroupParent(), bb, "echo", "fits");
                System.out.println(pages + " pages free: " + r);
                if (r.exitCode() == 0) {
                    assertThat(r.stdout()).isEqualTo("fits\n");
                    assertThat(pages).as("a run needs some space").isGreaterThan(0);
                    break;
                }
                assertFailed(r, 125, "no space left on device");
                assertConsistent(cli.root(), null, false);
                assertRunLeftNothing(cli);
            }
            assertRunLeftNothing(cli);
        }
    }

    static void assertRunLeftNothing(FrontCli cli) throws IOException {
        assertThat(cli.run("ps", "-aq").assertOk().stdout()).isEmpty();
        assertThat(count(cli.root().resolve("rootfs"))).as("rootfs/").isZero();
        Path containers = cli.root().resolve("containers");
        if (Files.isDirectory(containers)) {
            try (Stream<Path> s = Files.list(containers)) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))).as("containers/").isEmpty();
            }
        }
        assertThat(TestPaths.mountsUnder(cli.root())).as("mounts").allMatch(cli.root()::equals); // the disk itself
    }

    // ---- 2. an interrupted pull ----

    @Test
    void pullKilledInTheMiddleOfALayerResumes() throws Exception {
        Digest blob = layerDigest(big);
        long size = big.blob().length;
        try (FrontCli cli = new FrontCli(); SlowProxy proxy = new SlowProxy(registry.port(), 2 * MIB)) {
            String name = proxy.host() + "/test/big:1";
            FrontCli.Launched pull = cli.start("pull", "-q", name);
            Path partial = cli.root().resolve("tmp/blob-" + blob.hex() + ".partial");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(Files.exists(partial) && Files.size(partial) >= MIB)) {
                assertThat(pull.process.isAlive()).as("pull still running: " + pull.result(-1)).isTrue();
                assertThat(System.nanoTime()).as("no partial download seen").isLessThan(deadline);
                Thread.sleep(20);
            }
            pull.process.destroyForcibly(); // SIGKILL
            assertThat(pull.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long have = Files.size(partial);
            assertThat(have).isBetween((long) MIB, size - 1);
            // what was written is the start of the blob: the next pull can resume it
            assertThat(Arrays.copyOf(Files.readAllBytes(partial), (int) have)).isEqualTo(Arrays.copyOf(big.blob(), (int) have));
            assertThat(Files.exists(cli.root().resolve("blobs/sha256/" + blob.hex()))).isFalse();
            assertConsistent(cli.root(), name, true);
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();

            // what a pull or load killed later (unpacking, extracting an archive) leaves: the next pull tidies it
            Files.createDirectories(cli.root().resolve("tmp/layer-" + Digest.sha256(big.tar()).hex() + "-killed/dir"));
            Files.createDirectories(cli.root().resolve("tmp/load-killed/blobs"));

            proxy.rate(64L * MIB);
            proxy.reset();
            assertThat(cli.run("pull", "-q", name).assertOk().stdout()).isEqualTo(name + "\n");
            // resumed: only the rest of the layer came over the wire (plus manifest and config)
            assertThat(proxy.sent()).isLessThan(size - have + 64 * 1024);
            assertConsistent(cli.root(), null, false);
            assertThat(Files.size(cli.root().resolve("layers/sha256").resolve(Digest.sha256(big.tar()).hex()).resolve("big")))
                    .isEqualTo(8L * MIB);
        }
    }

    // ---- 3. concurrent pulls ----

    @Test
    void twoProcessesPullOneImageAtOnce() throws Exception {
        long size = big.blob().length;
        try (FrontCli cli = new FrontCli(); SlowProxy proxy = new SlowProxy(registry.port(), 4 * MIB)) {
            String name = proxy.host() + "/test/big:1";
            FrontCli.Launched a = cli.start("pull", "-q", name), b = cli.start("pull", "-q", name);
            for (FrontCli.Launched l : List.of(a, b)) {
                assertThat(l.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                FrontCli.Result r = l.result(l.process.exitValue());
                assertThat(r.exitCode()).as(r.toString()).isZero();
                assertThat(r.stdout()).isEqualTo(name + "\n");
            }
            // the layer came over the wire once
            assertThat(proxy.sent()).isLessThan(size + size / 2);
            JsonNode images = JSON.readTree(cli.root().resolve("images.json").toFile()).path("images");
            assertThat(images).hasSize(1);
            assertThat(images.get(0).path("names")).extracting(JsonNode::asText).containsExactly(name);
            assertThat(count(cli.root().resolve("blobs/sha256"))).isEqualTo(3); // manifest, config, layer
            assertThat(count(cli.root().resolve("layers/sha256"))).isEqualTo(1);
            assertConsistent(cli.root(), null, false);
        }
    }

    // ---- 4. bad names, registries, credentials, content ----

    @Test
    void unknownImagesTagsAndRegistries() throws Exception {
        try (FrontCli cli = new FrontCli()) {
            assertFailed(cli.run("pull", "-q", ref("no/such:1")), 1, ref("no/such:1"), "not found");
            assertFailed(cli.run("pull", "-q", ref("test/bb:nope")), 1, ref("test/bb:nope"), "not found");
            int closed = freePort();
            assertFailed(cli.run("pull", "-q", "127.0.0.1:" + closed + "/x:1"), 1,
                    "cannot connect to registry 127.0.0.1:" + closed);
            assertFailed(cli.run("run", "--rm", "--pull", "never", ref("test/bb:1"), "true"), 125, "No such image");
            assertFailed(cli.run("run", "--rm", ref("no/such:1"), "true"), 125, ref("no/such:1"), "not found");
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
            assertRunLeftNothing(cli);
            assertConsistent(cli.root(), null, false);
        }
    }

    @Test
    void refusedCredentials() throws Exception {
        try (FrontCli cli = new FrontCli()) {
            try (TestRegistry auth = TestRegistry.start(cli.dir().resolve("auth-registry"), "alice", "s3cret")) {
                auth.push(work.resolve("layout"), "bb", "private/bb:1", false);
                String name = auth.host() + "/private/bb:1";
                assertFailed(cli.run("pull", "-q", name), 1, name, "authentication required");
                dockerConfig(cli, auth.host(), "alice", "wrong");
                assertFailed(cli.run("pull", "-q", name), 1, name, "refused the credentials of alice");
                assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
                dockerConfig(cli, auth.host(), "alice", "s3cret");
                cli.run("pull", "-q", name).assertOk();
                cli.run("rmi", name).assertOk();
            }
            try (TokenServer tokens = new TokenServer(cli.dir().resolve("tokens"), "bob", "pw");
                 TestRegistry reg = TestRegistry.start(cli.dir().resolve("token-registry"), "bob", "pw", tokens)) {
                reg.push(work.resolve("layout"), "bb", "private/bb:1", false);
                String name = reg.host() + "/private/bb:1";
                Files.deleteIfExists(cli.dir().resolve("docker-config/config.json"));
                assertFailed(cli.run("pull", "-q", name), 1, name, "unauthorized");
                dockerConfig(cli, reg.host(), "bob", "wrong");
                assertFailed(cli.run("pull", "-q", name), 1, name, "token server", "refused the credentials of bob");
            }
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
            assertConsistent(cli.root(), null, false);
        }
    }

    static void dockerConfig(FrontCli cli, String registry, String user, String password) throws IOException {
        Path f = cli.dir().resolve("docker-config/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"auths\":{\"" + registry + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString((user + ":" + password).getBytes()) + "\"}}}");
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void alteredAndTruncatedBlobsAreRefused() throws Exception {
        try (FrontCli cli = new FrontCli()) {
            // the registry serves altered bytes
            String altered = ref("test/altered:1");
            Digest m = lastLayer("altered");
            Path data = registry.blobFile(m);
            byte[] orig = Files.readAllBytes(data);
            byte[] bad = orig.clone();
            bad[bad.length / 2] ^= 1;
            Files.write(data, bad);
            try {
                assertFailed(cli.run("pull", "-q", altered), 1, "digest mismatch", m.toString());
            } finally {
                Files.write(data, orig);
            }
            assertConsistent(cli.root(), altered, false);
            assertThat(Files.exists(cli.root().resolve("blobs/sha256/" + m.hex()))).isFalse();

            // the registry serves a truncated blob
            String shortRef = ref("test/short:1");
            Digest s = lastLayer("short");
            Path sdata = registry.blobFile(s);
            byte[] sorig = Files.readAllBytes(sdata);
            Files.write(sdata, Arrays.copyOf(sorig, sorig.length - 1000));
            try {
                assertFailed(cli.run("pull", "-q", shortRef), 1, s.toString(),
                        "size mismatch: the registry has " + (sorig.length - 1000) + " bytes, the manifest says " + sorig.length);
            } finally {
                Files.write(sdata, sorig);
            }
            assertConsistent(cli.root(), shortRef, false);
            assertThat(cli.run("pull", "-q", shortRef).assertOk().stdout()).isEqualTo(shortRef + "\n");
            assertThat(cli.run("images").assertOk().stdout().lines().skip(1)).singleElement().asString().contains("test/short");
        }
    }

    @Test
    void brokenAndHostileLayersAreRefused() throws Exception {
        try (FrontCli cli = new FrontCli()) {
            // a layer whose tar is cut short (its digests match: the image itself is broken)
            String cut = ref("test/cut:1");
            assertFailed(cli.run("pull", "-q", cut), 1, "layer " + lastLayer("cut"), "\"cut\"");
            assertConsistent(cli.root(), cut, false);

            // a layer with an entry that escapes
            String evil = ref("test/evil:1");
            assertFailed(cli.run("pull", "-q", evil), 1, "layer " + lastLayer("evil"), "refused");
            assertThat(Files.exists(Path.of("/capsa-evil-traversal"))).isFalse();
            assertConsistent(cli.root(), evil, false);
            assertThat(count(cli.root().resolve("layers/sha256"))).isZero();
            assertThat(cli.run("images", "-q").assertOk().stdout()).isEmpty();
        }
    }

    /** The digest of the last layer of a test image (by tag). */
    static Digest lastLayer(String tag) {
        return layerDigest(LAST.get(tag));
    }
}
