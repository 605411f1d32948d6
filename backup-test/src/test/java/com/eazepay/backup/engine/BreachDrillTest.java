package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.Compression;
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

/** The breach drill: restore from before the breach, quarantine what came after, rekey, list the secrets. */
class BreachDrillTest {

    @TempDir
    Path tmp;

    @Test
    void aBreachDrillRestoresFromBeforeTheBreachQuarantinesLaterBackupsAndRekeysEverything() throws IOException {
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("app.yml"), "version: 1\n");
        AgeKeys stolen = AgeKeys.generate();
        AgeKeys fresh = AgeKeys.generate();
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        BackupResult before;
        BackupResult after;
        DrillReport report;
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd()).clock(clock)
                .encryption(AgeEncryption.toRecipients(stolen.recipient().encoded()).withIdentities(stolen.identity(), fresh.identity()))
                .retention("config", RetentionPolicy.builder().keepLast(1).build())
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            before = engine.backup("config").run();
            clock.advance(Duration.ofHours(2));
            Files.writeString(config.resolve("app.yml"), "version: 2 (written by the attacker)\n");
            after = engine.backup("config").run();
            clock.advance(Duration.ofMinutes(30));
            Instant breach = before.manifest().consistentAt().plus(Duration.ofHours(1));

            report = engine.drill().scenario(Drill.Scenario.BREACH).breachAt(breach)
                    .rekeyTo(AgeEncryption.toRecipients(fresh.recipient().encoded()))
                    .objectives(Duration.ofHours(4), Duration.ofHours(4)).run().orThrow();

            assertThat(report.sources()).singleElement().satisfies(s -> {
                assertThat(s.backupId()).isEqualTo(before.manifest().id());
                assertThat(s.dataAge()).isEqualTo(Duration.ofMinutes(150));
            });
            assertThat(report.quarantined()).containsExactly("config/" + after.manifest().id());
            assertThat(report.rekeyed()).containsExactlyInAnyOrder("config/" + before.manifest().id(), "config/" + after.manifest().id());
            assertThat(report.secretsToRotate()).anyMatch(s -> s.contains("age identity")).anyMatch(s -> s.contains(storage.describe()));
            // the quarantined backup is evidence: not chosen as latest, held against retention
            assertThat(storage.keys()).contains("quarantine/config/" + after.manifest().id() + ".json",
                    "holds/config/" + after.manifest().id() + ".json");
            Path restored = tmp.resolve("restored");
            engine.restore("config").latest().into(FilesTarget.directory(restored)).run();
            assertThat(Files.readString(restored.resolve("config/app.yml"))).isEqualTo("version: 1\n");
            // after a clean backup, keepLast(1) makes the quarantined one eligible: its hold keeps it
            clock.advance(Duration.ofMinutes(1));
            engine.backup("config").run();
            PruneReport pruned = engine.prune().source("config").gracePeriod(Duration.ZERO).run();
            assertThat(storage.keys()).contains("config/" + after.manifest().id() + "/manifest.json");
            assertThat(pruned).isNotNull();
            assertThat(engine.reports()).containsExactlyElementsOf(report.reportKeys());
        }
        // the rekeyed backups open with the new identity alone
        try (BackupEngine fresher = Backup.repository(storage).encryption(AgeEncryption.toRecipients(fresh.recipient().encoded())
                .withIdentities(fresh.identity())).clock(clock).build()) {
            for (String rekeyed : report.rekeyed()) {
                fresher.verify("config").id(rekeyed.substring("config/".length())).integrity().orThrow();
            }
        }
    }

    @Test
    void aFullLossDrillRestoresFromTheRepositoryAloneIntoTheGivenTargets() throws IOException {
        Path config = tmp.resolve("config-full");
        Files.createDirectories(config);
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        AgeKeys keys = AgeKeys.generate();
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        try (BackupEngine producer = Backup.engine().repository(storage).compression(Compression.zstd()).clock(clock)
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            producer.backup("config").run();
        }
        clock.advance(Duration.ofMinutes(20));
        Path restored = tmp.resolve("dr");
        try (BackupEngine dr = Backup.repository(storage).clock(clock)
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity())).build()) {
            DrillReport report = dr.drill().scenario(Drill.Scenario.FULL_LOSS).into("config", FilesTarget.directory(restored)).run().orThrow();

            assertThat(report.sources()).singleElement().satisfies(s -> {
                assertThat(s.source()).isEqualTo("config");
                assertThat(s.dataAge()).isEqualTo(Duration.ofMinutes(20));
                assertThat(s.timeToRecover()).isEqualTo(Duration.ZERO);
            });
            assertThat(Files.readString(restored.resolve("config-full/app.yml"))).isEqualTo("port: 8443\n");
            assertThat(dr.reports()).containsExactlyElementsOf(report.reportKeys());
        }
    }
}
