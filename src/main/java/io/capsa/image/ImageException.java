package io.capsa.image;

import io.capsa.sys.Errno;
import io.capsa.sys.SysException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * An image operation failed: unknown image or tag, registry or auth failure, digest mismatch, unsafe layer...
 * The message is meant for the user as it is (it names the image, blob, layer or file concerned).
 */
public class ImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private static final int EDQUOT = 122;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure to write {@code what} (e.g. "blob sha256:...") to {@code path}, worded for the user: "no space
     * left on device while writing blob sha256:... to /var/lib/capsa/tmp/...", else "cannot write ...: reason".
     */
    public static ImageException writing(String what, Path path, Throwable e) {
        String full = fullDisk(e);
        if (full != null) return new ImageException(full + " while writing " + what + " to " + path, e);
        return new ImageException("cannot write " + what + " to " + path + ": " + reason(e), e);
    }

    /**
     * "no space left on device" or "disk quota exceeded" if that is what the failure (or one of its causes) is,
     * else null. The JDK words ENOSPC and EDQUOT as strerror(3) does, in IOException messages.
     */
    public static String fullDisk(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SysException s) {
                if (s.errno() == Errno.ENOSPC) return "no space left on device";
                if (s.errno() == EDQUOT) return "disk quota exceeded";
            }
            if (t instanceof IOException) {
                String m = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
                if (m == null) m = t.getMessage();
                if (m != null && m.contains("No space left on device")) return "no space left on device";
                if (m != null && m.contains("Disk quota exceeded")) return "disk quota exceeded";
            }
        }
        return null;
    }

    /** An I/O failure's own words (a FileSystemException's message repeats its path: its reason is enough). */
    static String reason(Throwable e) {
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
