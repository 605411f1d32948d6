package com.eazepay.backup.s3;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.CuttingProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads from S3Proxy through a {@link CuttingProxy} that drops connections mid-object: reads resume with a
 * ranged GET pinned to the ETag, a bounded number of times; and the engine never turns a failed read into
 * a checksum verdict.
 */
class S3ReadResumeTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final int MIB = 1024 * 1024;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A storage on {@code bucket} reached through {@code proxy}. */
    private static S3Storage through(CuttingProxy proxy, String bucket, Consumer<S3Storage.Builder> customizer) {
        S3Storage.Builder b = S3Storage.bucket(bucket).endpoint(proxy.httpEndpoint()).pathStyle(true).region("us-east-1")
                .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build());
        customizer.accept(b);
        return b.build();
    }

    @Test
    void readCutMidObjectResumesWithARangedGetAndReturnsEveryByte() throws Exception {
        byte[] data = random(3 * MIB, 1);
        try (S3Storage direct = S3.freshBucketStorage()) {
            direct.put("big.bin", new ByteArrayInputStream(data), PutOptions.defaults().withContentLength(data.length));
            try (CuttingProxy proxy = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), MIB, 2);
                 S3Storage s3 = through(proxy, direct.bucketName(), b -> { })) {
                byte[] read;
                try (InputStream in = s3.get("big.bin")) {
                    read = in.readAllBytes();
                }
                assertThat(proxy.cuts()).as("connections cut mid-object").isEqualTo(2);
                assertThat(read.length).isEqualTo(data.length);
                assertThat(Arrays.equals(read, data)).as("resumed read returns the object's bytes").isTrue();

                // a ranged read resumes within its range
                byte[] part;
                try (CuttingProxy again = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), MIB, 1);
                     S3Storage s3b = through(again, direct.bucketName(), b -> { });
                     InputStream in = s3b.get("big.bin", ByteRange.of(100_000, 2L * MIB))) {
                    part = in.readAllBytes();
                    assertThat(again.cuts()).isEqualTo(1);
                }
                assertThat(Arrays.equals(part, Arrays.copyOfRange(data, 100_000, 100_000 + 2 * MIB))).isTrue();
            }
        }
    }

    @Test
    void readCutMoreOftenThanTheResumeBudgetFailsWithAnErrorNotAShortRead() throws Exception {
        byte[] data = random(3 * MIB, 2);
        try (S3Storage direct = S3.freshBucketStorage()) {
            direct.put("big.bin", new ByteArrayInputStream(data), PutOptions.defaults().withContentLength(data.length));
            try (CuttingProxy proxy = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), 256 * 1024);
                 S3Storage s3 = through(proxy, direct.bucketName(), b -> b.readResumes(2));
                 InputStream in = s3.get("big.bin")) {
                assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                        .hasMessageContaining("after 2 resume(s)").hasMessageContaining("readResumes");
                assertThat(proxy.cuts()).isEqualTo(3);
            }
        }
    }

    @Test
    void resumedReadOfAnObjectReplacedMeanwhileFailsInsteadOfSplicingTwoVersions() throws Exception {
        byte[] v1 = random(3 * MIB, 3);
        byte[] v2 = random(3 * MIB, 4);
        try (S3Storage direct = S3.freshBucketStorage()) {
            direct.put("big.bin", new ByteArrayInputStream(v1), PutOptions.defaults().withContentLength(v1.length));
            try (CuttingProxy proxy = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), MIB, 1);
                 S3Storage s3 = through(proxy, direct.bucketName(), b -> { });
                 InputStream in = s3.get("big.bin")) {
                byte[] head = in.readNBytes(64 * 1024);
                assertThat(Arrays.equals(head, Arrays.copyOf(v1, head.length))).isTrue();
                direct.put("big.bin", new ByteArrayInputStream(v2), PutOptions.defaults().withContentLength(v2.length));
                assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                        .hasMessageContaining("changed while it was being read");
            }
        }
    }

    @Test
    void closingAPartlyReadStreamAbortsTheResponseInsteadOfDownloadingTheRest() throws Exception {
        long size = 48L * MIB;
        try (S3Storage direct = S3.freshBucketStorage()) {
            direct.put("big.bin", new com.eazepay.backup.test.StorageContract.GeneratedInputStream(size, 6), PutOptions.defaults());
            try (CuttingProxy proxy = CuttingProxy.recording(S3.endpoint().getPort());
                 S3Storage s3 = through(proxy, direct.bucketName(), b -> { })) {
                try (InputStream in = s3.get("big.bin")) {
                    assertThat(in.readNBytes(MIB)).hasSize(MIB);
                }
                // what went through by the time close() returned: socket buffers hold a few MiB at most
                long transferred = proxy.bytesToClient();
                assertThat(transferred).as("bytes sent to the client for a 1 MiB read of a 48 MiB object")
                        .isLessThan(size / 4);
                // and the storage is still usable afterwards (a new connection)
                try (InputStream in = s3.get("big.bin", ByteRange.of(0, 10))) {
                    assertThat(in.readAllBytes()).hasSize(10);
                }
                org.slf4j.LoggerFactory.getLogger(S3ReadResumeTest.class)
                        .info("1 MiB read of a 48 MiB object, then close: {} bytes transferred", transferred);
            }
        }
    }

    private BackupEngine engine(StorageTarget storage, Path data, Encryption encryption) {
        return Backup.engine().repository(storage).compression(Compression.zstd()).encryption(encryption)
                .source(CommandSource.builder("ledger", "cat", data.toString()).stream("ledger", "bin").build())
                .clock(CLOCK).build();
    }

    @Test
    void engineVerifyPassesWhenReadsAreCutAndResumedAndReportsStorageUnavailableBeyondTheBudget() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path identity = dir.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), CLOCK);
        Path data = dir.resolve("ledger.bin");
        Files.write(data, random(4 * MIB, 5)); // incompressible: the stored object is ~4 MiB
        String bucket;
        try (S3Storage direct = S3.freshBucketStorage();
             BackupEngine engine = engine(direct, data, AgeEncryption.toRecipients(keys.recipient().encoded()))) {
            bucket = direct.bucketName();
            engine.backup("ledger").run();
        }
        Encryption decrypt = AgeEncryption.decryptOnly().withIdentityFile(identity);

        // a few cuts: the reads resume, verify and restore pass
        try (CuttingProxy proxy = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), MIB, 3);
             S3Storage s3 = through(proxy, bucket, b -> { });
             BackupEngine engine = engine(s3, data, decrypt)) {
            VerificationReport report = engine.verify("ledger").latest().run();
            assertThat(report.passed()).as(report.toString()).isTrue();
            assertThat(proxy.cuts()).isEqualTo(3);
            Path restored = dir.resolve("restored.bin");
            engine.restore("ledger").latest().into(StreamTarget.file(restored)).run();
            assertThat(Files.mismatch(restored, data)).isEqualTo(-1L);
        }

        // every connection cut, resumes exhausted: a storage failure, never a checksum verdict
        try (CuttingProxy proxy = CuttingProxy.cuttingResponses(S3.endpoint().getPort(), MIB);
             S3Storage s3 = through(proxy, bucket, b -> b.readResumes(1));
             BackupEngine engine = engine(s3, data, decrypt)) {
            VerificationReport report = engine.verify("ledger").latest().run();
            assertThat(report.passed()).isFalse();
            assertThat(report.streams()).singleElement().satisfies(check -> {
                assertThat(check.detail()).startsWith("STORAGE_UNAVAILABLE:").doesNotContain("CHECKSUM_MISMATCH")
                        .contains("readResumes");
            });
            assertThatThrownBy(() -> engine.restore("ledger").latest().into(StreamTarget.file(dir.resolve("r2.bin"))).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    });
        }
    }
}
