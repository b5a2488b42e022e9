package io.capsa.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.capsa.sys.Errno;
import org.junit.jupiter.api.Test;

/**
 * The stage's errors carry runc's (Go's) lower-case errno texts: engines match them to pick the exit status
 * (Docker's CLI: 127 for "no such file or directory" or "executable file not found", 126 for "permission denied").
 */
class StageExceptionTest {
    @Test
    void errnoTextsAreGoStyleWithTheSymbolicName() {
        assertThat(new StageException("process.args[0] /x", "find_exec", Errno.ENOENT, "/x").getMessage())
                .isEqualTo("process.args[0] /x: find_exec /x: no such file or directory (ENOENT)");
        assertThat(new StageException("process.args[0] /etc", "find_exec", Errno.EACCES, "/etc").getMessage())
                .contains("/etc", "permission denied (EACCES)");
        assertThat(new StageException("mounts[2] /a", "mount", Errno.ENOTDIR, "").getMessage())
                .isEqualTo("mounts[2] /a: mount: not a directory (ENOTDIR)");
        assertThat(new StageException("", "hook", 0, "exit status 3").getMessage()).isEqualTo("hook exit status 3");
    }

    @Test
    void goTextsOfCommonErrnos() {
        assertThat(Errno.describeGo(Errno.EPERM)).isEqualTo("operation not permitted (EPERM)");
        assertThat(Errno.describeGo(Errno.EIO)).isEqualTo("input/output error (EIO)");
        assertThat(Errno.describeGo(999)).isEqualTo("errno 999");
        // the Java side's own errors keep strerror's texts
        assertThat(Errno.describe(Errno.ENOENT)).isEqualTo("No such file or directory (ENOENT)");
    }
}
