package io.capsa.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain java.nio access to cgroupfs files. Writes open the file O_WRONLY (never O_CREAT: a missing
 * file means a missing controller) and write the value with a single write(2), as the kernel
 * parses each write as one command.
 */
public final class CgroupFiles {
    private CgroupFiles() {
    }

    /** Writes {@code value} to {@code file}; errors name {@code field} (may be null) and the file. */
    public static void write(String field, Path file, String value) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
            int n = ch.write(buf);
            if (n != buf.limit()) {
                throw new IOException("short write (" + n + " of " + buf.limit() + " bytes)");
            }
        } catch (IOException e) {
            throw new CgroupException((field == null ? "" : field + ": ") + "writing " + value.strip()
                    + " to " + file + ": " + reason(e), e);
        }
    }

    /** Reads a whole file; errors name the file. */
    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CgroupException("reading " + file + ": " + reason(e), e);
        }
    }

    /** Reads a file or returns null when it does not exist (or cannot be read). */
    public static String readOrNull(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** A single unsigned number ("max" = -1). */
    public static long readLong(Path file) {
        return parseLong(read(file).strip(), file);
    }

    /** Like {@link #readLong} but 0 when the file is absent. */
    public static long readLongOr0(Path file) {
        String s = readOrNull(file);
        return s == null ? 0 : parseLong(s.strip(), file);
    }

    static long parseLong(String s, Path file) {
        if (s.equals("max")) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e2) {
                throw new CgroupException("reading " + file + ": not a number: " + s);
            }
        }
    }

    /** "key value" lines (memory.stat, cpu.stat, memory.events, ...). Non-numeric values are skipped. */
    public static Map<String, Long> readKeyValues(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        String s = readOrNull(file);
        if (s == null) {
            return out;
        }
        for (String line : s.split("\n")) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2) {
                try {
                    out.put(kv[0], kv[1].equals("max") ? -1 : Long.parseUnsignedLong(kv[1]));
                } catch (NumberFormatException ignored) {
                    // not a number: not a stat
                }
            }
        }
        return out;
    }

    /** The numbers of cgroup.procs (or tasks). */
    public static List<Long> readPids(Path file) {
        List<Long> out = new ArrayList<>();
        String s = readOrNull(file);
        if (s == null) {
            return out;
        }
        for (String line : s.split("\n")) {
            if (!line.isBlank()) {
                out.add(Long.parseLong(line.strip()));
            }
        }
        return out;
    }

    /** The text of an I/O error as strerror would give it. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
