package com.eazepay.backup.redis;

import com.eazepay.backup.test.DirectoryBackupContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one replication capture in its own JVM (started by {@link LargeDatasetTest} with a small
 * {@code -Xmx}) and prints {@code bytes keys seconds peakHeapBytes} on one line.
 */
public final class CaptureMain {

    private CaptureMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        DirectoryBackupContext ctx = DirectoryBackupContext.in(dir);
        long t0 = System.nanoTime();
        RedisSource.builder().host("127.0.0.1").port(port).build().backup(ctx);
        double secs = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        long keys = ((java.util.Map<?, ?>) ctx.facts().get("keys")).values().stream().mapToLong(v -> ((Number) v).longValue()).sum();
        System.out.println("RESULT " + Files.size(ctx.streamFile(RedisSource.STREAM)) + " " + keys + " " + secs + " " + peak);
    }
}
