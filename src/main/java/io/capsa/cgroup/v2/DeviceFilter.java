package io.capsa.cgroup.v2;

import io.capsa.cgroup.DeviceRule;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates the BPF_PROG_TYPE_CGROUP_DEVICE program that enforces device rules on cgroup v2 (as runc
 * and crun do): eBPF instructions, 8 bytes each, little-endian.
 *
 * <p>The program gets a {@code struct bpf_cgroup_dev_ctx {u32 access_type; u32 major; u32 minor;}}
 * where access_type is (access &lt;&lt; 16) | type, and returns 1 to allow, 0 to deny. Rules are
 * tested last first, so the last matching rule decides, as with v1's allow/deny lists. A rule matching
 * every device and access ("a *:* rwm") decides everything not matched by a later rule: it becomes the
 * default and earlier rules are dropped; without one the default is deny (runc's semantics).
 * An allow rule matches when the requested access is a subset of its access; a deny rule when the
 * requested access has any of its bits (so a partial deny wins, as on v1).
 */
public final class DeviceFilter {
    // eBPF opcodes
    static final int LDX_MEM_W = 0x61;   // dst = *(u32 *)(src + off)
    static final int ALU32_AND_K = 0x54;  // dst &= imm (32 bit)
    static final int ALU32_RSH_K = 0x74;  // dst >>= imm (32 bit)
    static final int ALU32_MOV_X = 0xbc;  // dst = src (32 bit)
    static final int ALU64_MOV_K = 0xb7;  // dst = imm
    static final int JMP32_JNE_K = 0x56;  // if (u32)dst != imm goto +off
    static final int JMP32_JNE_X = 0x5e;  // if (u32)dst != (u32)src goto +off
    static final int JMP32_JEQ_K = 0x16;  // if (u32)dst == imm goto +off
    static final int JMP_EXIT = 0x95;

    static final int R0 = 0;
    static final int R1 = 1;
    static final int R2 = 2;
    static final int R3 = 3;
    static final int R4 = 4;
    static final int R5 = 5;

    // linux/bpf.h
    static final int DEV_BLOCK = 1;
    static final int DEV_CHAR = 2;
    static final int ACC_MKNOD = 1;
    static final int ACC_READ = 2;
    static final int ACC_WRITE = 4;

    /** One instruction; off is relative to the next instruction. */
    record Insn(int op, int dst, int src, int off, int imm) {
    }

    private DeviceFilter() {
    }

    /** The program's bytes for these rules. */
    public static byte[] program(List<DeviceRule> rules) {
        return encode(instructions(rules));
    }

    static List<Insn> instructions(List<DeviceRule> rules) {
        int start = 0;
        boolean defaultAllow = false;
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).matchesAll()) {
                start = i + 1;
                defaultAllow = rules.get(i).allow();
            }
        }
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LDX_MEM_W, R2, R1, 0, 0));      // R2 = access_type
        p.add(new Insn(ALU32_AND_K, R2, 0, 0, 0xFFFF)); //      & 0xFFFF: type
        p.add(new Insn(LDX_MEM_W, R3, R1, 0, 0));      // R3 = access_type
        p.add(new Insn(ALU32_RSH_K, R3, 0, 0, 16));     //      >> 16: access
        p.add(new Insn(LDX_MEM_W, R4, R1, 4, 0));      // R4 = major
        p.add(new Insn(LDX_MEM_W, R5, R1, 8, 0));      // R5 = minor
        for (int i = rules.size() - 1; i >= start; i--) {
            p.addAll(block(rules.get(i)));
        }
        p.add(new Insn(ALU64_MOV_K, R0, 0, 0, defaultAllow ? 1 : 0));
        p.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        return p;
    }

    /** The test of one rule: falls through to the next block when it does not match. */
    static List<Insn> block(DeviceRule r) {
        List<Insn> b = new ArrayList<>();
        List<Integer> jumps = new ArrayList<>();
        if (r.type() != 'a') {
            jumps.add(b.size());
            b.add(new Insn(JMP32_JNE_K, R2, 0, 0, r.type() == 'b' ? DEV_BLOCK : DEV_CHAR));
        }
        int mask = (r.access().contains("m") ? ACC_MKNOD : 0) | (r.access().contains("r") ? ACC_READ : 0)
                | (r.access().contains("w") ? ACC_WRITE : 0);
        if (mask != (ACC_MKNOD | ACC_READ | ACC_WRITE)) {
            b.add(new Insn(ALU32_MOV_X, R1, R3, 0, 0));
            b.add(new Insn(ALU32_AND_K, R1, 0, 0, mask));
            jumps.add(b.size());
            if (r.allow()) {
                b.add(new Insn(JMP32_JNE_X, R1, R3, 0, 0)); // requested & mask != requested: not a subset
            } else {
                b.add(new Insn(JMP32_JEQ_K, R1, 0, 0, 0));  // no requested bit denied here
            }
        }
        if (r.major() >= 0) {
            jumps.add(b.size());
            b.add(new Insn(JMP32_JNE_K, R4, 0, 0, (int) r.major()));
        }
        if (r.minor() >= 0) {
            jumps.add(b.size());
            b.add(new Insn(JMP32_JNE_K, R5, 0, 0, (int) r.minor()));
        }
        b.add(new Insn(ALU64_MOV_K, R0, 0, 0, r.allow() ? 1 : 0));
        b.add(new Insn(JMP_EXIT, 0, 0, 0, 0));
        for (int j : jumps) {
            Insn in = b.get(j);
            b.set(j, new Insn(in.op(), in.dst(), in.src(), b.size() - j - 1, in.imm()));
        }
        return b;
    }

    static byte[] encode(List<Insn> insns) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(insns.size() * 8);
        for (Insn i : insns) {
            out.write(i.op());
            out.write((i.src() << 4) | (i.dst() & 0xF));
            out.write(i.off() & 0xFF);
            out.write((i.off() >> 8) & 0xFF);
            out.write(i.imm() & 0xFF);
            out.write((i.imm() >> 8) & 0xFF);
            out.write((i.imm() >> 16) & 0xFF);
            out.write((i.imm() >>> 24) & 0xFF);
        }
        return out.toByteArray();
    }

    /**
     * Runs the program on one request, as the kernel would (for unit tests): an interpreter of just
     * the instructions generated here.
     */
    static boolean allows(List<Insn> prog, char type, long major, long minor, String access) {
        long[] r = new long[11];
        int acc = (access.contains("m") ? ACC_MKNOD : 0) | (access.contains("r") ? ACC_READ : 0)
                | (access.contains("w") ? ACC_WRITE : 0);
        int[] ctx = {(acc << 16) | (type == 'b' ? DEV_BLOCK : DEV_CHAR), (int) major, (int) minor};
        for (int pc = 0; pc < prog.size(); pc++) {
            Insn i = prog.get(pc);
            switch (i.op()) {
                case LDX_MEM_W -> r[i.dst()] = ctx[i.off() / 4] & 0xFFFF_FFFFL;
                case ALU32_AND_K -> r[i.dst()] = (r[i.dst()] & i.imm()) & 0xFFFF_FFFFL;
                case ALU32_RSH_K -> r[i.dst()] = ((r[i.dst()] & 0xFFFF_FFFFL) >>> i.imm());
                case ALU32_MOV_X -> r[i.dst()] = r[i.src()] & 0xFFFF_FFFFL;
                case ALU64_MOV_K -> r[i.dst()] = i.imm();
                case JMP32_JNE_K -> pc += (int) r[i.dst()] != i.imm() ? i.off() : 0;
                case JMP32_JNE_X -> pc += (int) r[i.dst()] != (int) r[i.src()] ? i.off() : 0;
                case JMP32_JEQ_K -> pc += (int) r[i.dst()] == i.imm() ? i.off() : 0;
                case JMP_EXIT -> {
                    return r[0] == 1;
                }
                default -> throw new IllegalStateException("unknown opcode " + i.op());
            }
        }
        throw new IllegalStateException("fell off the program");
    }
}
