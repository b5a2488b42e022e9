package io.capsa.image;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Docker-like pull progress on a terminal: one line per layer ({@code 1a2b3c4d5e6f: Downloading 12.3MB/45.6MB})
 * redrawn in place with ANSI cursor movement (at most ten times a second). On a non-terminal (a log, a pipe)
 * it prints one line per state change instead, without byte counts.
 */
public final class ConsoleProgress implements PullProgress {
    private final PrintStream out;
    private final boolean tty;
    private final Map<Digest, String> lines = new LinkedHashMap<>();
    private final Map<Digest, String> statuses = new java.util.HashMap<>();
    private int drawn;
    private long lastDraw;

    public ConsoleProgress(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Progress on the stream, redrawn in place when the JVM has a terminal. */
    public static ConsoleProgress forStream(PrintStream out) {
        return new ConsoleProgress(out, System.console() != null && System.console().isTerminal());
    }

    @Override
    public synchronized void resolved(Reference ref, Digest manifest, Digest index) {
        out.println((ref.tag() != null ? ref.tag() : ref.digest().toString()) + ": Pulling from " + ref.familiarName());
    }

    @Override
    public synchronized void layer(Digest layer, String status, long current, long total) {
        String text = layer.shortHex() + ": " + status;
        if (tty && current >= 0 && total > 0 && !status.endsWith("complete")) {
            text += " " + bar(current, total) + " " + human(current) + "/" + human(total);
        }
        lines.put(layer, text);
        if (!tty) {
            if (!status.equals(statuses.put(layer, status))) out.println(layer.shortHex() + ": " + status);
            return;
        }
        long now = System.nanoTime();
        boolean important = current < 0 || current == total;
        if (!important && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        redraw();
    }

    private void redraw() {
        StringBuilder sb = new StringBuilder();
        if (drawn > 0) sb.append("\033[").append(drawn).append('A');
        for (String l : lines.values()) sb.append("\033[2K").append(l).append('\n');
        drawn = lines.size();
        out.print(sb);
        out.flush();
    }

    @Override
    public synchronized void warning(String message) {
        out.println("WARNING: " + message);
        drawn = 0;
    }

    @Override
    public synchronized void done() {
        if (tty && !lines.isEmpty()) redraw();
        out.flush();
    }

    private static String bar(long cur, long total) {
        int w = 30, n = (int) Math.min(w, cur * w / Math.max(1, total));
        return "[" + "=".repeat(Math.max(0, n - 1)) + (n > 0 ? ">" : "") + " ".repeat(w - n) + "]";
    }

    /** Sizes as Docker prints them (decimal units). */
    public static String human(long bytes) {
        if (bytes < 1000) return bytes + "B";
        String[] u = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        do {
            v /= 1000;
            i++;
        } while (v >= 1000 && i < u.length - 1);
        return String.format(Locale.ROOT, v < 10 ? "%.2f%s" : v < 100 ? "%.1f%s" : "%.0f%s", v, u[i]);
    }
}
