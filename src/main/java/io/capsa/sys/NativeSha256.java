package io.capsa.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.security.MessageDigest;

/**
 * SHA-256 through OpenSSL's libcrypto (SHA256_Init/Update/Final, which use the CPU's SHA instructions), for
 * hashing image blobs: the JVM runs with C1 only ({@code -XX:TieredStopAtLevel=1}, for start-up), where the
 * JDK's SHA-256 is not intrinsified and costs some 13 s of CPU per GB. Bound on first use; where libcrypto
 * is missing, {@link #create()} returns the JDK's implementation.
 */
public final class NativeSha256 extends MessageDigest {
    private static final class Bound {
        static final MethodHandle INIT, UPDATE, FINAL;

        static {
            Linker l = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup("libcrypto.so.3", Arena.global());
            INIT = l.downcallHandle(lib.find("SHA256_Init").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            UPDATE = l.downcallHandle(lib.find("SHA256_Update").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    Linker.Option.critical(true));
            FINAL = l.downcallHandle(lib.find("SHA256_Final").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        }
    }

    private static volatile Boolean available;

    /** A SHA-256 MessageDigest: libcrypto's when it can be loaded, else the JDK's. */
    public static MessageDigest create() {
        Boolean a = available;
        if (a == null) {
            try {
                Class.forName(Bound.class.getName(), true, NativeSha256.class.getClassLoader());
                a = true;
            } catch (Throwable t) {
                a = false;
            }
            available = a;
        }
        if (a) return new NativeSha256();
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment ctx = arena.allocate(256, 16); // SHA256_CTX is 112 bytes
    private final MemorySegment out = arena.allocate(32);

    private NativeSha256() {
        super("SHA-256");
        engineReset();
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        if (len <= 0) return;
        try {
            int r = (int) Bound.UPDATE.invokeExact(ctx, MemorySegment.ofArray(input).asSlice(offset, len), (long) len);
            if (r != 1) throw new IllegalStateException("SHA256_Update failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected byte[] engineDigest() {
        try {
            int r = (int) Bound.FINAL.invokeExact(out, ctx);
            if (r != 1) throw new IllegalStateException("SHA256_Final failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        byte[] d = out.toArray(ValueLayout.JAVA_BYTE);
        engineReset();
        return d;
    }

    @Override
    protected void engineReset() {
        try {
            int r = (int) Bound.INIT.invokeExact(ctx);
            if (r != 1) throw new IllegalStateException("SHA256_Init failed");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }
}
