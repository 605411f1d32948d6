package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A full-loss drill whose repository fails every call recovers from a filesystem replica. */
class FullLossReplicaDrillTest {

    @TempDir
    Path tmp;

    @Test
    void aFullLossDrillFallsBackToAReplicaWhenTheRepositoryIsUnreachable() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("app.yml"), "version: 1\n");
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        FaultyStorage primary = FaultyStorage.wrap(InMemoryStorage.withClock(clock));
        FileSystemStorage replica = FileSystemStorage.at(tmp.resolve("replica"));
        try (BackupEngine engine = Backup.engine().repository(primary).replica(replica).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            String id = engine.backup("config").run().manifest().id();
            clock.advance(Duration.ofMinutes(10));
            primary.unreachable(true);

            DrillReport report = engine.drill().scenario(Drill.Scenario.FULL_LOSS).run();

            assertThat(report.sources()).singleElement().satisfies(s -> {
                assertThat(s.passed()).as(s.why()).isTrue();
                assertThat(s.backupId()).isEqualTo(id);
                assertThat(s.restoredInto()).contains("replica " + replica.describe());
                assertThat(s.dataAge()).isEqualTo(Duration.ofMinutes(10));
            });
            assertThat(replica.listAll("reports/drill/")).hasSize(2);
            assertThat(replica.listAll("locks/cleanup/")).isEmpty();
        }
    }

    @Test
    void aFullLossDrillWithNoReachableStoreFailsWithTheRepositorysError() throws IOException {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("app.yml"), "version: 1\n");
        FaultyStorage primary = FaultyStorage.wrap(InMemoryStorage.create());
        FaultyStorage replica = FaultyStorage.wrap(InMemoryStorage.create());
        try (BackupEngine engine = Backup.engine().repository(primary).replica(replica).encryption(Encryption.none())
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            engine.backup("config").run();
            primary.unreachable(true);
            replica.unreachable(true);
            assertThatThrownBy(() -> engine.drill().scenario(Drill.Scenario.FULL_LOSS).run())
                    .isInstanceOf(BackupException.class).hasMessageContaining("unreachable");
        }
    }
}
