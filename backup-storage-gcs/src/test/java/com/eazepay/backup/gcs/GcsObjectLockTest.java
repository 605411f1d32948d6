package com.eazepay.backup.gcs;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.test.FaultyStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GCS declares the object lock it applies: configured object retention, or what the bucket has. */
class GcsObjectLockTest {

    private static final Instant NOW = Instant.parse("2026-11-24T02:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static FakeGcsServer server;
    private String bucket;

    @BeforeAll
    static void start() throws Exception {
        server = FakeGcsServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void freshBucket() {
        bucket = "lock-test-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
    }

    private GcsStorage.Builder builder() {
        return GcsStorage.bucket(bucket).prefix("prod").host(server.host()).clock(CLOCK).retryPolicy(RetryPolicy.none());
    }

    private static BackupEngine engine(StorageTarget storage) {
        return Backup.engine().repository(storage).encryption(Encryption.none()).clock(CLOCK)
                .objectLock(Duration.ofDays(30)).source(CommandSource.builder("cfg", "printf", "x").build()).build();
    }

    @Test
    void configuredObjectRetentionIsDeclaredAndTheEngineAcceptsObjectLockBehindAWrapper() {
        try (GcsStorage gcs = builder().objectRetention(true).build()) {
            StorageTarget wrapped = FaultyStorage.wrap(gcs);
            assertThat(wrapped.capability(ObjectLock.class)).get().extracting(ObjectLock::lockMode)
                    .asString().contains("GCS object retention");
            try (BackupEngine engine = engine(wrapped)) {
                Manifest m = engine.backup("cfg").run().manifest();
                String stream = "prod/cfg/" + m.id() + "/" + m.streams().get(0).object();
                assertThat(Instant.parse(server.metadata(bucket, stream).path("retention").path("retainUntilTime").asText()))
                        .isEqualTo(NOW.plus(Duration.ofDays(30)));
            }
        }
    }

    @Test
    void aBucketWithoutRetentionDeclaresNoObjectLockAndTheEngineRefusesIt() {
        try (GcsStorage gcs = builder().build()) {
            assertThat(gcs.supportsObjectLock()).isFalse();
            assertThatThrownBy(() -> engine(gcs)).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
        }
    }

    @Test
    void aBucketRetentionPolicyIsDeclaredAndRetainsObjectsWithoutPerObjectRetention() {
        server.setRetentionPolicy(bucket, Duration.ofDays(60));
        try (GcsStorage gcs = builder().build()) {
            assertThat(gcs.capability(ObjectLock.class)).isPresent();
            gcs.put("cfg/1/data.bin", new ByteArrayInputStream(new byte[] {1}),
                    PutOptions.forData().withRetainUntil(NOW.plus(Duration.ofDays(30))));
            assertThat(server.metadata(bucket, "prod/cfg/1/data.bin").has("retention")).isFalse();
            assertThatThrownBy(() -> gcs.put("cfg/1/long.bin", new ByteArrayInputStream(new byte[] {1}),
                    PutOptions.forData().withRetainUntil(NOW.plus(Duration.ofDays(90)))))
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("bucket retention policy of PT1440H");
        }
    }

    @Test
    void objectRetentionFalseDeclaresNoObjectLockWhateverTheBucketHas() {
        server.setRetentionPolicy(bucket, Duration.ofDays(60));
        try (GcsStorage gcs = builder().objectRetention(false).build()) {
            assertThat(gcs.supportsObjectLock()).isFalse();
        }
    }
}
