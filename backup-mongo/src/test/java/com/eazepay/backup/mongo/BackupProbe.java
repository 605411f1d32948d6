package com.eazepay.backup.mongo;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Map;

/**
 * Runs one MongoSource backup into a counting sink, in a JVM of its own (started by
 * {@link MongoStreamingTest} with a small {@code -Xmx}), and prints one RESULT line.
 */
public final class BackupProbe {

    private BackupProbe() {
    }

    public static void main(String[] args) {
        String uri = args[0];
        int batchSize = Integer.parseInt(args[1]);
        long[] bytes = {0};
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                bytes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes[0] += len;
            }
        };
        TestContexts.Backup ctx = new TestContexts.Backup(sink);
        long t0 = System.nanoTime();
        MongoSource.builder().connectionString(uri).batchSize(batchSize).build().backup(ctx);
        long ns = System.nanoTime() - t0;
        long docs = ((Map<?, ?>) ctx.facts.get("collections")).values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("RESULT docs=%d bytes=%d ms=%d peakHeapBytes=%d maxHeapBytes=%d closed=%s%n", docs, bytes[0],
                ns / 1_000_000, peak, Runtime.getRuntime().maxMemory(), ctx.closed);
    }
}
