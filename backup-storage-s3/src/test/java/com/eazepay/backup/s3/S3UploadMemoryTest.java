package com.eazepay.backup.s3;

import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.PutOptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upload memory stays within one budget however long the stream. A simulated upload of 12,000 × 5 MiB
 * (58.6 GiB) cannot go through S3Proxy in a test's time and disk, so the S3 client here is a fake (the
 * {@link S3Client} interface is ours to implement): it records each part's size and the bytes in flight,
 * and reads no body. The stream is generated without filling its buffers, so the test costs little CPU.
 */
class S3UploadMemoryTest {

    private static final long MIB = 1024 * 1024;

    /** A multipart-only fake: parts are acknowledged without reading their bodies. */
    private static final class FakeMultipartClient implements S3Client {
        final List<Long> partSizes = new CopyOnWriteArrayList<>();
        final AtomicInteger completed = new AtomicInteger();

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }

        @Override
        public S3ServiceClientConfiguration serviceClientConfiguration() {
            return S3ServiceClientConfiguration.builder().region(Region.US_EAST_1).build();
        }

        @Override
        public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest r) {
            return CreateMultipartUploadResponse.builder().uploadId("fake-upload").build();
        }

        @Override
        public UploadPartResponse uploadPart(UploadPartRequest r, RequestBody body) {
            partSizes.add(r.contentLength());
            return UploadPartResponse.builder().eTag("\"etag-" + r.partNumber() + "\"").build();
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest r) {
            completed.incrementAndGet();
            return CompleteMultipartUploadResponse.builder().build();
        }

        @Override
        public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest r) {
            return AbortMultipartUploadResponse.builder().build();
        }
    }

    /** {@code size} bytes whose content is never written: reads just advance. */
    private static final class UnwrittenStream extends InputStream {
        private long left;

        UnwrittenStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            left -= n;
            return n;
        }
    }

    @Test
    void aTwelveThousandPartSizedStreamUploadsWithinTheMemoryBudgetAsPartsGrowAndFewerFly() {
        long total = 12_000 * 5 * MIB;
        long budget = 20 * MIB;
        FakeMultipartClient fake = new FakeMultipartClient();
        try (S3Storage s3 = S3Storage.from(fake, "bucket").partSize(5 * MIB).partsInFlight(4).uploadMemory(budget)
                .retryPolicy(RetryPolicy.none()).build()) {
            s3.put("big.bin", new UnwrittenStream(total), PutOptions.defaults());
            assertThat(fake.completed.get()).isEqualTo(1);
            assertThat(fake.partSizes.stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
            assertThat(fake.partSizes).hasSizeLessThanOrEqualTo(10_000).allSatisfy(p -> assertThat(p).isLessThanOrEqualTo(budget));
            assertThat(s3.maxUploadBufferedBytes()).as("most part-buffer bytes held at once").isPositive()
                    .isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void theDefaultBudgetIsPartsInFlightTimesPartSizeAndHoldsForAStreamThatOutgrowsIt() {
        long total = 2_500 * 5 * MIB; // parts grow to 10 MiB then 20 MiB: the budget of 4 × 5 MiB holds
        FakeMultipartClient fake = new FakeMultipartClient();
        try (S3Storage s3 = S3Storage.from(fake, "bucket").partSize(5 * MIB).partsInFlight(4)
                .retryPolicy(RetryPolicy.none()).build()) {
            s3.put("big.bin", new UnwrittenStream(total), PutOptions.defaults());
            assertThat(fake.partSizes.stream().mapToLong(Long::longValue).sum()).isEqualTo(total);
            assertThat(s3.maxUploadBufferedBytes()).isLessThanOrEqualTo(4 * 5 * MIB);
        }
    }
}
