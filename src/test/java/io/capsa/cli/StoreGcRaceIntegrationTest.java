package io.capsa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capsa.image.OciLayoutBuilder;
import io.capsa.image.OciLayoutBuilder.Compression;
import io.capsa.image.OciLayoutBuilder.Layer;
import io.capsa.image.Platform;
import io.capsa.image.TarBuilder;
import io.capsa.testing.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Garbage collection of the image store against every other store operation of another process, for real:
 * separate JVMs ({@link StoreRaceDriver}) on one store, each repeating one front-end command for some seconds
 * while one of them collects garbage in a loop (and through {@code rmi} of an image it loads and removes). Every
 * command must succeed (or, for a tag of the image that comes and goes, say "No such image"), and the store must
 * be consistent after: every image in images.json has its manifest, config and layer blobs (hashing to their
 * names) and its unpacked layers, tmp/ is empty, no lock is held, and the front end lists and saves the images.
 */
@Tag("integration")
class StoreGcRaceIntegrationTest {
    static final long MILLIS = Long.getLong("capsa.gcRaceMillis", 20_000);
    static final String X = "localhost/x:1";
    static final String Y = "localhost/y:1";

    @Test
    void gcIsSafeAgainstConcurrentOperationsOfOtherProcesses() throws Exception {
        try (FrontCli cli = new FrontCli()) {
            Path xTar = archive(cli.dir().resolve("x"), X, 1);
            Path yTar = archive(cli.dir().resolve("y"), Y, 2);
            cli.run("load", "-i", xTar.toString()).assertOk();
            Files.createDirectories(cli.runRoot());

            Map<String, List<String>> modes = new LinkedHashMap<>();
            modes.put("gc", List.of(X, yTar.toString(), Y));
            modes.put("tag", List.of(X));
            modes.put("victim", List.of(Y));
            modes.put("load", List.of(xTar.toString()));
            modes.put("save", List.of(X));
            modes.put("images", List.of(X));
            List<Process> procs = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            for (var m : modes.entrySet()) {
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                        "-cp", System.getProperty("java.class.path"), StoreRaceDriver.class.getName(),
                        m.getKey(), cli.root().toString(), cli.runRoot().toString(), Long.toString(MILLIS)));
                cmd.addAll(m.getValue());
                Path out = cli.dir().resolve("driver-" + m.getKey() + ".out");
                outs.add(out);
                procs.add(new ProcessBuilder(cmd).directory(cli.dir().toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start());
            }
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                if (!p.waitFor(MILLIS + 120_000, TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    failed.add("timed out: " + outs.get(i));
                }
                String out = Files.readString(outs.get(i)).strip();
                System.out.println(out); // the counts, for the record (target/surefire-reports/*-output.txt)
                if (p.exitValue() != 0) failed.add(out);
            }
            assertThat(failed).as("operations that failed while gc ran in another process").isEmpty();

            assertStoreConsistent(cli.root());
            assertThat(cli.run("images").assertOk().stdout()).contains("localhost/x");
            Path saved = cli.dir().resolve("saved.tar");
            cli.run("save", "-o", saved.toString(), X).assertOk();
            assertThat(Files.size(saved)).isGreaterThan(1024);
        }
    }

    /** An OCI layout (tar) of one image with a layer of its own, named {@code name}. */
    static Path archive(Path dir, String name, int seed) throws Exception {
        byte[] data = ImageFailuresIntegrationTest.random(256 * 1024, seed);
        TarBuilder t = new TarBuilder().dir("d", 0755);
        for (int i = 0; i < 20; i++) t.file("d/f" + i, "file " + i + " of " + name, 0644);
        t.file("d/random", data, 0644, 0, 0);
        OciLayoutBuilder b = new OciLayoutBuilder(dir);
        b.tag(b.image(Platform.host(), List.of(new Layer(t.tar(), Compression.GZIP)), null), name);
        Path tar = dir.resolveSibling(dir.getFileName() + ".tar");
        Files.write(tar, new TarBuilder().tree(dir, "").tar());
        return tar;
    }

    /**
     * Every image in the index has all its blobs and unpacked layers; every blob hashes to its name; nothing is
     * left in tmp/; no lock is held.
     */
    static void assertStoreConsistent(Path root) throws Exception {
        JsonNode index = ImageFailuresIntegrationTest.JSON.readTree(root.resolve("images.json").toFile());
        assertThat(index.path("images").size()).as("images in " + index).isGreaterThanOrEqualTo(1);
        for (JsonNode e : index.path("images")) {
            Path manifest = blob(root, e.path("manifest").asText());
            Path config = blob(root, e.path("config").asText());
            assertThat(manifest).as("manifest of " + e).exists();
            assertThat(config).as("config of " + e).exists();
            for (JsonNode l : ImageFailuresIntegrationTest.JSON.readTree(manifest.toFile()).path("layers")) {
                assertThat(blob(root, l.path("digest").asText())).as("layer blob of " + e).exists();
            }
            for (JsonNode d : ImageFailuresIntegrationTest.JSON.readTree(config.toFile()).path("rootfs").path("diff_ids")) {
                assertThat(root.resolve("layers/sha256").resolve(d.asText().substring(7))).as("unpacked layer of " + e).isDirectory();
            }
        }
        ImageFailuresIntegrationTest.assertConsistent(root, "localhost/no-such-name:none", false);
        try (Stream<Path> s = Files.list(root.resolve("layers/sha256"))) {
            assertThat(s.count()).as("unpacked layers (X's; Y's only if it stayed)").isBetween(1L, 2L);
        }
    }

    static Path blob(Path root, String digest) {
        assertThat(digest).startsWith("sha256:");
        return root.resolve("blobs/sha256").resolve(digest.substring(7));
    }
}
