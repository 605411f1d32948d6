package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.FailingInputStream;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import com.eazepay.backup.test.TestClock;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GCS-specific behaviour, against {@link FakeGcsServer} (an honest local JSON API endpoint) because
 * {@code LocalStorageHelper} has no HTTP errors, holds, retention, batch requests or resumable-session
 * semantics to test these paths with.
 */
class GcsStorageTest {

    private static FakeGcsServer server;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private String bucket;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = FakeGcsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshBucket() {
        bucket = "gcs-test-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
    }

    private GcsStorage.Builder builder() {
        return GcsStorage.bucket(bucket).prefix("prod").host(server.host())
                .chunkSize(GcsStorage.CHUNK_GRANULARITY)
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).sleeper(sleeps::add).build());
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(GcsStorage storage, String key) throws IOException {
        try (InputStream in = storage.get(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void describeIsGsUrlOfBucketAndPrefix() {
        try (GcsStorage storage = builder().build()) {
            assertThat(storage.describe()).isEqualTo("gs://" + bucket + "/prod/");
            assertThat(storage.prefix()).isEqualTo("prod/");
        }
        try (GcsStorage storage = GcsStorage.bucket(bucket).host(server.host()).build()) {
            assertThat(storage.describe()).isEqualTo("gs://" + bucket);
        }
    }

    @Test
    void missingBucketFailsNamingTheBucket() {
        try (GcsStorage storage = GcsStorage.bucket("no-such-bucket").host(server.host())
                .retryPolicy(RetryPolicy.none()).build()) {
            assertThatThrownBy(() -> storage.put("a.txt", text("x"), PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                        assertThat(e.isRetryable()).isFalse();
                    })
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
            assertThatThrownBy(() -> storage.listAll(""))
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
            assertThatThrownBy(() -> storage.get("a.txt"))
                    .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        }
    }

    @Test
    void permissionDeniedNamesThePermissionAndIsNotRetried() {
        FakeGcsServer own = FakeGcsServer.start();
        try (own; GcsStorage storage = GcsStorage.bucket("locked-down").host(own.host())
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).sleeper(sleeps::add).build()).build()) {
            own.createBucket("locked-down");
            own.deny("storage.objects.create");
            own.deny("storage.objects.list");
            assertThatThrownBy(() -> storage.put("a.txt", text("x"), PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                        assertThat(e.isRetryable()).isFalse();
                    })
                    .hasMessageContaining("permission denied")
                    .hasMessageContaining("needs storage.objects.create on bucket 'locked-down'");
            assertThatThrownBy(() -> storage.listAll(""))
                    .hasMessageContaining("needs storage.objects.list");
            assertThat(sleeps).isEmpty();
        }
    }

    @Test
    void invalidStorageClassFailsAtBuildListingValidOnes() {
        assertThatThrownBy(() -> builder().storageClass("GLACIER").build())
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("storage class 'GLACIER' is invalid")
                .hasMessageContaining("STANDARD, NEARLINE, COLDLINE, ARCHIVE");
    }

    @Test
    void buildCollectsEveryProblemAtOnce() {
        assertThatThrownBy(() -> GcsStorage.bucket("Bad_Bucket!").storageClass("cold").kmsKeyName("my-key")
                .host("not a url").build())
                .hasMessageContaining("bucket name 'Bad_Bucket!' is invalid")
                .hasMessageContaining("storage class 'COLD' is invalid")
                .hasMessageContaining("kmsKeyName must look like")
                .hasMessageContaining("host must be an http(s) URL");
        assertThatThrownBy(() -> GcsStorage.bucket(bucket).chunkSize(1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256 KiB");
    }

    @Test
    void aSettingGivenTwiceIsRefusedAtOnce() {
        assertThatThrownBy(() -> GcsStorage.bucket(bucket).prefix("a").prefix("b"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GcsStorage: prefix was already set");
        assertThatThrownBy(() -> GcsStorage.bucket(bucket).temporaryHold(true).temporaryHold(false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("temporaryHold was already set");
    }

    @Test
    void interruptedUploadLeavesNoObjectAndNeverFinalizesTheSession() {
        try (GcsStorage storage = builder().build()) {
            int sessionsBefore = server.openSessions();
            int chunksBefore = server.chunkPuts();
            InputStream failing = new FailingInputStream(new GeneratedInputStream(4L << 20, 1), 3L << 20);
            assertThatThrownBy(() -> storage.put("db/backup.bin", failing, PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.isRetryable()).isFalse())
                    .hasMessageContaining("reading the input failed after 3145728 bytes")
                    .hasMessageContaining("nothing was stored");
            // chunks did reach the server: it is the missing finalization that keeps the object invisible
            assertThat(server.chunkPuts() - chunksBefore).isGreaterThanOrEqualTo(2);
            assertThat(server.openSessions()).isEqualTo(sessionsBefore + 1);
            assertThat(storage.stat("db/backup.bin")).isEmpty();
            assertThat(storage.listAll("")).isEmpty();
        }
    }

    @Test
    void anInputFailingInItsFirst256KiBOpensNoSession() {
        try (GcsStorage storage = builder().build()) {
            int sessionsBefore = server.openSessions();
            InputStream failing = new FailingInputStream(new GeneratedInputStream(1L << 20, 1), 10_000);
            assertThatThrownBy(() -> storage.put("db/early.bin", failing, PutOptions.defaults()))
                    .hasMessageContaining("reading the input failed within its first 262144 bytes");
            assertThat(server.openSessions()).isEqualTo(sessionsBefore);
            assertThat(storage.stat("db/early.bin")).isEmpty();
        }
    }

    @Test
    void anExceptionFromTheInputPropagatesUnchangedAndStoresNothing() {
        try (GcsStorage storage = builder().build()) {
            BackupException sourceFailure = new BackupException(CoreErrorCode.SOURCE_FAILED, "pg_dump exited 1");
            InputStream failing = new InputStream() {
                private int served;

                @Override
                public int read() {
                    return -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (served++ > 20) {
                        throw sourceFailure;
                    }
                    return len;
                }
            };
            assertThatThrownBy(() -> storage.put("db/x.bin", failing, PutOptions.defaults())).isSameAs(sourceFailure);
            assertThat(storage.stat("db/x.bin")).isEmpty();
        }
    }

    @Test
    void inputShorterThanTheDeclaredLengthIsNotCommitted() {
        try (GcsStorage storage = builder().build()) {
            assertThatThrownBy(() -> storage.put("short.bin", text("abc"), PutOptions.defaults().withContentLength(10)))
                    .hasMessageContaining("the input had 3 bytes but 10 were declared");
            assertThat(storage.stat("short.bin")).isEmpty();
        }
    }

    @Test
    void putIfAbsentLosesWhenTheObjectAppearsBeforeItsSessionIsFinalized() throws IOException {
        try (GcsStorage storage = builder().build(); GcsStorage other = builder().build()) {
            // the competitor writes the key while our session is open: GCS re-checks ifGenerationMatch=0
            // at finalization and answers 412, which putIfAbsent reports as "already existed"
            InputStream racing = new InputStream() {
                private boolean competed;

                @Override
                public int read() {
                    return -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (!competed) {
                        competed = true;
                        other.put("locks/lease.json", text("competitor"), PutOptions.defaults());
                        b[off] = 'x';
                        return 1;
                    }
                    return -1;
                }
            };
            assertThat(storage.putIfAbsent("locks/lease.json", racing, PutOptions.defaults())).isFalse();
            assertThat(read(storage, "locks/lease.json")).isEqualTo("competitor");
        }
    }

    @Test
    void storageClassKmsKeyAndHoldsAreSetOnBackupObjectsButNotOnRepositoryBookkeeping() {
        String kms = "projects/p/locations/us-central1/keyRings/backup/cryptoKeys/k1";
        try (GcsStorage storage = builder().storageClass("nearline").kmsKeyName(kms)
                .temporaryHold(true).eventBasedHold(true).build()) {
            storage.put("pg/1/db.pgdump.zst.age", text("data"), PutOptions.forData().withContentType("application/x-age"));
            storage.put("pg/1/manifest.json", text("{}"), PutOptions.defaults());
            storage.putIfAbsent("locks/prune.json", text("lease"), PutOptions.defaults());
            storage.put("locks/schedule.json", text("lease"), PutOptions.defaults());
            storage.put("holds/pg/1.json", text("{}"), PutOptions.defaults());
            storage.put("pins/pg/1.json", text("{}"), PutOptions.defaults());
            storage.put("reports/verify/pg-1.json", text("{}"), PutOptions.defaults());
            storage.put("repository.json", text("{}"), PutOptions.defaults());

            ObjectNode data = server.metadata(bucket, "prod/pg/1/db.pgdump.zst.age");
            assertThat(data.path("storageClass").asText()).isEqualTo("NEARLINE");
            assertThat(data.path("kmsKeyName").asText()).isEqualTo(kms);
            assertThat(data.path("contentType").asText()).isEqualTo("application/x-age");
            assertThat(data.path("temporaryHold").asBoolean()).isTrue();
            assertThat(data.path("eventBasedHold").asBoolean()).isTrue();
            for (String lease : List.of("prod/locks/prune.json", "prod/locks/schedule.json", "prod/holds/pg/1.json",
                    "prod/pins/pg/1.json", "prod/reports/verify/pg-1.json", "prod/repository.json")) {
                ObjectNode meta = server.metadata(bucket, lease);
                assertThat(meta.path("temporaryHold").asBoolean(false)).as(lease).isFalse();
                assertThat(meta.path("eventBasedHold").asBoolean(false)).as(lease).isFalse();
                assertThat(meta.path("storageClass").asText()).as(lease).isNotEqualTo("NEARLINE");
            }
            // the manifest is bookkeeping (PutOptions.dataObject false): default class, no hold at put (prune asks the
            // deletion guard about the held data objects before deleting it; engine.legalHold holds it too)
            assertThat(server.metadata(bucket, "prod/pg/1/manifest.json").path("storageClass").asText()).isNotEqualTo("NEARLINE");
            assertThat(server.metadata(bucket, "prod/pg/1/manifest.json").path("temporaryHold").asBoolean(false)).isFalse();
            assertThat(storage.toString()).contains("NEARLINE", "temporaryHold", "eventBasedHold");
        }
    }

    @Test
    void retainUntilBecomesObjectRetention() {
        Instant until = Instant.parse("2030-01-01T00:00:00Z");
        try (GcsStorage storage = builder().lockedRetention(true).clock(Clock.fixed(Instant.parse("2026-11-26T00:00:00Z"), ZoneOffset.UTC)).build()) {
            storage.put("pg/1/db.bin", text("data"), PutOptions.defaults().withRetainUntil(until));
            ObjectNode meta = server.metadata(bucket, "prod/pg/1/db.bin");
            assertThat(meta.path("retention").path("mode").asText()).isEqualTo("Locked");
            assertThat(Instant.parse(meta.path("retention").path("retainUntilTime").asText())).isEqualTo(until);
            assertThat(storage.deletionBlocker("pg/1/db.bin")).get().asString()
                    .contains("object retention (Locked) until 2030-01-01T00:00:00Z");
        }
    }

    @Test
    void heldObjectIsReportedAsBlockedAndItsDeleteOrOverwriteFailsNamingTheHold() throws IOException {
        try (GcsStorage storage = builder().temporaryHold(true).build()) {
            storage.put("pg/1/db.bin", text("data"), PutOptions.forData());
            assertThat(storage.isDeletionBlocked("pg/1/db.bin")).isTrue();
            assertThat(storage.deletionBlocker("pg/1/db.bin")).get().asString().contains("a temporary hold");
            assertThatThrownBy(() -> storage.delete("pg/1/db.bin"))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                        assertThat(e.isRetryable()).isFalse();
                    })
                    .hasMessageContaining("cannot delete gs://" + bucket + "/prod/pg/1/db.bin: it is under a temporary hold")
                    .hasMessageContaining("--no-temporary-hold");
            assertThat(storage.stat("pg/1/db.bin")).isPresent();
            assertThatThrownBy(() -> storage.put("pg/1/db.bin", text("new"), PutOptions.forData()))
                    .hasMessageContaining("cannot overwrite gs://" + bucket + "/prod/pg/1/db.bin: it is under a temporary hold");
            assertThat(read(storage, "pg/1/db.bin")).isEqualTo("data");

            server.setTemporaryHold(bucket, "prod/pg/1/db.bin", false);
            assertThat(storage.isDeletionBlocked("pg/1/db.bin")).isFalse();
            storage.delete("pg/1/db.bin");
            assertThat(storage.stat("pg/1/db.bin")).isEmpty();
            assertThat(storage.isDeletionBlocked("never-written")).isFalse();
        }
    }

    @Test
    void bucketRetentionPolicyBlocksDeletionUntilItExpires() {
        TestClock clock = TestClock.at(Instant.parse("2026-11-26T02:00:00Z"));
        server.setClock(clock);
        try (GcsStorage storage = builder().clock(clock).build()) {
            server.setRetentionPolicy(bucket, Duration.ofDays(7));
            storage.put("pg/1/db.bin", text("data"), PutOptions.defaults());
            assertThat(storage.deletionBlocker("pg/1/db.bin")).get().asString()
                    .contains("the bucket retention policy until 2026-12-03T02:00:00Z");
            assertThatThrownBy(() -> storage.delete("pg/1/db.bin")).hasMessageContaining("bucket retention policy");

            clock.advance(Duration.ofDays(8));
            assertThat(storage.isDeletionBlocked("pg/1/db.bin")).isFalse();
            storage.delete("pg/1/db.bin");
            assertThat(storage.stat("pg/1/db.bin")).isEmpty();
        } finally {
            server.setClock(Clock.systemUTC());
        }
    }

    @Test
    void aConflict409IsRetriedAsOnS3() throws IOException {
        try (GcsStorage storage = builder().build()) {
            storage.put("k.txt", text("v"), PutOptions.defaults());
            server.failNext("GET /storage/v1/b/" + bucket + "/o/prod%2Fk\\.txt", 409, 2);
            assertThat(storage.stat("k.txt")).get().extracting(ObjectInfo::size).isEqualTo(1L);
            assertThat(sleeps).hasSize(2);

            sleeps.clear();
            server.failNext("GET /storage/v1/b/" + bucket + "/o/prod%2Fk\\.txt", 409, 50);
            assertThatThrownBy(() -> storage.stat("k.txt"))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                    })
                    .hasMessageContaining("409").hasMessageContaining("conflicting operation");
        }
    }

    @Test
    void transientErrorsAreRetriedThroughTheRetryPolicy() throws IOException {
        try (GcsStorage storage = builder().build()) {
            storage.put("k.txt", text("v"), PutOptions.defaults());
            server.failNext("GET /storage/v1/b/" + bucket + "/o/prod%2Fk\\.txt", 503, 2);
            assertThat(storage.stat("k.txt")).get().extracting(ObjectInfo::size).isEqualTo(1L);
            assertThat(sleeps).hasSize(2);

            sleeps.clear();
            server.failNext("GET /storage/v1/b/" + bucket + "/o\\?", 429, 5);
            assertThatThrownBy(() -> storage.listAll(""))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_THROTTLED);
                        assertThat(e.isRetryable()).isTrue();
                    })
                    .hasMessageContaining("429");
            assertThat(sleeps).hasSize(2);
            server.failNext("GET /storage/v1/b/" + bucket + "/o\\?", 429, 0);
            assertThat(read(storage, "k.txt")).isEqualTo("v");
        }
    }

    @Test
    void aFailedUploadChunkIsRetriedInsideTheSession() throws Exception {
        try (GcsStorage storage = builder().build()) {
            server.failNext("PUT /upload/storage/v1/b/" + bucket + "/", 503, 1);
            long size = 3L * GcsStorage.CHUNK_GRANULARITY + 123;
            storage.put("big.bin", new GeneratedInputStream(size, 5), PutOptions.defaults());
            assertThat(storage.stat("big.bin")).get().extracting(ObjectInfo::size).isEqualTo(size);
            byte[] expected = new GeneratedInputStream(size, 5).readAllBytes();
            try (InputStream in = storage.get("big.bin")) {
                assertThat(in.readAllBytes()).isEqualTo(expected);
            }
        }
    }

    @Test
    void deleteAllRemovesManyObjectsInBatchesAndReportsHeldOnes() {
        try (GcsStorage storage = builder().build(); GcsStorage holding = builder().temporaryHold(true).build()) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String key = String.format("old/%03d.bin", i);
                storage.put(key, text("v" + i), PutOptions.defaults());
                keys.add(key);
            }
            holding.put("old/held.bin", text("held"), PutOptions.forData());
            keys.add("old/held.bin");
            keys.add("old/never-existed.bin");
            assertThatThrownBy(() -> storage.deleteAll(keys))
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED))
                    .hasMessageContaining("1 of 152 objects")
                    .hasMessageContaining("old/held.bin")
                    .hasMessageContaining("temporary hold");
            assertThat(storage.listAll("old/")).extracting(ObjectInfo::key).containsExactly("old/held.bin");
        }
    }

    @Test
    void aClientPassedInIsUsedAndNeverClosed() throws Exception {
        Storage client = StorageOptions.http().setHost(server.host()).setCredentials(NoCredentials.getInstance())
                .build().getService();
        try (client) {
            GcsStorage storage = GcsStorage.from(client, bucket).prefix("shared/").build();
            storage.put("a.txt", text("one"), PutOptions.defaults());
            storage.close();
            storage.close();
            assertThat(client.get(bucket, "shared/a.txt")).isNotNull();
            assertThatThrownBy(() -> storage.stat("a.txt")).hasMessageContaining("is closed");
        }
        assertThatThrownBy(() -> GcsStorage.from(client, bucket).host(server.host()).build())
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("set them on the Storage passed to from(..)");
    }
}
