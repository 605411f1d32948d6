package com.eazepay.backup.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the numbers were measured on: load average, cores, JVM, heap limit. */
final class Machine {

    private Machine() {
    }

    /** The 1/5/15-minute load averages from {@code /proc/loadavg}, or the JVM's 1-minute figure. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** One line: cores, Java version and VM, max heap. */
    static String describe() {
        return String.format("%d cores, Java %s (%s), max heap %d MiB", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"), HeapSampler.maxHeap() >> 20);
    }

    /**
     * CPU time used by the whole JVM so far (all threads: pipeline, GC, JIT), in nanoseconds, or -1 when
     * the JVM does not report it. On a shared machine, MB per CPU-second is steadier than wall-clock MB/s.
     */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** CPU time of the calling thread, in nanoseconds. */
    static long threadCpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static double mbPerSec(long bytes, long nanos) {
        return nanos <= 0 ? 0 : bytes / 1e6 / (nanos / 1e9);
    }

    static long mib(long bytes) {
        return bytes >> 20;
    }

    /** Parses {@code 64m}, {@code 1g}, {@code 512k} or a byte count. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            unit = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        return Math.round(Double.parseDouble(t) * unit);
    }
}
