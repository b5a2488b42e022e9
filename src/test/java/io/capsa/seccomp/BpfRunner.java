package io.capsa.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a classic BPF seccomp program the way the kernel does (linux/filter.h semantics) on a struct seccomp_data,
 * so unit tests can ask what a compiled filter decides for a given syscall, architecture and arguments.
 */
final class BpfRunner {
    static final int AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003, AUDIT_ARCH_AARCH64 = 0xc00000b7;
    static final int X32_SYSCALL_BIT = 0x40000000;

    private final short[] code;
    private final byte[] jt, jf;
    private final int[] k;

    BpfRunner(byte[] bpf) {
        int n = bpf.length / 8;
        code = new short[n];
        jt = new byte[n];
        jf = new byte[n];
        k = new int[n];
        ByteBuffer b = ByteBuffer.wrap(bpf).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            code[i] = b.getShort();
            jt[i] = b.get();
            jf[i] = b.get();
            k[i] = b.getInt();
        }
    }

    /** The filter's verdict (SECCOMP_RET_* | data) for syscall {@code nr} on {@code arch} with {@code args}. */
    int run(int arch, int nr, long... args) {
        ByteBuffer d = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        d.putInt(0, nr);
        d.putInt(4, arch);
        d.putLong(8, 0x401000L);
        for (int i = 0; i < args.length; i++) d.putLong(16 + 8 * i, args[i]);
        int a = 0, x = 0;
        int[] mem = new int[16];
        int pc = 0;
        for (int steps = 0; steps < 1_000_000; steps++) {
            if (pc >= code.length) throw new IllegalStateException("fell off the program at " + pc);
            int c = code[pc] & 0xffff;
            int kk = k[pc];
            switch (c & 0x07) {
                case 0x00 -> { // LD
                    a = switch (c & 0xe0) {
                        case 0x20 -> { // ABS (only word loads appear in seccomp)
                            if ((c & 0x18) != 0x00 || kk < 0 || kk > 60 || (kk & 3) != 0) throw new IllegalStateException("bad load " + kk);
                            yield d.getInt(kk);
                        }
                        case 0x00 -> kk; // IMM
                        case 0x60 -> mem[kk]; // MEM
                        case 0x80 -> 64; // LEN
                        default -> throw new IllegalStateException("bad ld mode " + Integer.toHexString(c));
                    };
                    pc++;
                }
                case 0x01 -> { // LDX
                    x = switch (c & 0xe0) {
                        case 0x00 -> kk;
                        case 0x60 -> mem[kk];
                        case 0x80 -> 64;
                        default -> throw new IllegalStateException("bad ldx mode " + Integer.toHexString(c));
                    };
                    pc++;
                }
                case 0x02 -> { mem[kk] = a; pc++; } // ST
                case 0x03 -> { mem[kk] = x; pc++; } // STX
                case 0x04 -> { // ALU
                    int src = (c & 0x08) != 0 ? x : kk;
                    a = switch (c & 0xf0) {
                        case 0x00 -> a + src;
                        case 0x10 -> a - src;
                        case 0x20 -> a * src;
                        case 0x30 -> Integer.divideUnsigned(a, src);
                        case 0x40 -> a | src;
                        case 0x50 -> a & src;
                        case 0x60 -> a << src;
                        case 0x70 -> a >>> src;
                        case 0x80 -> -a;
                        case 0x90 -> Integer.remainderUnsigned(a, src);
                        case 0xa0 -> a ^ src;
                        default -> throw new IllegalStateException("bad alu " + Integer.toHexString(c));
                    };
                    pc++;
                }
                case 0x05 -> { // JMP
                    int src = (c & 0x08) != 0 ? x : kk;
                    int op = c & 0xf0;
                    if (op == 0x00) {
                        pc += 1 + kk;
                    } else {
                        boolean t = switch (op) {
                            case 0x10 -> a == src;
                            case 0x20 -> Integer.compareUnsigned(a, src) > 0;
                            case 0x30 -> Integer.compareUnsigned(a, src) >= 0;
                            case 0x40 -> (a & src) != 0;
                            default -> throw new IllegalStateException("bad jmp " + Integer.toHexString(c));
                        };
                        pc += 1 + ((t ? jt[pc] : jf[pc]) & 0xff);
                    }
                }
                case 0x06 -> { // RET
                    return (c & 0x18) == 0x10 ? a : kk;
                }
                case 0x07 -> { // MISC
                    if ((c & 0xf8) == 0x00) x = a; else a = x;
                    pc++;
                }
                default -> throw new IllegalStateException("unreachable");
            }
        }
        throw new IllegalStateException("no verdict");
    }
}
