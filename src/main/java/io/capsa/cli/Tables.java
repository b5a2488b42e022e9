package io.capsa.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Docker's table output (columns padded to their widest cell plus three spaces) and human durations. */
final class Tables {
    private Tables() {}

    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void print(PrintStream out) {
            int cols = rows.getFirst().length;
            int[] w = new int[cols];
            for (String[] r : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i] == null ? 0 : r[i].length());
            StringBuilder sb = new StringBuilder();
            for (String[] r : rows) {
                sb.setLength(0);
                for (int i = 0; i < cols; i++) {
                    String c = r[i] == null ? "" : r[i];
                    sb.append(c);
                    if (i < cols - 1) sb.append(" ".repeat(w[i] - c.length() + 3));
                }
                out.println(sb.toString().stripTrailing());
            }
        }
    }

    /** s cut to {@code max} characters, the last one an ellipsis. */
    static String ellipsis(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) return s;
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }

    /** "3 minutes ago" for an ISO instant. */
    static String ago(String instant, Instant now) {
        return human(instant, now) + " ago";
    }

    /** Docker's HumanDuration of the time since {@code instant}. */
    static String human(String instant, Instant now) {
        if (instant == null) return "";
        try {
            return human(Duration.between(Instant.parse(instant), now));
        } catch (DateTimeParseException e) {
            return "";
        }
    }

    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = Math.round(s / 60.0);
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = Math.round(s / 3600.0);
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        if (h < 24 * 7 * 2) return h / 24 + " days";
        if (h < 24 * 30 * 2) return h / 24 / 7 + " weeks";
        if (h < 24 * 365 * 2) return h / 24 / 30 + " months";
        return h / 24 / 365 + " years";
    }
}
