package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zstd default level is 1, chosen from the backup-benchmarks levels table (issue 13 item 7); any level
 * stays selectable, and backups written at another level (level 3 was the default before) restore with an
 * engine on the new default, because decompression does not need the level.
 */
class ZstdDefaultLevelTest {

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;
    Path config;

    @BeforeEach
    void setUp() throws IOException {
        clock = TestClock.create();
        storage = InMemoryStorage.withClock(clock);
        config = tmp.resolve("payments-config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("application.yml"), "server:\n  port: 8443\nfees:\n  card_bps: 140\n".repeat(50));
    }

    private BackupEngine engine(Compression compression) {
        var b = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build());
        if (compression != null) {
            b.compression(compression);
        }
        return b.build();
    }

    @Test
    void anEngineWithoutACompressionSettingWritesZstdLevel1AndRecordsItInTheManifest() {
        assertThat(Compression.zstd().parameters()).containsEntry("level", 1);
        try (BackupEngine engine = engine(null)) {
            BackupResult result = engine.backup("config").run();
            assertThat(result.manifest().compression().id()).isEqualTo("zstd");
            assertThat(result.manifest().compression().parameters()).containsEntry("level", 1);
        }
    }

    @Test
    void aBackupWrittenAtTheOldDefaultLevel3RestoresWithAnEngineOnTheNewDefault() throws IOException {
        try (BackupEngine old = engine(Compression.zstd(3))) {
            BackupResult written = old.backup("config").run();
            assertThat(written.manifest().compression().parameters()).containsEntry("level", 3);
        }
        try (BackupEngine current = engine(null)) {
            Path target = tmp.resolve("restored");
            RestoreResult restored = current.restore("config").latest().into(FilesTarget.directory(target)).checked().run();
            assertThat(restored.checksPassed()).isTrue();
            assertThat(Files.readString(target.resolve("payments-config/application.yml")))
                    .isEqualTo(Files.readString(config.resolve("application.yml")));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-5, 2, 3, 6, 19})
    void anyLevelStaysSelectableAndRoundTrips(int level) throws IOException {
        try (BackupEngine engine = engine(Compression.zstd(level))) {
            BackupResult result = engine.backup("config").run();
            assertThat(result.manifest().compression().parameters()).containsEntry("level", level);
            Path target = tmp.resolve("restored-" + level);
            RestoreResult restored = engine.restore("config").latest().into(FilesTarget.directory(target)).checked().run();
            assertThat(restored.checksPassed()).isTrue();
            assertThat(Files.readString(target.resolve("payments-config/application.yml")))
                    .isEqualTo(Files.readString(config.resolve("application.yml")));
        }
    }
}
