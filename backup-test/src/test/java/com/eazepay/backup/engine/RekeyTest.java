package com.eazepay.backup.engine;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RekeyTest {

    @TempDir
    Path tmp;

    final TestClock clock = TestClock.create();
    final InMemoryStorage storage = InMemoryStorage.withClock(clock);
    final AgeKeys oldKey = AgeKeys.generate();
    final AgeKeys newKey = AgeKeys.generate();
    Path config;

    @BeforeEach
    void setUp() throws IOException {
        config = Files.createDirectories(tmp.resolve("cfg"));
        Files.writeString(config.resolve("app.yml"), "limit: 5\n");
    }

    private BackupEngine engine(StorageTarget repo, AgeKeys keys) {
        return Backup.engine().repository(repo).clock(clock)
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(FilesSource.builder("config").directory(config).build()).build();
    }

    @Test
    void rekeyRewritesEveryBackupToTheNewRecipientsAndTheOldKeyNoLongerOpensThem() throws IOException {
        String id1;
        String id2;
        try (BackupEngine engine = engine(storage, oldKey)) {
            id1 = engine.backup("config").run().id();
            clock.advance(Duration.ofHours(1));
            id2 = engine.backup("config").run().id();
            clock.advance(Duration.ofHours(1));
            List<Manifest> rekeyed = engine.rekey("config").to(AgeEncryption.toRecipients(newKey.recipient().encoded())).run();
            assertThat(rekeyed).extracting(Manifest::id).containsExactly(id1, id2);
            assertThat(rekeyed.get(0).encryption().parameters().toString()).contains(newKey.recipient().encoded())
                    .doesNotContain(oldKey.recipient().encoded());
            assertThat(rekeyed.get(0).facts()).containsKey("rekeyedAt");
            assertThatThrownBy(() -> engine.restore("config").id(id1).into(FilesTarget.directory(tmp.resolve("old"))).run())
                    .hasMessageContaining(newKey.recipient().encoded())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.DECRYPTION_FAILED));
        }
        // exactly one data object and one manifest per backup remain: the old objects are gone
        assertThat(storage.keys()).filteredOn(k -> k.startsWith("config/" + id1 + "/")).hasSize(2);
        try (BackupEngine engine = engine(storage, newKey)) {
            assertThat(engine.verify("config").id(id1).run().passed()).isTrue();
            engine.restore("config").id(id2).into(FilesTarget.directory(tmp.resolve("new"))).checked().run();
            assertThat(Files.readString(tmp.resolve("new/cfg/app.yml"))).isEqualTo("limit: 5\n");
        }
    }

    @Test
    void aRekeyThatFailsWhileWritingLeavesTheBackupExactlyAsItWas() {
        String id;
        try (BackupEngine engine = engine(storage, oldKey)) {
            id = engine.backup("config").run().id();
        }
        List<String> before = storage.keys();
        byte[] manifestBefore = storage.bytes("config/" + id + "/manifest.json");
        FaultyStorage faulty = FaultyStorage.wrap(storage).failPutAfterBytes(10);
        try (BackupEngine engine = engine(faulty, oldKey)) {
            assertThatThrownBy(() -> engine.rekey("config").to(AgeEncryption.toRecipients(newKey.recipient().encoded())).run())
                    .isInstanceOf(BackupException.class);
        }
        assertThat(storage.keys()).isEqualTo(before);
        assertThat(storage.bytes("config/" + id + "/manifest.json")).isEqualTo(manifestBefore);
        try (BackupEngine engine = engine(storage, oldKey)) {
            assertThat(engine.verify("config").id(id).run().passed()).isTrue();
        }
    }

    @Test
    void rekeyNeedsAnIdentity() {
        try (BackupEngine engine = engine(storage, oldKey)) {
            engine.backup("config").run();
        }
        try (BackupEngine producer = Backup.engine().repository(storage).clock(clock)
                .encryption(AgeEncryption.toRecipients(oldKey.recipient().encoded()))
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            assertThatThrownBy(() -> producer.rekey("config").to(AgeEncryption.toRecipients(newKey.recipient().encoded())).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.DECRYPTION_FAILED))
                    .hasMessageContaining("identity");
        }
    }

    @Test
    void rekeyToNoEncryptionIsRefusedForSensitiveAndUnknownSources() {
        String id;
        try (BackupEngine engine = Backup.engine().repository(storage).clock(clock)
                .encryption(AgeEncryption.toRecipients(oldKey.recipient().encoded()).withIdentities(oldKey.identity()))
                .source(FilesSource.builder("config").directory(config).sensitive().build()).build()) {
            id = engine.backup("config").run().id();
            List<String> before = storage.keys();
            byte[] manifestBefore = storage.bytes("config/" + id + "/manifest.json");

            assertThatThrownBy(() -> engine.rekey("config").to(Encryption.none()).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("sensitive").hasMessageContaining("allowUnencryptedSensitiveData");
            assertThatThrownBy(() -> engine.rekey("retired").to(Encryption.none()).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
            assertThat(storage.keys()).isEqualTo(before);
            assertThat(storage.bytes("config/" + id + "/manifest.json")).isEqualTo(manifestBefore);
        }
    }

    @Test
    void rekeyedObjectsKeepTheBackupsObjectLockDate() {
        // records each put's retain-until date; like a versioned S3 bucket with Object Lock, a new version
        // of a key (the rewritten manifest) and a delete (a delete marker) are allowed
        Map<String, Instant> locks = new ConcurrentHashMap<>();
        StorageTarget locking = new ForwardingStorage(storage) {
            @Override
            public <C> Optional<C> capability(Class<C> type) {
                return type == ObjectLock.class ? Optional.of(type.cast((ObjectLock) () -> "test lock")) : super.capability(type);
            }

            @Override
            public void put(String key, InputStream data, PutOptions options) {
                super.put(key, data, options);
                options.retainUntil().ifPresentOrElse(until -> locks.put(key, until), () -> locks.remove(key));
            }
        };
        Instant until = clock.instant().plus(Duration.ofDays(30));
        try (BackupEngine engine = Backup.engine().repository(locking).clock(clock).objectLock(Duration.ofDays(30))
                .encryption(AgeEncryption.toRecipients(oldKey.recipient().encoded()).withIdentities(oldKey.identity()))
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            String id = engine.backup("config").run().id();
            clock.advance(Duration.ofDays(1));

            Manifest rekeyed = engine.rekey("config").to(AgeEncryption.toRecipients(newKey.recipient().encoded())).run().get(0);

            assertThat(locks).containsEntry("config/" + id + "/" + rekeyed.streams().get(0).object(), until)
                    .containsEntry("config/" + id + "/manifest.json", until);
            assertThat(rekeyed.facts()).containsEntry(Manifest.OBJECT_LOCK_UNTIL_FACT, until.toString());
        }
    }
}
