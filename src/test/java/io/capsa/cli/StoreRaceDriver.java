package io.capsa.cli;

import io.capsa.image.store.ImageStore;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One process of {@link StoreGcRaceIntegrationTest}: repeats one store operation of the front end (through
 * {@link CapsaMain#execute}, the code {@code bin/capsa} runs, but many times in one JVM so that the operations of
 * the processes overlap often) until a deadline, then prints {@code MODE ops=N expected=E unexpected=U} and the
 * first unexpected failures, and exits 0 only if there were none.
 *
 * <pre>
 *   StoreRaceDriver MODE ROOT RUNROOT MILLIS ARGS...
 *     gc X_REF Y_TAR Y_REF     gc in a loop; every few: load -i Y_TAR, rmi -f Y's id (the front end's gc path)
 *     tag X_REF                tag X x-N, rmi x-N (untag only)
 *     victim Y_REF             tag Y y2-N, rmi y2-N: Y comes and goes (gc process): "No such image" is expected
 *     load X_TAR               load with the archive on stdin (the front end copies it into tmp/ first)
 *     save X_REF               save X to stdout (through a file in tmp/)
 *     images X_REF             images, inspect X
 * </pre>
 */
public final class StoreRaceDriver {
    private StoreRaceDriver() {}

    private static String mode;
    private static Path root;
    private static Path runRoot;
    private static int ops;
    private static int expected;
    private static final List<String> UNEXPECTED = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        mode = args[0];
        root = Path.of(args[1]);
        runRoot = Path.of(args[2]);
        long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
        List<String> a = List.of(args).subList(4, args.length);
        int n = 0;
        try {
            while (System.currentTimeMillis() < deadline) {
                n++;
                switch (mode) {
                    case "gc" -> {
                        ImageStore store = ImageStore.open(root);
                        for (int i = 0; i < 5; i++) {
                            store.gc();
                            ops++;
                        }
                        if (n % 4 == 0) {
                            ok(capsa(null, "load", "-q", "-i", a.get(1)));
                            String id = store.resolve(a.get(2)).id().toString();
                            ok(capsa(null, "rmi", "-f", id));
                        }
                    }
                    case "tag" -> {
                        ok(capsa(null, "tag", a.get(0), "localhost/x-" + n + ":t"));
                        ok(capsa(null, "rmi", "localhost/x-" + n + ":t"));
                    }
                    case "victim" -> {
                        okOr(capsa(null, "tag", a.get(0), "localhost/y2-" + n + ":t"), "No such image");
                        okOr(capsa(null, "rmi", "localhost/y2-" + n + ":t"), "No such image");
                    }
                    case "load" -> {
                        try (InputStream in = Files.newInputStream(Path.of(a.get(0)))) {
                            ok(capsa(in, "load", "-q"));
                        }
                    }
                    case "save" -> {
                        Run r = capsa(null, "save", a.get(0));
                        ok(r);
                        if (r.rc == 0 && r.outBytes < 1024) unexpected("save wrote only " + r.outBytes + " bytes");
                    }
                    case "images" -> {
                        ok(capsa(null, "images"));
                        ok(capsa(null, "inspect", a.get(0)));
                    }
                    default -> throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
        } catch (RuntimeException e) {
            unexpected("exception: " + e);
        }
        System.out.println(mode + " ops=" + ops + " expected=" + expected + " unexpected=" + UNEXPECTED.size());
        UNEXPECTED.stream().limit(20).forEach(u -> System.out.println("  " + u));
        System.out.flush();
        Runtime.getRuntime().halt(UNEXPECTED.isEmpty() ? 0 : 1);
    }

    private record Run(String command, int rc, long outBytes, String err) {}

    private static Run capsa(InputStream in, String... args) {
        List<String> cmd = new ArrayList<>(List.of("--root", root.toString(), "--runroot", runRoot.toString()));
        cmd.addAll(List.of(args));
        long[] count = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                count[0] += len;
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(counting, true); PrintStream e = new PrintStream(err, true)) {
            rc = CapsaMain.execute(cmd.toArray(String[]::new), Map.copyOf(System.getenv()), Path.of("").toAbsolutePath(),
                    in == null ? InputStream.nullInputStream() : in, o, e);
        }
        ops++;
        return new Run(String.join(" ", args), rc, count[0], err.toString(StandardCharsets.UTF_8).strip());
    }

    private static void ok(Run r) {
        if (r.rc != 0) unexpected(r.command + ": exit " + r.rc + ": " + r.err);
    }

    private static void okOr(Run r, String expectedError) {
        if (r.rc == 0) return;
        if (r.err.contains(expectedError)) expected++;
        else unexpected(r.command + ": exit " + r.rc + ": " + r.err);
    }

    private static void unexpected(String what) {
        UNEXPECTED.add(what);
    }
}
