package io.capsa.front;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's value syntaxes: sizes ("64m", "1.5g", "512k", "100"), CPU counts ("1.5"). */
public final class Units {
    private Units() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([kmgtp])?(i)?b?", Pattern.CASE_INSENSITIVE);

    /** Bytes of a size with binary multipliers ("64m" = 64 MiB), as Docker's RAMInBytes; -1 stays -1. */
    public static long bytes(String flag, String s) {
        if (s.trim().equals("-1")) return -1;
        Matcher m = SIZE.matcher(s.trim());
        if (!m.matches()) throw new FrontException("invalid argument \"" + s + "\" for \"" + flag + "\" flag: invalid size: '" + s + "'");
        BigDecimal v = new BigDecimal(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 50;
        };
        BigDecimal r = v.multiply(BigDecimal.valueOf(2).pow(shift));
        if (r.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0)
            throw new FrontException("invalid argument \"" + s + "\" for \"" + flag + "\" flag: too large");
        return r.longValue();
    }

    /** CPU quota in microseconds per {@code period} for "--cpus 1.5". */
    public static long cpuQuota(String cpus, long period) {
        BigDecimal c;
        try {
            c = new BigDecimal(cpus.trim());
        } catch (NumberFormatException e) {
            throw new FrontException("invalid argument \"" + cpus + "\" for \"--cpus\" flag: not a number");
        }
        if (c.signum() < 0) throw new FrontException("invalid argument \"" + cpus + "\" for \"--cpus\" flag: must not be negative");
        int nproc = Runtime.getRuntime().availableProcessors();
        if (c.compareTo(BigDecimal.valueOf(nproc)) > 0)
            throw new FrontException("range of CPUs is from 0.01 to " + nproc + ".00, as there are only " + nproc + " CPUs available");
        return c.multiply(BigDecimal.valueOf(period)).longValue();
    }
}
