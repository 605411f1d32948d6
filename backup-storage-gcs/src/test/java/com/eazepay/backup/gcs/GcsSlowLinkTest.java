package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.CuttingProxy;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A link at 100 KB/s (the throttling proxy in front of {@link FakeGcsServer}). The object is small (300 KB
 * in 256 KiB chunks) so the test takes seconds; the read timeout floor is lowered to 1 s to stand for the
 * client's 20 s against an 8 MiB chunk: what carries the upload is the timeout scaled from
 * {@code minimumBandwidth}, as documented.
 */
class GcsSlowLinkTest {

    private static final Logger LOG = LoggerFactory.getLogger(GcsSlowLinkTest.class);

    @Test
    void aHundredKilobytesPerSecondLinkPassesWithTheTimeoutsScaledFromTheMinimumBandwidth() throws Exception {
        byte[] data = new byte[300_000];
        new Random(4).nextBytes(data);
        try (FakeGcsServer server = FakeGcsServer.start();
             CuttingProxy slow = CuttingProxy.throttling(Integer.parseInt(server.host().replaceAll(".*:", "")), 100_000)) {
            server.createBucket("slow");
            GcsStorage.Builder b = GcsStorage.bucket("slow").host(slow.httpEndpoint().toString()).chunkSize(256 * 1024)
                    .readTimeout(Duration.ofSeconds(1)).retryBudget(Duration.ofSeconds(1)).minimumBandwidth(100_000)
                    .retryPolicy(RetryPolicy.builder().maxAttempts(1).build());
            assertThat(b.effectiveReadTimeout()).isEqualTo(Duration.ofMillis(5242));
            assertThat(b.effectiveRetryBudget()).isEqualTo(Duration.ofMillis(4 * 5242));
            try (GcsStorage gcs = b.build()) {
                long t0 = System.nanoTime();
                gcs.put("obj.bin", new ByteArrayInputStream(data), PutOptions.defaults());
                long t1 = System.nanoTime();
                byte[] read;
                try (InputStream in = gcs.get("obj.bin")) {
                    read = in.readAllBytes();
                }
                long t2 = System.nanoTime();
                assertThat(Arrays.equals(read, data)).isTrue();
                LOG.info("300 KB at 100 KB/s: put {} ms, get {} ms, read timeout {}, retry budget {}", (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, b.effectiveReadTimeout(), b.effectiveRetryBudget());
            }
        }
    }

    @Test
    void theSameLinkFailsWhenTheTimeoutsAreNotScaledForIt() throws Exception {
        byte[] data = new byte[300_000];
        try (FakeGcsServer server = FakeGcsServer.start();
             CuttingProxy slow = CuttingProxy.throttling(Integer.parseInt(server.host().replaceAll(".*:", "")), 100_000)) {
            server.createBucket("slow");
            try (GcsStorage gcs = GcsStorage.bucket("slow").host(slow.httpEndpoint().toString()).chunkSize(256 * 1024)
                    .readTimeout(Duration.ofSeconds(1)).retryBudget(Duration.ofSeconds(1)).minimumBandwidth(1L << 40)
                    .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build()) {
                BackupException e = catchThrowableOfType(BackupException.class,
                        () -> gcs.put("obj.bin", new ByteArrayInputStream(data), PutOptions.defaults()));
                assertThat(e).isNotNull();
                assertThat(e.isRetryable()).as(e.getMessage()).isTrue();
            }
        }
    }
}
