package io.capsa.image.unpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capsa.image.Digest;
import io.capsa.image.TarBuilder;
import io.capsa.image.unpack.LayerUnpacker.Mode;
import io.capsa.sys.FsCalls;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unpacking real tars into real directories (as root: ownership, devices and trusted xattrs need it). */
class LayerUnpackerTest {
    static final LinkOption NF = LinkOption.NOFOLLOW_LINKS;
    static final String LAYER = "sha256:" + "0f".repeat(32);

    @TempDir
    Path tmp;
    Path dest;
    Path outside;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0, "needs root");
        dest = Files.createDirectory(tmp.resolve("layer"));
        outside = Files.createDirectory(tmp.resolve("outside"));
    }

    LayerUnpacker.Result unpack(byte[] blob, Mode mode) {
        return LayerUnpacker.unpack(new ByteArrayInputStream(blob), dest, mode, LAYER);
    }

    static int mode(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:mode", NF);
    }

    @Test
    void filesDirectoriesLinksDevicesOwnershipModesTimes() throws Exception {
        byte[] tar = new TarBuilder()
                .dir("etc", 0755)
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644)
                .file("bin/su", "#!su".getBytes(), 04755, 0, 0)
                .file("home/u/f", "data".getBytes(), 0600, 1000, 1001)
                .dir("tmp", 01777)
                .symlink("bin/sh", "/bin/busybox")
                .hardlink("etc/passwd-", "etc/passwd")
                .chr("dev/null", 1, 3)
                .fifo("run/fifo")
                .fileWithPax("etc/x", "x", 0644, "SCHILY.xattr.user.note", "hello")
                .tar();
        LayerUnpacker.Result r = unpack(tar, Mode.OVERLAY);
        assertThat(r.diffId()).isEqualTo(Digest.sha256(tar));
        assertThat(r.uncompressedSize()).isEqualTo(tar.length);
        assertThat(Files.readString(dest.resolve("etc/passwd"))).startsWith("root:x");
        assertThat(mode(dest.resolve("bin/su")) & 07777).isEqualTo(04755);
        assertThat(mode(dest.resolve("tmp")) & 07777).isEqualTo(01777);
        assertThat(mode(dest.resolve("home")) & 07777).isEqualTo(0755); // implicit parent
        assertThat(Files.getAttribute(dest.resolve("home/u/f"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(dest.resolve("home/u/f"), "unix:gid")).isEqualTo(1001);
        assertThat(Files.readSymbolicLink(dest.resolve("bin/sh")).toString()).isEqualTo("/bin/busybox");
        assertThat(Files.getAttribute(dest.resolve("etc/passwd-"), "unix:ino"))
                .isEqualTo(Files.getAttribute(dest.resolve("etc/passwd"), "unix:ino"));
        int devMode = mode(dest.resolve("dev/null"));
        assertThat(devMode & 0170000).isEqualTo(FsCalls.S_IFCHR);
        assertThat(Files.getAttribute(dest.resolve("dev/null"), "unix:rdev")).isEqualTo(FsCalls.makedev(1, 3));
        assertThat(mode(dest.resolve("run/fifo")) & 0170000).isEqualTo(FsCalls.S_IFIFO);
        assertThat(new String(FsCalls.lgetxattr(dest.resolve("etc/x"), "user.note"), StandardCharsets.UTF_8)).isEqualTo("hello");
        FileTime t = FileTime.fromMillis(TarBuilder.MTIME * 1000);
        assertThat(Files.getLastModifiedTime(dest.resolve("etc/passwd"), NF)).isEqualTo(t);
        assertThat(Files.getLastModifiedTime(dest.resolve("etc"), NF)).isEqualTo(t); // set after its children
        assertThat(Files.getLastModifiedTime(dest.resolve("bin/sh"), NF)).isEqualTo(t);
    }

    @Test
    void binaryXattrValuesSurvive() throws Exception {
        byte[] cap = HexFormat.of().parseHex("0000000200200000000000000000000000000000"); // cap_net_raw, not UTF-8 clean
        cap[4] = (byte) 0xff;
        byte[] tar = new TarBuilder().rawPax("SCHILY.xattr.user.bin", cap).file("ping", "elf", 0755).tar();
        unpack(tar, Mode.OVERLAY);
        assertThat(FsCalls.lgetxattr(dest.resolve("ping"), "user.bin")).isEqualTo(cap);
    }

    @ParameterizedTest
    @EnumSource(value = Compressor.class)
    void compressedLayersHaveTheDiffIdOfTheTar(Compressor c) throws Exception {
        byte[] tar = new TarBuilder().file("a", "x".repeat(10000), 0644).tar();
        LayerUnpacker.Result r = unpack(c.apply(tar), Mode.OVERLAY);
        assertThat(r.diffId()).isEqualTo(Digest.sha256(tar));
        assertThat(Files.readString(dest.resolve("a"))).hasSize(10000);
    }

    enum Compressor {
        NONE, GZIP, ZSTD;

        byte[] apply(byte[] b) {
            return switch (this) {
                case NONE -> b;
                case GZIP -> TarBuilder.gzip(b);
                case ZSTD -> TarBuilder.zstd(b);
            };
        }
    }

    @Test
    void overlayWhiteoutsBecomeOverlayfsWhiteouts() throws Exception {
        byte[] tar = new TarBuilder()
                .whiteout("etc/gone")
                .opaque("var/cache")
                .file("var/cache/new", "n", 0644)
                .dir("var/cache", 0700) // the directory entry after its opaque marker keeps the marker
                .file("kept", "k", 0644).whiteout("kept") // a whiteout never hides its own layer's file
                .tar();
        unpack(tar, Mode.OVERLAY);
        Path gone = dest.resolve("etc/gone");
        assertThat(mode(gone) & 0170000).isEqualTo(FsCalls.S_IFCHR);
        assertThat(Files.getAttribute(gone, "unix:rdev")).isEqualTo(0L);
        assertThat(FsCalls.lgetxattr(dest.resolve("var/cache"), "trusted.overlay.opaque")).isEqualTo(new byte[] {'y'});
        assertThat(mode(dest.resolve("var/cache")) & 07777).isEqualTo(0700);
        assertThat(Files.exists(dest.resolve("var/cache/.wh..wh..opq"), NF)).isFalse();
        assertThat(Files.readString(dest.resolve("kept"))).isEqualTo("k");
    }

    @Test
    void applyWhiteoutsDeleteWhatTheyHide() throws Exception {
        unpack(new TarBuilder()
                .file("etc/gone", "g", 0644)
                .file("etc/stays", "s", 0644)
                .file("var/cache/a/old", "o", 0644)
                .file("var/cache/b", "b", 0644)
                .file("opq2/lower", "l", 0644)
                .tar(), Mode.APPLY);
        unpack(new TarBuilder()
                .whiteout("etc/gone")
                .opaque("var/cache")
                .file("var/cache/new", "n", 0644)
                .file("opq2/mine", "m", 0644)
                .opaque("opq2") // after a sibling of this layer: the sibling stays
                .tar(), Mode.APPLY);
        assertThat(Files.exists(dest.resolve("etc/gone"), NF)).isFalse();
        assertThat(Files.exists(dest.resolve("etc/stays"))).isTrue();
        try (var s = Files.list(dest.resolve("var/cache"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("new");
        }
        try (var s = Files.list(dest.resolve("opq2"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("mine");
        }
    }

    @Test
    void applyReplacesDirectoriesAndLinksInsteadOfWritingThroughThem() throws Exception {
        Path victim = Files.writeString(outside.resolve("victim"), "safe");
        unpack(new TarBuilder().symlink("x", victim.toString()).file("d/f", "f", 0644).tar(), Mode.APPLY);
        unpack(new TarBuilder().file("x", "replaced", 0644).file("d", "now a file", 0644).tar(), Mode.APPLY);
        assertThat(Files.readString(victim)).isEqualTo("safe");
        assertThat(Files.isSymbolicLink(dest.resolve("x"))).isFalse();
        assertThat(Files.readString(dest.resolve("x"))).isEqualTo("replaced");
        assertThat(Files.readString(dest.resolve("d"))).isEqualTo("now a file");
    }

    void refused(Consumer<TarBuilder> build, String entry, String why) {
        TarBuilder b = new TarBuilder().file("ok", "ok", 0644);
        build.accept(b);
        byte[] tar = b.tar();
        for (Mode m : Mode.values()) {
            assertThatThrownBy(() -> unpack(TarBuilder.gzip(tar), m))
                    .isInstanceOf(UnsafeLayerException.class)
                    .hasMessageContaining("layer " + LAYER)
                    .hasMessageContaining("entry \"" + entry + "\"")
                    .hasMessageContaining(why)
                    .hasMessageContaining("refused");
        }
        try (var s = Files.list(outside)) {
            assertThat(s.filter(p -> !p.getFileName().toString().equals("victim"))).isEmpty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(Files.exists(tmp.resolve("evil"))).isFalse();
    }

    @Test
    void refusesDotDot() {
        refused(b -> b.file("../evil", "x", 0644), "../evil", "\"..\"");
        refused(b -> b.file("a/../../evil", "x", 0644), "a/../../evil", "\"..\"");
        refused(b -> b.dir("../evil", 0755), "../evil/", "\"..\"");
    }

    @Test
    void refusesAbsoluteNames() {
        refused(b -> b.file(tmp.resolve("evil").toString(), "x", 0644), tmp.resolve("evil").toString(), "absolute");
    }

    @Test
    void refusesWritingThroughSymbolicLinks() {
        refused(b -> b.symlink("out", outside.toString()).file("out/evil", "x", 0644), "out/evil", "symbolic link");
        refused(b -> b.symlink("up", "..").file("up/evil", "x", 0644), "up/evil", "symbolic link");
        refused(b -> b.symlink("d", "/").dir("d/evil", 0755), "d/evil/", "symbolic link");
        refused(b -> b.symlink("w", outside.toString()).whiteout("w/victim"), "w/.wh.victim", "symbolic link");
        refused(b -> b.symlink("o", outside.toString()).opaque("o"), "o/.wh..wh..opq", "symbolic link");
    }

    @Test
    void refusesHardLinksOutside() throws Exception {
        Files.writeString(outside.resolve("victim"), "secret");
        refused(b -> b.hardlink("h", "../outside/victim"), "h", "hard link");
        refused(b -> b.hardlink("h", outside.resolve("victim").toString()), "h", "hard link");
        refused(b -> b.symlink("s", outside.toString()).hardlink("h", "s/victim"), "h", "hard link");
        assertThat(Files.getAttribute(outside.resolve("victim"), "unix:nlink")).isEqualTo(1);
    }

    @Test
    void layersWithoutEndOfArchiveBlocksAreAccepted() throws Exception {
        // umoci ends a layer right after the last file's data: no padding, no end-of-archive blocks
        byte[] tar = new TarBuilder().file("a", "aaa", 0644).file("last", "x".repeat(1000), 0644).tar();
        int end = 512 + 512 + 512 + 1000; // two headers, a's data block, last's data without padding
        byte[] cut = java.util.Arrays.copyOf(tar, end);
        LayerUnpacker.Result r = unpack(TarBuilder.gzip(cut), Mode.OVERLAY);
        assertThat(r.diffId()).isEqualTo(Digest.sha256(cut));
        assertThat(Files.readString(dest.resolve("last"))).hasSize(1000);
        // but a file cut short is an error
        byte[] shorter = java.util.Arrays.copyOf(tar, end - 10);
        assertThatThrownBy(() -> unpack(shorter, Mode.OVERLAY)).hasMessageContaining("entry \"last\"");
    }

    @Test
    void badWhiteoutNamesAndTruncatedLayers() {
        refused(b -> b.file("a/.wh..", "", 0644), "a/.wh..", "whiteout");
        byte[] tar = TarBuilder.gzip(new TarBuilder().file("big", "y".repeat(100_000), 0644).tar());
        byte[] cut = java.util.Arrays.copyOf(tar, tar.length / 2);
        assertThatThrownBy(() -> unpack(cut, Mode.OVERLAY)).hasMessageContaining("layer " + LAYER)
                .hasMessageContaining("big");
    }
}
