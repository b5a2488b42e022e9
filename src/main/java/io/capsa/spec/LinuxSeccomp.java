package io.capsa.spec;

import java.util.List;

/** {@code linux.seccomp}. */
public record LinuxSeccomp(
        String defaultAction,
        @UInt.U32 Long defaultErrnoRet,
        List<String> architectures,
        List<String> flags,
        String listenerPath,
        String listenerMetadata,
        List<LinuxSyscall> syscalls) {
}
