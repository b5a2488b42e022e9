package io.capsa.spec;

import java.util.List;

/** {@code linux.seccomp.syscalls[]}. */
public record LinuxSyscall(List<String> names, String action, @UInt.U32 Long errnoRet, List<LinuxSeccompArg> args) {
}
