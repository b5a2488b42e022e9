package io.capsa.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Facts about processes from /proc. */
public final class Proc {
    private Proc() {}

    /** Fields of /proc/PID/stat we use: the state letter and the start time in clock ticks. */
    public record Stat(char state, long startTime) {}

    /** The stat of a process, or null if there is no such process. */
    public static Stat stat(long pid) {
        String s;
        try {
            s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return null;
        }
        // "pid (comm) S ..." where comm may hold spaces and parentheses: parse after the last ')'.
        int close = s.lastIndexOf(')');
        String[] f = s.substring(close + 2).split(" ");
        // f[0] is field 3 (state); starttime is field 22 -> f[19]
        return new Stat(f[0].charAt(0), Long.parseLong(f[19]));
    }

    /** Whether pid is the same live (not zombie) process that had this start time. */
    public static boolean alive(long pid, long startTime) {
        if (pid <= 0) return false;
        Stat st = stat(pid);
        return st != null && st.startTime() == startTime && st.state() != 'Z' && st.state() != 'X';
    }

    /** Signal names and numbers (x86_64), as kill(1) and runc accept them. */
    public static int signal(String s) {
        String n = s.trim().toUpperCase();
        if (n.startsWith("SIG")) n = n.substring(3);
        if (!n.isEmpty() && Character.isDigit(n.charAt(0))) {
            try {
                int v = Integer.parseInt(n);
                if (v >= 0 && v <= 64) return v;
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw new IllegalArgumentException("invalid signal: " + s);
        }
        for (int i = 0; i < SIGNALS.length; i++) if (SIGNALS[i].equals(n)) return i;
        if (n.startsWith("RTMIN")) return 34 + offset(n.substring(5), s);
        if (n.startsWith("RTMAX")) return 64 + offset(n.substring(5), s);
        throw new IllegalArgumentException("unknown signal \"" + s + "\"");
    }

    private static int offset(String rest, String orig) {
        if (rest.isEmpty()) return 0;
        try {
            return Integer.parseInt(rest);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unknown signal \"" + orig + "\"");
        }
    }

    private static final String[] SIGNALS = {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS"
    };
}
