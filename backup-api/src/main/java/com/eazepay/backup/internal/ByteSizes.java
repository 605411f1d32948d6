package com.eazepay.backup.internal;

import java.util.Locale;

/** Byte counts for people: one format for plans, reports and log lines. */
public final class ByteSizes {
    private ByteSizes() {
    }

    /** {@code 0 B}, {@code 1023 B}, {@code 1.5 KiB}, {@code 2.0 GiB}. */
    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
