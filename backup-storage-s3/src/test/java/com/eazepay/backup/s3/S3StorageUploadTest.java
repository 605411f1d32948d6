package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.s3.internal.StreamingUpload;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.FailingInputStream;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static com.eazepay.backup.s3.RecordingInterceptor.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Multipart streaming, headers we send, checksums, aborts and retries, against S3Proxy. */
class S3StorageUploadTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final long MIB = 1024 * 1024;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final RecordingInterceptor recorder = new RecordingInterceptor();
    private String bucket;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** A storage on a fresh bucket through a client with a recorder and the given faults. */
    private S3Storage storage(Consumer<S3Storage.Builder> custom, ExecutionInterceptor... faults) {
        List<ExecutionInterceptor> all = new ArrayList<>(List.of(faults));
        all.add(recorder);
        S3Client client = S3.newClient(all.toArray(ExecutionInterceptor[]::new));
        toClose.add(client);
        bucket = S3.createBucket();
        S3Storage.Builder b = S3Storage.from(client, bucket).partSize(5 * MIB).partsInFlight(2)
                .retryPolicy(RetryPolicy.builder().maxAttempts(4).sleeper(sleeps::add).build());
        custom.accept(b);
        S3Storage s = b.build();
        toClose.add(0, s);
        return s;
    }

    private List<software.amazon.awssdk.services.s3.model.MultipartUpload> uploadsLeft() {
        return S3.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads();
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void aTwentyMebibyteStreamOfUnknownLengthGoesUpInFivePartsWithChecksumsStorageClassAndSse() throws Exception {
        S3Storage s = storage(b -> b.storageClass("STANDARD_IA"));
        long size = 20 * MIB + 123;
        s.put("pg/big.bin", new GeneratedInputStream(size, 1), PutOptions.forData());

        assertThat(sha256(s.get("pg/big.bin"))).isEqualTo(sha256(new GeneratedInputStream(size, 1)));
        List<SdkHttpRequest> creates = recorder.matching(RecordingInterceptor::isCreateMultipart);
        assertThat(creates).hasSize(1);
        assertThat(header(creates.get(0), "x-amz-storage-class")).isEqualTo("STANDARD_IA");
        assertThat(header(creates.get(0), "x-amz-server-side-encryption")).isEqualTo("AES256");
        assertThat(header(creates.get(0), "x-amz-checksum-algorithm")).isEqualTo("CRC32");
        List<SdkHttpRequest> parts = recorder.matching(RecordingInterceptor::isUploadPart);
        assertThat(parts).hasSize(5);
        assertThat(parts).allSatisfy(p -> assertThat(
                p.firstMatchingHeader("x-amz-checksum-crc32").or(() -> p.firstMatchingHeader("x-amz-trailer")))
                .get().asString().containsIgnoringCase("crc32"));
        assertThat(recorder.matching(RecordingInterceptor::isComplete)).hasSize(1);
        assertThat(uploadsLeft()).isEmpty();
    }

    @Test
    void sha256PartChecksumsCanBeChosen() {
        S3Storage s = storage(b -> b.checksum(ChecksumAlgorithm.SHA256));
        s.put("x.bin", new GeneratedInputStream(6 * MIB, 2), PutOptions.defaults());
        assertThat(recorder.matching(RecordingInterceptor::isUploadPart)).hasSize(2).allSatisfy(p -> assertThat(
                p.firstMatchingHeader("x-amz-checksum-sha256").or(() -> p.firstMatchingHeader("x-amz-trailer")))
                .get().asString().containsIgnoringCase("sha256"));
    }

    @Test
    void theStorageClassGoesOnDataObjectsOnlyNeverOnBookkeeping() {
        S3Storage s = storage(b -> b.storageClass("GLACIER"));
        s.put("pg/1/db.pgdump.zst.age", new ByteArrayInputStream(new byte[10]), PutOptions.forData());
        s.put("pg/1/big.zst.age", new GeneratedInputStream(6 * MIB, 3), PutOptions.forData());
        for (String bookkeeping : List.of("pg/1/manifest.json", "locks/prune.json", "pins/pg/1.json", "holds/pg/1.json",
                "reports/verify/pg-1.json", "repository.json")) {
            s.put(bookkeeping, new ByteArrayInputStream("{}".getBytes()), PutOptions.defaults());
        }
        assertThat(s.putIfAbsent("locks/lease.json", new ByteArrayInputStream("{}".getBytes()), PutOptions.defaults())).isTrue();
        List<SdkHttpRequest> puts = recorder.matching(RecordingInterceptor::isSinglePut);
        assertThat(puts).hasSize(8);
        assertThat(puts).filteredOn(p -> p.encodedPath().endsWith(".age"))
                .singleElement().satisfies(p -> assertThat(header(p, "x-amz-storage-class")).isEqualTo("GLACIER"));
        assertThat(puts).filteredOn(p -> !p.encodedPath().endsWith(".age"))
                .hasSize(7).allSatisfy(p -> assertThat(p.firstMatchingHeader("x-amz-storage-class")).isEmpty());
        assertThat(recorder.matching(RecordingInterceptor::isCreateMultipart)).singleElement()
                .satisfies(p -> assertThat(header(p, "x-amz-storage-class")).isEqualTo("GLACIER"));
        // and the bookkeeping stays readable (an archived manifest would not be)
        try (InputStream in = s.get("pg/1/manifest.json")) {
            assertThat(in.readAllBytes()).hasSize(2);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aStreamShorterThanOnePartIsOneSinglePutWithStorageClassAndKmsHeaders() {
        S3Storage s = storage(b -> b.storageClass("GLACIER_IR").sseKms("alias/eazepay-backups"));
        // S3Proxy may refuse SSE-KMS; what matters here is the request we send.
        try {
            s.put("pg/1/db.pgdump.zst.age", new ByteArrayInputStream("{}".getBytes()), PutOptions.forData());
        } catch (BackupException refusedByS3Proxy) {
            assertThat(refusedByS3Proxy.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
        }
        assertThat(recorder.matching(RecordingInterceptor::isCreateMultipart)).isEmpty();
        List<SdkHttpRequest> puts = recorder.matching(RecordingInterceptor::isSinglePut);
        assertThat(puts).hasSize(1);
        assertThat(header(puts.get(0), "x-amz-storage-class")).isEqualTo("GLACIER_IR");
        assertThat(header(puts.get(0), "x-amz-server-side-encryption")).isEqualTo("aws:kms");
        assertThat(header(puts.get(0), "x-amz-server-side-encryption-aws-kms-key-id")).isEqualTo("alias/eazepay-backups");
    }

    @Test
    void aKnownSmallContentLengthIsOneSinglePut() throws Exception {
        S3Storage s = storage(b -> { });
        byte[] data = new byte[3 * 1024 * 1024];
        s.put("known.bin", new ByteArrayInputStream(data), PutOptions.defaults().withContentLength(data.length));
        assertThat(recorder.matching(RecordingInterceptor::isSinglePut)).hasSize(1);
        assertThat(recorder.matching(RecordingInterceptor::isCreateMultipart)).isEmpty();
        assertThat(s.stat("known.bin")).get().extracting(o -> o.size()).isEqualTo((long) data.length);
    }

    @Test
    void anInputStreamThatThrowsMidUploadAbortsTheMultipartUploadAndLeavesNothing() {
        S3Storage s = storage(b -> { });
        InputStream failing = new FailingInputStream(new GeneratedInputStream(30 * MIB, 3), 12 * MIB);
        assertThatThrownBy(() -> s.put("pg/broken.bin", failing, PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED);
                    assertThat(e.getMessage()).contains("pg/broken.bin", "nothing was stored");
                });
        assertThat(recorder.matching(RecordingInterceptor::isUploadPart)).isNotEmpty();
        assertThat(recorder.matching(RecordingInterceptor::isAbort)).hasSize(1);
        assertThat(recorder.matching(RecordingInterceptor::isComplete)).isEmpty();
        assertThat(uploadsLeft()).isEmpty();
        assertThat(s.stat("pg/broken.bin")).isEmpty();
    }

    @Test
    void aPartThatKeepsFailingAbortsTheUploadAfterItsRetries() {
        FaultInterceptor always500 = new FaultInterceptor(
                r -> RecordingInterceptor.isUploadPart(r) && "3".equals(r.rawQueryParameters().get("partNumber").get(0)),
                Integer.MAX_VALUE, 500, "InternalError", java.util.Map.of());
        S3Storage s = storage(b -> { }, always500);
        assertThatThrownBy(() -> s.put("pg/fails.bin", new GeneratedInputStream(22 * MIB, 4), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.getMessage()).contains("part 3", "InternalError");
                });
        assertThat(always500.injected()).isBetween(1, 4);
        assertThat(recorder.matching(RecordingInterceptor::isAbort)).hasSize(1);
        assertThat(uploadsLeft()).isEmpty();
        assertThat(s.stat("pg/fails.bin")).isEmpty();
    }

    @Test
    void slowDownOnPartsIsRetriedWithBackoffAndTheUploadSucceeds() throws Exception {
        FaultInterceptor slowDown = FaultInterceptor.slowDown(RecordingInterceptor::isUploadPart, 3);
        S3Storage s = storage(b -> { }, slowDown);
        s.put("pg/throttled.bin", new GeneratedInputStream(12 * MIB, 5), PutOptions.defaults());
        assertThat(slowDown.injected()).isEqualTo(3);
        // at least: a kept-alive connection closed by S3Proxy may add a (retried) transport failure
        assertThat(sleeps).hasSizeGreaterThanOrEqualTo(3);
        assertThat(recorder.matching(RecordingInterceptor::isUploadPart)).hasSizeGreaterThanOrEqualTo(3 + 3);
        assertThat(sha256(s.get("pg/throttled.bin"))).isEqualTo(sha256(new GeneratedInputStream(12 * MIB, 5)));
    }

    @Test
    void slowDownOnSmallRequestsIsRetriedAndSurfacesAsThrottledWhenItPersists() {
        FaultInterceptor slowDown = FaultInterceptor.slowDown(r -> r.method().name().equals("HEAD"), Integer.MAX_VALUE);
        S3Storage s = storage(b -> { }, slowDown);
        assertThatThrownBy(() -> s.stat("any"))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_THROTTLED);
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(slowDown.injected()).isEqualTo(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void partSizeGrowsSoTenThousandPartsAlwaysSuffice() {
        assertThat(StreamingUpload.partSize(5 * MIB, 1)).isEqualTo(5 * MIB);
        assertThat(StreamingUpload.partSize(5 * MIB, 1000)).isEqualTo(5 * MIB);
        assertThat(StreamingUpload.partSize(5 * MIB, 1001)).isEqualTo(10 * MIB);
        assertThat(StreamingUpload.partSize(16 * MIB, 10_000)).isEqualTo(1024 * MIB);
        assertThat(StreamingUpload.partSize(16 * MIB, 10_000, 64 * MIB)).as("capped by the upload memory budget").isEqualTo(64 * MIB);
        long capacity = 0;
        for (int part = 1; part <= 10_000; part++) {
            capacity += StreamingUpload.partSize(5 * MIB, part);
        }
        assertThat(capacity).isGreaterThan(3L * 1024 * 1024 * MIB);
    }

    @Test
    void putIfAbsentOnAMultipartSizedStreamStillCreatesOnlyOnce() throws IOException {
        S3Storage s = storage(b -> { });
        assertThat(s.putIfAbsent("big-lock.bin", new GeneratedInputStream(7 * MIB, 6), PutOptions.defaults())).isTrue();
        // S3Proxy may not honour If-None-Match on CompleteMultipartUpload; the single-put path is the contract.
        assertThat(recorder.matching(RecordingInterceptor::isComplete))
                .allSatisfy(r -> assertThat(header(r, "If-None-Match")).isEqualTo("*"));
        try (InputStream in = s.get("big-lock.bin")) {
            assertThat(in.readAllBytes()).hasSize((int) (7 * MIB));
        }
    }

    @Test
    void anInterruptedUploadAbortsTheMultipartUploadAndKeepsTheInterruptFlag() {
        S3Storage s = storage(b -> { });
        InputStream interrupting = new java.io.FilterInputStream(new GeneratedInputStream(30 * MIB, 8)) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                read += Math.max(0, n);
                if (read > 11 * MIB) {
                    Thread.currentThread().interrupt();
                }
                return n;
            }
        };
        try {
            assertThatThrownBy(() -> s.put("pg/interrupted.bin", interrupting, PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INTERRUPTED));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(recorder.matching(RecordingInterceptor::isAbort)).hasSize(1);
        assertThat(uploadsLeft()).isEmpty();
        assertThat(s.stat("pg/interrupted.bin")).isEmpty();
    }
}
