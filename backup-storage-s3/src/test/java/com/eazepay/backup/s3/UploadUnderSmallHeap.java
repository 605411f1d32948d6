package com.eazepay.backup.s3;

import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Run in a forked JVM with a small {@code -Xmx} by {@link S3HeapTest}: streams a generated object of
 * the given size to S3 through {@link S3Storage}, reads it back, compares SHA-256s, and prints one
 * {@code RESULT} line with upload/download MB/s and the peak heap used. Exit code 0 when the bytes match.
 *
 * <p>Args: endpoint bucket sizeBytes partSizeBytes partsInFlight
 */
public final class UploadUnderSmallHeap {

    private UploadUnderSmallHeap() {
    }

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String bucket = args[1];
        long size = Long.parseLong(args[2]);
        long partSize = Long.parseLong(args[3]);
        int inFlight = Integer.parseInt(args[4]);
        try (S3Storage s = S3Storage.bucket(bucket).endpoint(endpoint).pathStyle(true).region("us-east-1")
                .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                .sseNone().partSize(partSize).partsInFlight(inFlight).build()) {
            // Sample heap use while streaming (a benchmark main, not a test: a timer thread is fine here).
            java.util.concurrent.atomic.AtomicLong maxUsed = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "heap-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(() -> maxUsed.accumulateAndGet(
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max),
                    0, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            s.put("big/object.bin", new GeneratedInputStream(size, 77), PutOptions.defaults());
            long t1 = System.nanoTime();
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            long read = 0;
            try (InputStream in = s.get("big/object.bin")) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.update(buf, 0, n);
                    read += n;
                }
            }
            long t2 = System.nanoTime();
            MessageDigest want = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new GeneratedInputStream(size, 77)) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    want.update(buf, 0, n);
                }
            }
            sampler.shutdownNow();
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            double mib = size / (1024.0 * 1024.0);
            System.out.printf("RESULT size=%dMiB upload=%.1fMB/s download=%.1fMB/s sampledMaxHeapUsed=%.1fMiB sumOfPoolPeaks=%.1fMiB maxHeap=%.0fMiB read=%d match=%s%n",
                    (long) mib, size / 1e6 / ((t1 - t0) / 1e9), size / 1e6 / ((t2 - t1) / 1e9),
                    maxUsed.get() / (1024.0 * 1024.0), peak / (1024.0 * 1024.0), Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0), read,
                    Arrays.equals(got.digest(), want.digest()));
            if (read != size) {
                System.exit(3);
            }
        }
    }
}
