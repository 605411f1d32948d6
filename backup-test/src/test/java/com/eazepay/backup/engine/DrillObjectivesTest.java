package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.spi.Encryption;
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

/** A drill given no objectives measures each source against the engine's objectives (per source where overridden). */
class DrillObjectivesTest {

    @TempDir
    Path tmp;

    @Test
    void aDrillWithoutObjectivesUsesTheEnginesObjectivesPerSource() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("x.txt"), "a\n");
        Files.writeString(b.resolve("y.txt"), "b\n");
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("tight").directory(a).build())
                .source(FilesSource.builder("loose").directory(b).build())
                .objectives(Objectives.rpo(Duration.ofHours(2)).rto(Duration.ofHours(1)).rpo("tight", Duration.ofMinutes(30)))
                .build()) {
            engine.backup("tight").run();
            engine.backup("loose").run();
            clock.advance(Duration.ofHours(1));

            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).run();

            assertThat(report.rpo()).isEqualTo(Duration.ofHours(2));
            assertThat(report.rto()).isEqualTo(Duration.ofHours(1));
            assertThat(report.sources()).filteredOn(s -> s.source().equals("tight")).singleElement().satisfies(s -> {
                assertThat(s.recovered()).isTrue();
                assertThat(s.rpoMet()).isFalse();
                assertThat(s.why()).contains("PT30M");
            });
            assertThat(report.sources()).filteredOn(s -> s.source().equals("loose")).singleElement()
                    .satisfies(s -> assertThat(s.passed()).as(s.why()).isTrue());
            assertThat(report.passed()).isFalse();

            // objectives given to the drill replace the engine's for every source
            DrillReport given = engine.drill().scenario(Drill.Scenario.CORRUPTION).objectives(Duration.ofHours(3), Duration.ofHours(1)).run();
            assertThat(given.passed()).isTrue();
        }
    }

    @Test
    void aDrillWithoutObjectivesOnAnEngineWithoutObjectivesUsesOneHourAndFourHours() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(a.resolve("x.txt"), "a\n");
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        try (BackupEngine engine = Backup.engine().repository(InMemoryStorage.withClock(clock)).encryption(Encryption.none())
                .clock(clock).source(FilesSource.builder("a").directory(a).build()).build()) {
            engine.backup("a").run();
            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).run();
            assertThat(report.rpo()).isEqualTo(Duration.ofHours(1));
            assertThat(report.rto()).isEqualTo(Duration.ofHours(4));
            assertThat(report.passed()).isTrue();
        }
    }

    @Test
    void aDrillReportsPerStageTimingsInTheReportTheJsonAndTheMarkdown() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(a.resolve("x.txt"), "a\n");
        TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
        InMemoryStorage storage = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none())
                .clock(clock).source(FilesSource.builder("a").directory(a).build()).build()) {
            engine.backup("a").run();
            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).run();
            assertThat(report.sources()).singleElement().satisfies(s -> {
                assertThat(s.stages()).containsOnlyKeys("select", "restore", "checks", "cleanup");
                assertThat(s.stages().values()).allSatisfy(d -> assertThat(d.isNegative()).isFalse());
                assertThat(s.stages().get("restore").plus(s.stages().get("checks"))).isLessThanOrEqualTo(s.restore());
            });
            String json = new String(storage.get(report.reportKeys().get(0)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            // one JSON shape for the stored record and the command line's --json: per source, stageMillis
            assertThat(json).contains("\"stageMillis\"").contains("\"select\"").contains("\"restore\"").contains("\"checks\"").contains("\"cleanup\"");
            String md = new String(storage.get(report.reportKeys().get(1)).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(md).contains("stages (ms)").containsPattern("select \\d+, restore \\d+, checks \\d+, cleanup \\d+");
        }
    }
}
