package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.PrunedBeside;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code postgres-base} source with a daily base-backup schedule and a 1-hour RPO, plus a managed pg_receivewal
 * archiving WAL into the repository, against a real Debian PostgreSQL 15: the objectives check reports the archive
 * lag as the achievable RPO and meets it, a drill reports the data age from the last replayed commit, and prune
 * reports the WAL files it removed. Base backups are taken by engines on the same repository whose clocks run hours
 * behind, so they are hours old when the drill runs; the server, the WAL archive, the checked engine and the drill use
 * the wall clock. Tests run in order on one archive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrObjectivesDrillAndPruneTest {

    static final Duration RPO = Duration.ofHours(1);

    static PitrCluster pitr;
    static BackupEngine engine;
    static final List<BackupEvent> events = new CopyOnWriteArrayList<>();
    static Manifest base1;
    static Manifest base2;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-objectives-test");
        engine = pitr.engine().listener(events::add)
                .schedule("postgres-base", Schedule.cron("0 2 * * *"))
                .objectives(Objectives.rpo(RPO).rto(Duration.ofHours(4)))
                .retention("postgres-base", RetentionPolicy.builder().keepLast(1).build())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    @Test
    @Order(1)
    void theObjectivesCheckMeetsTheRpoByTheWalArchiveLagThoughBaseBackupsAreDaily() throws Exception {
        // at build nothing was archived: the daily schedule alone cannot meet the RPO, and the advice says what to run
        assertThat(events).filteredOn(BackupEvent.ObjectiveBreached.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((BackupEvent.ObjectiveBreached) e).advice())
                        .contains("no WAL is archived for this source yet", "WalReceiver", "wal-push"));

        pitr.primary.exec("shop", "INSERT INTO orders VALUES (1, 'before base 1')");
        base1 = pitr.baseBackupTaken(Duration.ofHours(3));
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (2, 'after base 1')");
        String newest = pitr.switchAndArchive();

        EngineStatus status = engine.status();
        EngineStatus.ObjectiveStatus o = status.source("postgres-base").orElseThrow().objective();

        assertThat(o.scheduleRpo()).isEqualTo(Duration.ofDays(1));
        assertThat(o.scheduleMeetsRpo()).isFalse();
        assertThat(o.recoverableUntil()).isEqualTo(pitr.archive.segment(newest).orElseThrow().archivedAt());
        assertThat(o.archiveLag()).isEqualTo(Duration.between(o.recoverableUntil(), status.at()));
        assertThat(o.archiveLag()).isLessThan(RPO);
        assertThat(o.achievableRpo()).isEqualTo(o.archiveLag());
        assertThat(o.meetsRpo()).isTrue();
        assertThat(o.dataAge()).as("the base backup is 3 h old").isGreaterThan(Duration.ofHours(3));
        assertThat(o.rpoExceeded()).isFalse();
        assertThat(o.advice()).contains("continuous archiving meets the RPO");
        assertThat(status.toTable()).contains("RPO PT1H ok (archive lag");
        System.out.printf("objectives: base backup %s old, archive lag %s (achievable RPO), RPO %s met%n",
                o.dataAge(), o.archiveLag(), o.rpo());
    }

    @Test
    @Order(2)
    void pruneReportsTheWalFilesItRemovedBesideTheBaseBackups() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (3, 'before base 2')");
        pitr.switchAndArchive();
        base2 = pitr.baseBackupTaken(Duration.ofHours(2));
        String base2Start = (String) base2.facts().get("start_wal_file");
        List<String> before = pitr.archive.list().stream().map(WalSegment::name).toList();
        List<String> older = before.stream().filter(n -> !n.endsWith(".history") && n.substring(0, 24).compareTo(base2Start) < 0)
                .toList();
        assertThat(older).isNotEmpty();

        PruneReport plan = engine.prune().source("postgres-base").dryRun();
        assertThat(plan.primary("postgres-base").orElseThrow().beside().files()).isEqualTo(older);
        // the receiver may archive the segment the base backup closed meanwhile: nothing listed before went
        assertThat(pitr.archive.list().stream().map(WalSegment::name).toList()).containsAll(before);

        PruneReport done = engine.prune().source("postgres-base").run();

        PruneReport.Entry entry = done.primary("postgres-base").orElseThrow();
        assertThat(entry.backupsRemoved()).containsExactly(base1.id());
        PrunedBeside wal = entry.beside();
        assertThat(wal.kind()).isEqualTo("WAL files");
        assertThat(wal.files()).isEqualTo(older);
        assertThat(wal.keys()).hasSize(2 * older.size())
                .allSatisfy(k -> assertThat(k).startsWith("wal/postgres/"))
                .allSatisfy(k -> assertThat(pitr.repo.stat(k)).isEmpty());
        long storedBytes = 0;
        for (String k : wal.keys()) {
            assertThat(k).matches("wal/postgres/[0-9A-F]{24}(\\.json|\\.[0-9a-f]{12}\\.zst\\.age)");
            storedBytes += k.endsWith(".json") ? 0 : 1;
        }
        assertThat(storedBytes).isEqualTo(older.size());
        assertThat(wal.bytes()).isPositive();
        assertThat(done.bytesFreed()).isEqualTo(entry.bytesFreed() + wal.bytes());
        assertThat(done.toTable()).contains("deleted " + older.size() + " WAL files beside the backups");
        assertThat(pitr.archive.list().stream().map(WalSegment::name).toList()).doesNotContainAnyElementsOf(older)
                .containsAll(before.stream().filter(n -> !older.contains(n)).toList());
        System.out.printf("prune: base backup %s and %d WAL files (%d objects, %d bytes) removed%n", base1.id(),
                wal.files().size(), wal.keys().size(), wal.bytes());
    }

    @Test
    @Order(3)
    void aDrillReportsTheDataAgeFromTheLastReplayedCommitAndMeetsTheRpoTheBaseBackupAloneMisses() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (4, 'after base 2')");
        Instant beforeLastCommit = pitr.serverNow();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (5, 'the last commit')");
        Instant afterLastCommit = pitr.serverNow();
        String last = pitr.switchAndArchive();
        Instant archivedAt = pitr.archive.segment(last).orElseThrow().archivedAt();

        DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION)
                .into("postgres-base", PitrTarget.dataDirectory(pitr.work.resolve("drill"), pitr.archive)
                        .check("shop", Check.sql("select count(*) from orders").exactly(5)))
                .run();

        DrillReport.SourceResult r = report.sources().get(0);
        assertThat(r.passed()).as(r.why()).isTrue();
        assertThat(r.backupId()).isEqualTo(base2.id());
        Instant recovered = report.startedAt().minus(r.dataAge());
        // the last replayed commit: the last insert, or a later background commit in the same archived segment
        assertThat(recovered).isAfterOrEqualTo(beforeLastCommit).isBeforeOrEqualTo(archivedAt);
        assertThat(r.dataAge()).isLessThanOrEqualTo(Duration.between(beforeLastCommit, report.startedAt()));
        assertThat(r.rpoMet()).isTrue();
        assertThat(Duration.between(base2.consistentAt(), report.startedAt())).as("the base backup alone misses the RPO")
                .isGreaterThan(RPO);
        System.out.printf("drill: data age %s (last commit at %s, its WAL archived %s later, recovered to %s; base backup"
                        + " alone %s); time to recover %s%n", r.dataAge(), afterLastCommit,
                Duration.between(afterLastCommit, archivedAt), recovered,
                Duration.between(base2.consistentAt(), report.startedAt()), r.timeToRecover());
    }

    @Test
    @Order(4)
    void realWalSegmentsArePushedOnceAndTheirThroughputIsMeasured() throws Exception {
        // only the segments the load fills (earlier ones were closed early by pg_switch_wal: mostly zeros)
        String first = pitr.primary.query("postgres", "select pg_walfile_name(pg_current_wal_lsn())").get(0);
        pitr.primary.exec("shop", "CREATE TABLE load (id int, a text, b text)",
                "INSERT INTO load SELECT i, md5(i::text) || md5(random()::text), md5(random()::text) || repeat('x', 64)"
                        + " FROM generate_series(1, 400000) i");
        String last = pitr.primary.query("postgres", "select pg_walfile_name(pg_switch_wal())").get(0);
        Path copies = Files.createDirectories(pitr.work.resolve("segments"));
        List<Path> segments = new ArrayList<>();
        try (Stream<Path> s = Files.list(pitr.primary.data().resolve("pg_wal"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))
                    .filter(p -> p.getFileName().toString().compareTo(first) >= 0)
                    .filter(p -> p.getFileName().toString().compareTo(last) <= 0).sorted().toList()) {
                Path copy = copies.resolve(p.getFileName());
                Files.copy(p, copy); // pg_wal recycles files: push stable copies
                segments.add(copy);
            }
        }
        assertThat(segments).hasSizeGreaterThanOrEqualTo(3);
        WalArchive other = WalArchive.builder().repository(pitr.repo).source("throughput").encryption(pitr.age).tempDirectory(pitr.work)
                .build();
        long bytes = 0;
        long t0 = System.nanoTime();
        for (Path p : segments) {
            assertThat(other.push(p)).isEqualTo(WalArchive.PushOutcome.ARCHIVED);
            bytes += Files.size(p);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (Path p : segments) {
            assertThat(other.push(p)).isEqualTo(WalArchive.PushOutcome.ALREADY_ARCHIVED);
        }
        long stored = other.list().stream().mapToLong(WalSegment::storedSize).sum();
        System.out.printf("WAL push: %d segments, %.1f MiB in %.2f s = %.1f MiB/s (zstd + age + SHA-256 + filesystem"
                        + " repository), stored %.1f MiB%n", segments.size(), bytes / 1048576.0, seconds,
                bytes / 1048576.0 / seconds, stored / 1048576.0);
    }
}
