package io.capsa.stage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decodes a plan (the inverse of {@link PlanWriter}) so tests can look at what the planner wrote. */
public final class PlanReader {
    /** One decoded op: its code, label and raw arguments. */
    public record DecodedOp(Op op, String label, List<byte[]> args) {
        public String str(int i) { return new String(args.get(i), StandardCharsets.UTF_8); }

        public long num(int i) { return ByteBuffer.wrap(args.get(i)).order(ByteOrder.LITTLE_ENDIAN).getLong(); }
    }

    public static List<DecodedOp> read(byte[] plan) {
        ByteBuffer b = ByteBuffer.wrap(plan).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("CAPSAPL1")) throw new IllegalArgumentException("bad magic");
        int count = b.getInt();
        List<DecodedOp> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int code = Short.toUnsignedInt(b.getShort());
            int argc = Short.toUnsignedInt(b.getShort());
            String label = new String(bytes(b), StandardCharsets.UTF_8);
            List<byte[]> args = new ArrayList<>();
            for (int a = 0; a < argc; a++) args.add(bytes(b));
            Op op = null;
            for (Op o : Op.values()) if (o.code == code) op = o;
            ops.add(new DecodedOp(op, label, args));
        }
        if (b.hasRemaining()) throw new IllegalArgumentException("trailing bytes");
        return ops;
    }

    private static byte[] bytes(ByteBuffer b) {
        int len = b.getInt();
        byte[] v = new byte[len];
        b.get(v);
        if (b.get() != 0) throw new IllegalArgumentException("missing NUL");
        return v;
    }
}
