package com.eazepay.backup.micrometer;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real backups through a real engine (in-memory repository, real files and command sources), scraped
 * from a real {@link PrometheusMeterRegistry}: names, labels and values as Prometheus shows them.
 */
class BackupMetricsPrometheusTest {

    static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");
    static final Map<String, String> CONFIG = Map.of("source", "config");
    static final Map<String, String> EXPORT = Map.of("source", "export");

    @TempDir
    Path dir;
    TestClock clock;
    InMemoryStorage storage;
    Path configDir;
    Path exportOk;

    @BeforeEach
    void setUp() throws IOException {
        clock = TestClock.at(T0);
        storage = InMemoryStorage.withClock(clock);
        configDir = Files.createDirectories(dir.resolve("config"));
        exportOk = dir.resolve("export-ok");
    }

    BackupEngine engine(BackupMetrics metrics) {
        var b = Backup.engine().repository(storage).compression(Codecs.noCompression()).encryption(Codecs.noEncryption())
                .clock(clock)
                .source(FilesSource.builder("config").directory(configDir).build())
                // fails (exit 3) until the flag file exists: a real failing source
                .source(CommandSource.builder("export", "sh", "-c",
                        "test -f '" + exportOk + "' || { echo 'no export today' >&2; exit 3; }; echo rows").build());
        if (metrics != null) {
            b.listener(metrics);
        }
        return b.build();
    }

    /** Replaces the config directory's content by {@code size} incompressible bytes. */
    void configOfSize(int size) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Files.write(configDir.resolve("payments.dat"), data);
    }

    static PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    @Test
    void realBackupsFailuresRestoresAndObjectivesAppearInThePrometheusScrapeWithTheirValues() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        try (BackupEngine engine = engine(metrics)) {
            metrics.readRepository(engine);   // empty repository: sources registered, nothing succeeded yet
            metrics.bindTo(registry);
            Scrape empty = Scrape.parse(registry.scrape());
            assertThat(empty.require("backup_last_success_timestamp_seconds", CONFIG)).isZero();
            assertThat(empty.require("backup_job_failure_count", EXPORT)).isZero();
            assertThat(empty.value("backup_restore_test_success", CONFIG)).isEmpty();

            BackupResult last = null;
            for (int i = 0; i < 3; i++) {
                configOfSize(100_000 + i * 1_000);
                clock.advance(Duration.ofDays(1));
                last = engine.backup("config").run();
            }
            Instant lastSuccess = clock.instant();
            clock.advance(Duration.ofHours(1));
            assertThatThrownBy(() -> engine.backup("export").run()).isInstanceOf(BackupException.class);
            clock.advance(Duration.ofHours(1));
            assertThatThrownBy(() -> engine.backup("export").run()).isInstanceOf(BackupException.class);
            clock.advance(Duration.ofHours(1));
            engine.restore("config").latest().into(FilesTarget.directory(dir.resolve("restored"))).checked().run();
            Instant restoredAt = clock.instant();
            metrics.objective("config", Duration.ofHours(1), Duration.ofDays(1));

            String lastId = last.id();
            String text = registry.scrape();
            Files.writeString(Path.of("target", "backup-scrape.prom"), text);   // kept for a look after the build
            Scrape scrape = Scrape.parse(text);
            assertThat(scrape.require("backup_last_success_timestamp_seconds", CONFIG)).isEqualTo(lastSuccess.getEpochSecond());
            assertThat(scrape.require("backup_size_bytes", CONFIG)).isEqualTo(last.storedBytes()).isGreaterThan(100_000);
            assertThat(scrape.require("backup_success_total", CONFIG)).isEqualTo(3);
            assertThat(scrape.require("backup_duration_seconds_count", CONFIG)).isEqualTo(3);
            assertThat(scrape.require("backup_duration_seconds_sum", CONFIG)).isPositive();
            assertThat(scrape.require("backup_size_anomaly", CONFIG)).isZero();
            assertThat(scrape.require("backup_job_failure_count", CONFIG)).isZero();
            assertThat(scrape.require("backup_job_failure_count", EXPORT)).isEqualTo(2);
            assertThat(scrape.require("backup_failure_total", Map.of("source", "export", "code", "SOURCE_FAILED"))).isEqualTo(2);
            assertThat(scrape.require("backup_success_total", EXPORT)).isZero();
            assertThat(scrape.require("backup_last_success_timestamp_seconds", EXPORT)).isZero();
            assertThat(scrape.require("backup_restore_test_success", CONFIG)).isEqualTo(1);
            assertThat(scrape.require("backup_restore_test_timestamp_seconds", CONFIG)).isEqualTo(restoredAt.getEpochSecond());
            assertThat(scrape.require("backup_objective_rpo_seconds", CONFIG)).isEqualTo(3600);
            assertThat(scrape.require("backup_schedule_rpo_seconds", CONFIG)).isEqualTo(86400);
            assertThat(scrape.value("backup_objective_rpo_seconds", EXPORT)).isEmpty();
            // labels: only source (and code on failures); never a backup id
            assertThat(scrape.samples()).allSatisfy(s -> {
                if (s.name().startsWith("backup_")) {
                    assertThat(s.labels().keySet()).isSubsetOf("source", "code");
                    assertThat(s.labels().values()).noneMatch(v -> v.contains(lastId));
                }
            });
            assertThat(scrape.names().stream().filter(n -> n.startsWith("backup_")).collect(Collectors.toList()))
                    .containsExactly("backup_duration_seconds_count", "backup_duration_seconds_sum",
                            "backup_failure_total", "backup_job_failure_count", "backup_last_success_timestamp_seconds",
                            "backup_objective_rpo_seconds", "backup_restore_test_success",
                            "backup_restore_test_timestamp_seconds", "backup_schedule_rpo_seconds",
                            "backup_size_anomaly", "backup_size_bytes", "backup_success_total");
            ScrapeLint.assertClean(text);

            // the export source recovers: failures since success go back to 0, the failure total stays
            Files.writeString(exportOk, "ok");
            clock.advance(Duration.ofHours(1));
            engine.backup("export").run();
            Scrape after = Scrape.parse(registry.scrape());
            assertThat(after.require("backup_job_failure_count", EXPORT)).isZero();
            assertThat(after.require("backup_failure_total", Map.of("source", "export", "code", "SOURCE_FAILED"))).isEqualTo(2);
            assertThat(after.require("backup_last_success_timestamp_seconds", EXPORT)).isEqualTo(clock.instant().getEpochSecond());
        }
    }

    @Test
    void aBackupFourTimesTheUsualSizeSetsTheAnomalyAndAUsualOneClearsIt() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        metrics.bindTo(registry);
        try (BackupEngine engine = engine(metrics)) {
            for (int size : List.of(100_000, 110_000, 90_000, 400_000)) {
                configOfSize(size);
                clock.advance(Duration.ofDays(1));
                engine.backup("config").run();
            }
            assertThat(Scrape.parse(registry.scrape()).require("backup_size_anomaly", CONFIG)).isEqualTo(1);
            configOfSize(105_000);
            clock.advance(Duration.ofDays(1));
            engine.backup("config").run();
            assertThat(Scrape.parse(registry.scrape()).require("backup_size_anomaly", CONFIG)).isZero();
        }
    }

    @Test
    void aFailedVerificationSetsTheRestoreTestToZero() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        metrics.bindTo(registry);
        try (BackupEngine engine = engine(metrics)) {
            configOfSize(50_000);
            BackupResult r = engine.backup("config").run();
            engine.verify("config").latest().run();
            assertThat(Scrape.parse(registry.scrape()).require("backup_restore_test_success", CONFIG)).isEqualTo(1);

            String key = storage.keys().stream().filter(k -> k.startsWith("config/" + r.id() + "/") && !k.endsWith("manifest.json"))
                    .findFirst().orElseThrow();
            byte[] data = storage.bytes(key);
            data[data.length / 2] ^= 0x5a;
            storage.overwrite(key, data);
            clock.advance(Duration.ofHours(1));
            try {
                engine.verify("config").latest().run();
            } catch (BackupException expected) {
                // verify may report or throw; the event is what the metric follows
            }
            Scrape scrape = Scrape.parse(registry.scrape());
            assertThat(scrape.require("backup_restore_test_success", CONFIG)).isZero();
            assertThat(scrape.require("backup_restore_test_timestamp_seconds", CONFIG)).isEqualTo(clock.instant().getEpochSecond());
        }
    }

    @Test
    void aRestartedServiceSeedsLastSuccessSizeAndAnomalyFromTheRepositoryInsteadOfShowingZero() throws Exception {
        BackupResult last;
        try (BackupEngine before = engine(null)) {     // the previous process, no metrics
            for (int size : List.of(100_000, 100_000, 100_000, 20_000)) {
                configOfSize(size);
                clock.advance(Duration.ofDays(1));
                before.backup("config").run();
            }
            last = before.latest("config").map(m -> new BackupResult(m, Duration.ZERO)).orElseThrow();
        }
        Instant lastCompleted = clock.instant();
        clock.advance(Duration.ofHours(5));

        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        try (BackupEngine restarted = engine(metrics)) {
            metrics.bindTo(registry);
            metrics.readRepository(restarted);
            Scrape scrape = Scrape.parse(registry.scrape());
            assertThat(scrape.require("backup_last_success_timestamp_seconds", CONFIG)).isEqualTo(lastCompleted.getEpochSecond());
            assertThat(scrape.require("backup_size_bytes", CONFIG)).isEqualTo(last.storedBytes());
            assertThat(scrape.require("backup_size_anomaly", CONFIG)).isEqualTo(1);
            assertThat(scrape.require("backup_last_success_timestamp_seconds", EXPORT)).isZero();
            // counters count what this process saw
            assertThat(scrape.require("backup_success_total", CONFIG)).isZero();
        }
    }

    @Test
    void readingTheRepositoryAgainClearsFailuresOnlyWhenAnotherReplicaSucceededAfterThem() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        metrics.bindTo(registry);
        try (BackupEngine replicaA = engine(metrics); BackupEngine replicaB = engine(null)) {
            assertThatThrownBy(() -> replicaA.backup("export").run()).isInstanceOf(BackupException.class);
            assertThat(Scrape.parse(registry.scrape()).require("backup_job_failure_count", EXPORT)).isEqualTo(1);

            Files.writeString(exportOk, "ok");
            clock.advance(Duration.ofHours(1));
            replicaB.backup("export").run();             // the other replica, sharing the repository
            Instant byB = clock.instant();
            metrics.readRepository(replicaA);
            Scrape scrape = Scrape.parse(registry.scrape());
            assertThat(scrape.require("backup_job_failure_count", EXPORT)).isZero();
            assertThat(scrape.require("backup_last_success_timestamp_seconds", EXPORT)).isEqualTo(byB.getEpochSecond());

            // a failure newer than the newest success in the repository is not cleared by reading it again
            Files.delete(exportOk);
            clock.advance(Duration.ofHours(1));
            assertThatThrownBy(() -> replicaA.backup("export").run()).isInstanceOf(BackupException.class);
            metrics.readRepository(replicaA);
            scrape = Scrape.parse(registry.scrape());
            assertThat(scrape.require("backup_job_failure_count", EXPORT)).isEqualTo(1);
            assertThat(scrape.require("backup_last_success_timestamp_seconds", EXPORT)).isEqualTo(byB.getEpochSecond());
        }
    }

    @Test
    void aRegistryBoundAfterBackupsShowsTheSameValuesAsOneBoundBefore() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry early = prometheus();
        metrics.bindTo(early);
        try (BackupEngine engine = engine(metrics)) {
            configOfSize(10_000);
            engine.backup("config").run();
            assertThatThrownBy(() -> engine.backup("export").run()).isInstanceOf(BackupException.class);
            engine.verify("config").latest().run();
            metrics.objective("export", Duration.ofHours(6));
        }
        PrometheusMeterRegistry late = prometheus();
        metrics.bindTo(late);
        metrics.bindTo(late);                          // twice: no duplicate meters
        Scrape a = Scrape.parse(early.scrape());
        Scrape b = Scrape.parse(late.scrape());
        assertThat(b.samples()).containsExactlyInAnyOrderElementsOf(a.samples());
        assertThat(b.require("backup_failure_total", Map.of("source", "export", "code", "SOURCE_FAILED"))).isEqualTo(1);
        assertThat(b.require("backup_success_total", CONFIG)).isEqualTo(1);
        assertThat(b.require("backup_restore_test_success", CONFIG)).isEqualTo(1);
        assertThat(b.require("backup_objective_rpo_seconds", EXPORT)).isEqualTo(21600);
        assertThat(b.value("backup_schedule_rpo_seconds", EXPORT)).isEmpty();
    }

    @Test
    void objectivesRejectNonPositiveDurationsNamingTheArgument() {
        BackupMetrics metrics = BackupMetrics.create();
        assertThatThrownBy(() -> metrics.objective("config", Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rpo");
        assertThatThrownBy(() -> metrics.objective("config", Duration.ofHours(1), Duration.ofHours(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheduleInterval");
    }

    @Test
    void objectivesOfTheEngineSetTheObjectiveGaugesThroughTheEventAndReadRepository() {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Codecs.noCompression())
                .encryption(Codecs.noEncryption()).clock(clock)
                .source(FilesSource.builder("config").directory(configDir).build())
                .source(CommandSource.builder("export", "sh", "-c", "echo rows").build())
                .schedule("config", Schedule.cron("0 2 * * *"))                   // daily: cannot meet 1 h
                .schedule("export", Schedule.every(Duration.ofMinutes(30)))       // meets it: no event
                .objectives(Objectives.rpo(Duration.ofHours(1)))
                .listener(metrics).build()) {
            metrics.bindTo(registry);
            Scrape atBuild = Scrape.parse(registry.scrape());
            assertThat(atBuild.require("backup_objective_rpo_seconds", CONFIG)).isEqualTo(3600);
            assertThat(atBuild.require("backup_schedule_rpo_seconds", CONFIG)).isEqualTo(86400);
            assertThat(atBuild.value("backup_objective_rpo_seconds", EXPORT)).isEmpty();

            metrics.readRepository(engine);
            Scrape read = Scrape.parse(registry.scrape());
            assertThat(read.require("backup_objective_rpo_seconds", EXPORT)).isEqualTo(3600);
            assertThat(read.require("backup_schedule_rpo_seconds", EXPORT)).isEqualTo(1800);
        }
    }
}
