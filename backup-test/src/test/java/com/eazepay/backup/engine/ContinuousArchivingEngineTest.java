package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PrunedBeside;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source with continuous archiving beside its backups ({@link BackupSource#recoverableUntil}, the
 * {@link RestoreOutcome#RECOVERED_TO} fact, {@link BackupSource#afterPrune} returning what it removed): the engine's
 * objectives check, drills and prune report use them. The archive is a folder of the in-memory repository, written by
 * the test as a WAL archiver would; backup-postgres runs the same paths against a real PostgreSQL 15 and its WAL.
 */
class ContinuousArchivingEngineTest {

    static final Instant T0 = Instant.parse("2026-11-06T02:00:00Z");
    static final Schedule DAILY = Schedule.cron("0 2 * * *");

    final TestClock clock = TestClock.at(T0);
    final InMemoryStorage storage = InMemoryStorage.withClock(clock);
    final List<BackupEvent> events = new CopyOnWriteArrayList<>();

    /**
     * Backs up one byte (as {@link PruneEngineTest.TinySource}); keeps an archive {@code wal/{name}/{epochSecond}} of points in time beside its backups, each
     * object holding its instant. Recoverable until the newest archived point; a restore replays to it.
     */
    static final class ArchivingSource implements BackupSource {
        final String name;
        volatile boolean archiveUnreadable;
        final List<String> scratchDropped = new CopyOnWriteArrayList<>();

        ArchivingSource(String name) {
            this.name = name;
        }

        String prefix() {
            return "wal/" + name + "/";
        }

        void archive(StorageTarget repository, Instant point) {
            byte[] b = point.toString().getBytes(StandardCharsets.UTF_8);
            repository.put(prefix() + String.format("%012d", point.getEpochSecond()), new ByteArrayInputStream(b),
                    PutOptions.defaults().withContentLength(b.length));
        }

        Optional<Instant> newest(StorageTarget repository) {
            return repository.listAll(prefix()).stream().map(ObjectInfo::key).max(String::compareTo).map(k -> read(repository, k));
        }

        private static Instant read(StorageTarget repository, String key) {
            try (InputStream in = repository.get(key)) {
                return Instant.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "archiving";
        }

        @Override
        public void backup(BackupContext context) {
            new PruneEngineTest.TinySource(name).backup(context);
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            StorageTarget repository = context.repository().orElseThrow();
            Instant replayed = newest(repository).orElse(context.manifest().consistentAt());
            return new RestoreOutcome(target.describe(), List.of(CheckResult.passed("replayed", replayed.toString())),
                    Map.of(RestoreOutcome.RECOVERED_TO, replayed.toString()));
        }

        /** A scratch target that restores nowhere (the restore replays the archive's newest point), its drops recorded. */
        @Override
        public Optional<com.eazepay.backup.spi.ScratchTarget> scratchTarget(String testId) {
            return Optional.of(com.eazepay.backup.spi.ScratchTargets.of(() -> () -> "scratch " + testId, "scratch-" + testId,
                    scratchDropped::add));
        }

        @Override
        public Optional<Instant> recoverableUntil(StorageTarget repository) {
            if (archiveUnreadable) {
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "archive listing refused");
            }
            return newest(repository);
        }

        @Override
        public PrunedBeside afterPrune(StorageTarget repository, List<Manifest> kept, boolean dryRun) {
            Instant oldest = kept.stream().map(Manifest::startedAt).min(Instant::compareTo).orElse(null);
            List<String> keys = new ArrayList<>();
            long bytes = 0;
            for (ObjectInfo o : repository.listAll(prefix())) {
                if (oldest != null && read(repository, o.key()).isBefore(oldest)) {
                    keys.add(o.key());
                    bytes += o.size();
                }
            }
            if (!dryRun) {
                keys.forEach(repository::delete);
            }
            return new PrunedBeside("archived points", keys.stream().map(k -> k.substring(prefix().length())).toList(), keys, bytes);
        }
    }

    private BackupEngine engine(ArchivingSource source) {
        return Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .source(source).clock(clock).listener(events::add).schedule(source.name(), DAILY)
                .objectives(Objectives.rpo(Duration.ofHours(1)).rto(Duration.ofHours(4)))
                .retention(source.name(), RetentionPolicy.builder().keepLast(1).build()).build();
    }

    private List<BackupEvent.ObjectiveBreached> breaches() {
        return events.stream().filter(BackupEvent.ObjectiveBreached.class::isInstance).map(BackupEvent.ObjectiveBreached.class::cast)
                .toList();
    }

    @Test
    void theArchiveLagIsTheAchievableRpoAndMeetsItThoughTheBaseBackupScheduleIsDaily() {
        ArchivingSource source = new ArchivingSource("pg");
        source.archive(storage, T0.minusSeconds(45));
        try (BackupEngine engine = engine(source)) {
            assertThat(breaches()).as("no breach at build: archiving meets the RPO").isEmpty();
            engine.backup("pg").run();
            clock.advance(Duration.ofHours(3));
            source.archive(storage, clock.instant().minusSeconds(30));

            EngineStatus.ObjectiveStatus o = engine.status().source("pg").orElseThrow().objective();

            assertThat(o.scheduleRpo()).isEqualTo(Duration.ofDays(1));
            assertThat(o.scheduleMeetsRpo()).isFalse();
            assertThat(o.recoverableUntil()).isEqualTo(clock.instant().minusSeconds(30));
            assertThat(o.archiveLag()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.achievableRpo()).isEqualTo(Duration.ofSeconds(30));
            assertThat(o.meetsRpo()).isTrue();
            assertThat(o.dataAge()).isEqualTo(Duration.ofHours(3));
            assertThat(o.rpoExceeded()).as("the newest base backup is 3 h old, the archive 30 s").isFalse();
            assertThat(o.advice()).contains("implies PT24H", "continuous archiving meets the RPO", "PT30S");
            assertThat(engine.status().toTable()).contains("RPO PT1H ok (archive lag PT30S)");
            assertThat(engine.objectives()).singleElement().satisfies(c -> assertThat(c.meetsRpo()).isTrue());
        }
    }

    @Test
    void anArchiveLaggingBeyondTheRpoBreachesItAndTheAdviceNamesTheArchiver() {
        ArchivingSource source = new ArchivingSource("pg");
        source.archive(storage, T0.minus(Duration.ofHours(2)));
        try (BackupEngine engine = engine(source)) {
            assertThat(breaches()).singleElement().satisfies(b -> {
                assertThat(b.source()).isEqualTo("pg");
                assertThat(b.advice()).contains("continuous archiving lags", "PT2H", "archive_timeout", "Schedule.every(PT1H)");
            });
            EngineStatus.ObjectiveStatus o = engine.objectives().get(0);
            assertThat(o.archiveLag()).isEqualTo(Duration.ofHours(2));
            assertThat(o.meetsRpo()).isFalse();
            assertThat(o.achievableRpo()).isEqualTo(Duration.ofHours(2));
            assertThat(engine.status().toTable()).contains("NOT MET by schedule (PT24H) nor archiving (archive lag PT2H)");
        }
    }

    @Test
    void anUnreadableArchiveIsLoggedAndTheScheduleAloneIsChecked() {
        ArchivingSource source = new ArchivingSource("pg");
        source.archive(storage, T0.minusSeconds(10));
        source.archiveUnreadable = true;
        try (BackupEngine engine = engine(source)) {
            EngineStatus.ObjectiveStatus o = engine.status().source("pg").orElseThrow().objective();
            assertThat(o.recoverableUntil()).isNull();
            assertThat(o.archiveLag()).isNull();
            assertThat(o.meetsRpo()).isFalse();
            assertThat(o.achievableRpo()).isEqualTo(Duration.ofDays(1));
            assertThat(breaches()).hasSize(1);
        }
    }

    @Test
    void aDrillMeasuresTheDataAgeFromThePointTheRestoreReplayedToNotFromTheBackupIntoATargetOrTheScratchTarget() {
        ArchivingSource source = new ArchivingSource("pg");
        try (BackupEngine engine = engine(source)) {
            Manifest base = engine.backup("pg").run().manifest();
            clock.advance(Duration.ofHours(3));
            Instant replayed = clock.instant().minusSeconds(20);
            source.archive(storage, replayed);
            clock.advance(Duration.ofSeconds(5));
            Instant start = clock.instant();

            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION)
                    .into("pg", () -> "scratch directory").run();

            DrillReport.SourceResult r = report.sources().get(0);
            assertThat(r.backupId()).isEqualTo(base.id());
            assertThat(r.dataAge()).isEqualTo(Duration.between(replayed, start)).isEqualTo(Duration.ofSeconds(25));
            assertThat(Duration.between(base.consistentAt() != null ? base.consistentAt() : base.completedAt(), start))
                    .as("the base backup alone would miss the 1 h RPO").isGreaterThan(Duration.ofHours(1));
            assertThat(r.rpoMet()).isTrue();
            assertThat(r.passed()).as(r.why()).isTrue();

            for (Drill.Scenario scenario : List.of(Drill.Scenario.CORRUPTION, Drill.Scenario.FULL_LOSS)) {
                DrillReport scratch = engine.drill().scenario(scenario).run(); // no into(..): the source's scratch target

                DrillReport.SourceResult s = scratch.sources().get(0);
                assertThat(s.restoredInto()).as(scenario.name()).startsWith("scratch ").endsWith("(dropped)");
                assertThat(s.dataAge()).as(scenario.name()).isEqualTo(Duration.ofSeconds(25));
                assertThat(s.passed()).as(s.why()).isTrue();
            }
            assertThat(source.scratchDropped).hasSize(2).allSatisfy(d -> assertThat(d).startsWith("scratch-"));
        }
    }

    @Test
    void aDrillOfASourceThatReportsNoReplayedPointKeepsTheBackupsConsistentPoint() {
        PruneEngineTest.TinySource tiny = new PruneEngineTest.TinySource("x");
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.none())
                .encryption(Encryption.none()).source(tiny).clock(clock).build()) {
            engine.backup("x").run();
            clock.advance(Duration.ofMinutes(90));
            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).objectives(Duration.ofHours(1), Duration.ofHours(4))
                    .into("x", () -> "scratch").run();
            assertThat(report.sources().get(0).dataAge()).isEqualTo(Duration.ofMinutes(90));
            assertThat(report.sources().get(0).rpoMet()).isFalse();
        }
    }

    @Test
    void pruneReportsWhatTheSourceRemovedBesideItsBackups() {
        ArchivingSource source = new ArchivingSource("pg");
        try (BackupEngine engine = engine(source)) {
            source.archive(storage, clock.instant().minusSeconds(60));
            engine.backup("pg").run();
            clock.advance(Duration.ofHours(1));
            source.archive(storage, clock.instant().minusSeconds(60));
            engine.backup("pg").run();
            clock.advance(Duration.ofHours(1));
            source.archive(storage, clock.instant().minusSeconds(60));
            List<String> expected = List.of(String.format("%012d", T0.minusSeconds(60).getEpochSecond()),
                    String.format("%012d", T0.plus(Duration.ofHours(1)).minusSeconds(60).getEpochSecond()));

            PruneReport plan = engine.prune().dryRun();
            assertThat(plan.primary("pg").orElseThrow().beside().files()).isEqualTo(expected);
            assertThat(storage.keys().stream().filter(k -> k.startsWith("wal/")).count()).isEqualTo(3);

            events.clear();
            PruneReport done = engine.prune().run();

            PrunedBeside beside = done.primary("pg").orElseThrow().beside();
            assertThat(beside.files()).isEqualTo(expected);
            assertThat(beside.keys()).containsExactly("wal/pg/" + expected.get(0), "wal/pg/" + expected.get(1));
            assertThat(beside.bytes()).isEqualTo(2L * T0.toString().length());
            assertThat(done.besideRemoved()).isEqualTo(2);
            assertThat(done.bytesFreed()).isEqualTo(done.primary("pg").orElseThrow().bytesFreed() + beside.bytes());
            assertThat(done.toTable()).contains("deleted 2 archived points beside the backups", "and 2 files beside them");
            assertThat(storage.keys().stream().filter(k -> k.startsWith("wal/")).toList()).hasSize(1);
            assertThat(events).filteredOn(BackupEvent.Pruned.class::isInstance).singleElement()
                    .satisfies(e -> assertThat(((BackupEvent.Pruned) e).bytesFreed()).isEqualTo(done.bytesFreed()));
        }
    }
}
