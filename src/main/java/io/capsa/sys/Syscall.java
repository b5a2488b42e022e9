package io.capsa.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one FFM downcall most system calls go through: libc's {@code long syscall(long nr, ...)} with six
 * long arguments and errno captured. A single signature means a single (lazy) binding, which is what a cold
 * JVM pays for; pointers are passed as their addresses.
 */
public final class Syscall {
    private Syscall() {}

    /** x86_64 syscall numbers (the only architecture this build targets so far). */
    public static final long SYS_KILL = 62, SYS_PIDFD_OPEN = 434, SYS_PIDFD_SEND_SIGNAL = 424, SYS_PRCTL = 157;

    private static final class Bound {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SYSCALL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        static final VarHandle ERRNO = Linker.Option.captureStateLayout()
                .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    }

    /**
     * Calls a system call.
     * @return its non-negative result
     * @throws SysException naming {@code what} with errno when it fails
     */
    public static long call(String what, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            long r = (long) Bound.SYSCALL.invokeExact(state, nr, a1, a2, a3, a4, a5, a6);
            if (r == -1) throw new SysException(what, (int) Bound.ERRNO.get(state, 0L));
            return r;
        } catch (SysException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(what + ": " + t, t);
        }
    }

    /** kill(2). */
    public static void kill(long pid, int signal) {
        call("kill(" + pid + ", " + signal + ")", SYS_KILL, pid, signal, 0, 0, 0, 0);
    }
}
