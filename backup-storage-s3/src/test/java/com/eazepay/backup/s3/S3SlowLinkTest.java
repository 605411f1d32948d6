package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.CuttingProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A link at 100 KB/s (the throttling proxy in front of S3Proxy). The object is small (300 KB) so the test
 * takes seconds; the socket timeout floor is lowered to 1 s to stand for the default 60 s against a
 * 16 MiB part: what matters is the timeout scaled from {@code minimumBandwidth}, as documented.
 */
class S3SlowLinkTest {

    private static final Logger LOG = LoggerFactory.getLogger(S3SlowLinkTest.class);

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static S3Storage.Builder through(CuttingProxy proxy, String bucket) {
        return S3Storage.bucket(bucket).endpoint(proxy.httpEndpoint()).pathStyle(true).region("us-east-1")
                .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                .partSize(5L * 1024 * 1024).partsInFlight(1)
                .retryPolicy(RetryPolicy.builder().maxAttempts(1).build());
    }

    @Test
    void aHundredKilobytesPerSecondLinkPassesWithTheTimeoutScaledFromTheMinimumBandwidth() throws Exception {
        byte[] data = new byte[300_000];
        new Random(9).nextBytes(data);
        String bucket = S3.createBucket();
        try (CuttingProxy slow = CuttingProxy.throttling(S3.endpoint().getPort(), 100_000)) {
            S3Storage.Builder b = through(slow, bucket).socketTimeout(Duration.ofSeconds(1)).minimumBandwidth(100_000);
            assertThat(b.effectiveSocketTimeout()).isGreaterThan(Duration.ofSeconds(60));
            try (S3Storage s3 = b.build()) {
                long t0 = System.nanoTime();
                s3.put("obj.bin", new ByteArrayInputStream(data), PutOptions.defaults());
                long t1 = System.nanoTime();
                byte[] read;
                try (InputStream in = s3.get("obj.bin")) {
                    read = in.readAllBytes();
                }
                long t2 = System.nanoTime();
                assertThat(Arrays.equals(read, data)).isTrue();
                LOG.info("300 KB at 100 KB/s: put {} ms, get {} ms, socket timeout {}", (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, b.effectiveSocketTimeout());
            }
        }
    }

    @Test
    void theSameLinkFailsRetryablyWhenTheTimeoutIsNotScaledForIt() throws Exception {
        byte[] data = new byte[300_000];
        String bucket = S3.createBucket();
        try (CuttingProxy slow = CuttingProxy.throttling(S3.endpoint().getPort(), 100_000);
             S3Storage s3 = through(slow, bucket).socketTimeout(Duration.ofSeconds(1))
                     .minimumBandwidth(1L << 40).build()) {
            assertThatThrownBy(() -> s3.put("obj.bin", new ByteArrayInputStream(data), PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    });
        }
    }
}
