package io.capsa.stage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes a plan in the binary format the native stage reads (docs/stage-protocol.md):
 * a header, then ops, each with a label naming its source in config.json and its arguments.
 */
public final class PlanWriter {
    private byte[] buf = new byte[4096];
    private int len = 12; // header written by toBytes()
    private final List<String> labels = new ArrayList<>();

    /** Starts an op; add its arguments with the returned builder. */
    public Args op(Op op, String label) {
        labels.add(label);
        put(op.code, 2);
        int argcPos = len;
        put(0, 2); // argc, patched by Args
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        put(l.length, 4);
        write(l);
        write(new byte[] {0});
        return new Args(argcPos);
    }

    /** The labels of the ops written so far, in order (the stage reports failures by label). */
    public List<String> labels() { return labels; }

    /** The whole plan: header and ops. */
    public byte[] toBytes() {
        byte[] all = Arrays.copyOf(buf, len);
        System.arraycopy("CAPSAPL1".getBytes(StandardCharsets.US_ASCII), 0, all, 0, 8);
        putLe(all, 8, labels.size(), 4);
        return all;
    }

    /** The arguments of one op. */
    public final class Args {
        private final int argcPos;
        private int argc;

        private Args(int argcPos) { this.argcPos = argcPos; }

        public Args str(String s) { return bytes(s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8)); }

        public Args num(long v) {
            byte[] b = new byte[8];
            putLe(b, 0, v, 8);
            return bytes(b);
        }

        /** A string list: a count, then the strings. */
        public Args list(List<String> items) {
            List<String> l = items == null ? List.of() : items;
            num(l.size());
            for (String s : l) str(s);
            return this;
        }

        /** A number list: a count, then the numbers. */
        public Args nums(long... values) {
            num(values.length);
            for (long v : values) num(v);
            return this;
        }

        public Args bytes(byte[] b) {
            if (++argc > 0xffff) throw new IllegalStateException("too many arguments");
            putLe(buf, argcPos, argc, 2);
            put(b.length, 4);
            write(b);
            write(new byte[] {0});
            return this;
        }
    }

    private void put(long v, int n) {
        ensure(n);
        putLe(buf, len, v, n);
        len += n;
    }

    private void write(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    private static void putLe(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}
