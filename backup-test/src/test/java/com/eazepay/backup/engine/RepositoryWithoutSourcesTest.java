package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A disaster-recovery host knows the repository, the key and where to restore: not the sources. */
class RepositoryWithoutSourcesTest {

    @TempDir
    Path tmp;

    @Test
    void aRepositoryOpenedWithoutSourcesListsThemAndRestoresFilesAndCommandBackupsByType() throws IOException {
        TestClock clock = TestClock.create();
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        BackupSetResult set;
        try (BackupEngine producer = Backup.engine().repository(storage).compression(Compression.none())
                .encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build())
                .source(CommandSource.builder("dump", "printf", "hello from a command").stream("export", "txt").build())
                .build()) {
            set = producer.backupAll().run().orThrow();
        }

        try (BackupEngine dr = Backup.repository(storage).encryption(Encryption.none()).clock(clock).build()) {
            assertThat(dr.sourceNames()).isEmpty();
            assertThat(dr.sourcesInRepository()).containsExactly("config", "dump");
            assertThat(dr.latest("config")).isPresent();

            Path restored = tmp.resolve("restored");
            RestoreResult r = dr.restore("config").latest().into(FilesTarget.directory(restored)).checked().run();
            assertThat(r.manifest().sourceType()).isEqualTo("files");
            assertThat(Files.readString(restored.resolve("config/app.yml"))).isEqualTo("port: 8443\n");

            Path out = tmp.resolve("export.txt");
            dr.restore("dump").set(set.setId()).into(StreamTarget.file(out)).run();
            assertThat(Files.readString(out)).isEqualTo("hello from a command");

            Path again = tmp.resolve("again");
            dr.restoreSet(set.setId()).into("config", FilesTarget.directory(again))
                    .into("dump", StreamTarget.file(tmp.resolve("export-2.txt"))).run().orThrow();
            assertThat(Files.readString(again.resolve("config/app.yml"))).isEqualTo("port: 8443\n");

            assertThatThrownBy(() -> dr.restore("nothing"))
                    .isInstanceOf(BackupException.class).hasMessageContaining("sources in the repository: [config, dump]")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
            assertThatThrownBy(() -> dr.backup("config"))
                    .isInstanceOf(BackupException.class)
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
        }
    }

    @Test
    void restoringATypeNoProviderKnowsNamesTheArtifactToAdd() {
        TestClock clock = TestClock.create();
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        try (BackupEngine producer = Backup.engine().repository(storage).compression(Compression.none())
                .encryption(Encryption.none()).clock(clock).source(new PruneEngineTest.TinySource("x")).build()) {
            producer.backup("x").run();
        }
        try (BackupEngine dr = Backup.repository(storage).encryption(Encryption.none()).clock(clock).build()) {
            assertThatThrownBy(() -> dr.restore("x").into(() -> "memory").run())
                    .isInstanceOf(BackupException.class)
                    .hasMessageContaining("'test' source").hasMessageContaining("add the module that provides source type 'test'")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        }
    }
}
