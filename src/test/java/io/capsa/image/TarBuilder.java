package io.capsa.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Builds layer tars for tests, including hostile ones (any name, any link target, raw PAX records). */
public final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;
    public static final long MTIME = 1_600_000_000L; // seconds

    public TarBuilder() {
        tar = new TarArchiveOutputStream(bytes);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(MTIME * 1000);
        return e;
    }

    private TarBuilder put(TarArchiveEntry e, byte[] data) {
        try {
            if (data != null) e.setSize(data.length);
            tar.putArchiveEntry(e);
            if (data != null) tar.write(data);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    public TarBuilder dir(String name, int mode) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(mode);
        return put(e, null);
    }

    public TarBuilder file(String name, String content, int mode) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode, 0, 0);
    }

    public TarBuilder file(String name, byte[] content, int mode, long uid, long gid) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        return put(e, content);
    }

    /** A regular file carrying extra PAX headers (e.g. SCHILY.xattr.user.x). */
    public TarBuilder fileWithPax(String name, String content, int mode, String key, String value) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(mode);
        e.addPaxHeader(key, value);
        return put(e, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A raw PAX extended header record applying to the next entry: the value is written as these exact
     * bytes (Commons Compress would encode a String as UTF-8).
     */
    public TarBuilder rawPax(String key, byte[] value) {
        byte[] kv = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int body = kv.length + value.length + 1;
        int len = body + 1;
        while (Integer.toString(len).length() + body != len) len++;
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        rec.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
        rec.writeBytes(kv);
        rec.writeBytes(value);
        rec.write('\n');
        TarArchiveEntry e = new TarArchiveEntry("./PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, true);
        return put(e, rec.toByteArray());
    }

    public TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        return put(e, null);
    }

    public TarBuilder hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        e.setMode(0644);
        return put(e, null);
    }

    public TarBuilder chr(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR);
        e.setMode(0600);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null);
    }

    public TarBuilder fifo(String name) {
        TarArchiveEntry e = entry(name, TarConstants.LF_FIFO);
        e.setMode(0640);
        return put(e, null);
    }

    /** The whiteout of name (in its directory). */
    public TarBuilder whiteout(String name) {
        int s = name.lastIndexOf('/');
        String wh = s < 0 ? ".wh." + name : name.substring(0, s + 1) + ".wh." + name.substring(s + 1);
        return file(wh, new byte[0], 0644, 0, 0);
    }

    /** The opaque marker of dir. */
    public TarBuilder opaque(String dir) {
        return file(dir + "/.wh..wh..opq", new byte[0], 0644, 0, 0);
    }

    /** Adds every file of a host directory tree (regular files, directories, symbolic links) under prefix. */
    public TarBuilder tree(Path hostDir, String prefix) {
        try (var s = Files.walk(hostDir)) {
            for (Path p : s.sorted().toList()) {
                String rel = hostDir.relativize(p).toString();
                String name = prefix + rel;
                if (rel.isEmpty()) continue;
                if (Files.isSymbolicLink(p)) symlink(name, Files.readSymbolicLink(p).toString());
                else if (Files.isDirectory(p)) dir(name, 0755);
                else file(name, Files.readAllBytes(p), (Integer) Files.getAttribute(p, "unix:mode") & 07777, 0, 0);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The uncompressed tar. */
    public byte[] tar() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(o)) {
                g.write(data);
            }
            return o.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] zstd(byte[] data) {
        try {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            try (ZstdCompressorOutputStream z = new ZstdCompressorOutputStream(o)) {
                z.write(data);
            }
            return o.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
