package com.eazepay.backup.mongo;

import com.eazepay.backup.test.DirectoryBackupContext;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one MongoSource backup into a temporary directory (deleted at the end), in a JVM of its own (started by
 * {@link MongoStreamingTest} with a small {@code -Xmx}), and prints one RESULT line.
 */
public final class BackupProbe {

    private BackupProbe() {
    }

    public static void main(String[] args) throws IOException {
        String uri = args[0];
        int batchSize = Integer.parseInt(args[1]);
        long[] bytes = {0};
        Path dir = Files.createTempDirectory("mongo-probe");
        try {
            DirectoryBackupContext ctx = DirectoryBackupContext.in(dir).onWrite((stream, written) -> bytes[0] = written);
            long t0 = System.nanoTime();
            MongoSource.builder().connectionString(uri).batchSize(batchSize).build().backup(ctx);
            long ns = System.nanoTime() - t0;
            long docs = ((Map<?, ?>) ctx.facts().get("collections")).values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("RESULT docs=%d bytes=%d ms=%d peakHeapBytes=%d maxHeapBytes=%d closed=%s%n", docs, bytes[0],
                    ns / 1_000_000, peak, Runtime.getRuntime().maxMemory(), ctx.committedStreams().containsKey(MongoSource.STREAM));
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
