package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.storage.RetryingStorage;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Engine-level object lock. S3Proxy answers 501 to Object Lock (see DEPENDENCIES.md), so the lock
 * itself is simulated here by {@link LockingStorage}, a wrapper over the in-memory storage that
 * records each put's retain-until date and refuses deletes and overwrites before it, as S3 does in
 * compliance mode. What S3Storage sends for a retain-until date is tested in backup-storage-s3.
 */
class ObjectLockTest {

    @TempDir
    Path tmp;

    final TestClock clock = TestClock.create();

    @Test
    void everyObjectOfABackupIsLockedAndTheManifestRecordsTheDate() {
        LockingStorage storage = new LockingStorage(InMemoryStorage.withClock(clock), clock);
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .objectLock(Duration.ofDays(30)).source(CommandSource.builder("cfg", "printf", "x").build()).build()) {
            BackupResult r = engine.backup("cfg").run();
            Instant until = Instant.parse("2026-11-24T02:00:00Z").plus(Duration.ofDays(30));
            assertThat(r.manifest().facts()).containsEntry(Manifest.OBJECT_LOCK_UNTIL_FACT, until.toString());
            assertThat(storage.locks).containsEntry("cfg/" + r.id() + "/manifest.json", until)
                    .containsEntry("cfg/" + r.id() + "/" + r.manifest().streams().get(0).object(), until);
            assertThat(storage.locks).doesNotContainKey("repository.json");
        }
    }

    @Test
    void pruneNeverPlansToRemoveALockedBackup() {
        LockingStorage storage = new LockingStorage(InMemoryStorage.withClock(clock), clock);
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .objectLock(Duration.ofDays(10)).retention("cfg", RetentionPolicy.builder().keepLast(1).build())
                .source(CommandSource.builder("cfg", "printf", "x").build()).build()) {
            String first = engine.backup("cfg").run().id();
            clock.advance(Duration.ofDays(1));
            engine.backup("cfg").run();
            PruneReport locked = engine.prune().dryRun();
            assertThat(locked.toTable()).contains(first).contains("object lock until");
            engine.prune().run();
            assertThat(engine.list("cfg")).extracting(Manifest::id).contains(first);

            clock.advance(Duration.ofDays(10));
            engine.prune().run();
            assertThat(engine.list("cfg")).extracting(Manifest::id).doesNotContain(first).hasSize(1);
        }
    }

    @Test
    void objectLockIsAcceptedOnALockingRepositoryBehindRetryingAndFaultyWrappers() {
        LockingStorage locked = new LockingStorage(InMemoryStorage.withClock(clock), clock);
        StorageTarget wrapped = FaultyStorage.wrap(RetryingStorage.wrap(locked, RetryPolicy.none()));
        assertThat(wrapped.supportsObjectLock()).isTrue();
        assertThat(wrapped.capability(ObjectLock.class)).get().extracting(ObjectLock::lockMode).isEqualTo("simulated COMPLIANCE");
        try (BackupEngine engine = Backup.engine().repository(wrapped).encryption(Encryption.none()).clock(clock)
                .objectLock(Duration.ofDays(30)).source(CommandSource.builder("cfg", "printf", "x").build()).build()) {
            BackupResult r = engine.backup("cfg").run();
            assertThat(locked.locks).containsKey("cfg/" + r.id() + "/manifest.json");
        }
    }

    @Test
    void objectLockOnARepositoryWithoutItIsRefusedAtBuild() {
        assertThatThrownBy(() -> Backup.engine().repository(FileSystemStorage.at(tmp)).encryption(Encryption.none())
                .objectLock(Duration.ofDays(30)).source(CommandSource.builder("cfg", "printf", "x").build()).build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("object lock").hasMessageContaining("S3Storage");
    }

    /** Simulates S3 Object Lock in compliance mode over another storage (see the class comment). */
    static final class LockingStorage extends ForwardingStorage implements ObjectLock {
        final Map<String, Instant> locks = new ConcurrentHashMap<>();
        private final TestClock clock;

        LockingStorage(StorageTarget delegate, TestClock clock) {
            super(delegate);
            this.clock = clock;
        }

        @Override
        public String lockMode() {
            return "simulated COMPLIANCE";
        }

        private void refuseIfLocked(String op, String key) {
            Instant until = locks.get(key);
            if (until != null && until.isAfter(clock.instant())) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, op + " " + key + " refused: object locked until " + until);
            }
        }

        @Override
        public String describe() {
            return "locking(" + delegate.describe() + ")";
        }

        @Override
        public void put(String key, InputStream data, PutOptions options) {
            refuseIfLocked("put", key);
            delegate.put(key, data, options);
            options.retainUntil().ifPresent(until -> locks.put(key, until));
        }

        @Override
        public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
            boolean created = delegate.putIfAbsent(key, data, options);
            if (created) {
                options.retainUntil().ifPresent(until -> locks.put(key, until));
            }
            return created;
        }

        @Override
        public void delete(String key) {
            refuseIfLocked("delete", key);
            delegate.delete(key);
        }
    }
}
