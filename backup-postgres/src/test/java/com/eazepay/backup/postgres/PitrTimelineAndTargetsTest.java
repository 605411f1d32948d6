package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recovery targets and timeline switches against a real Debian PostgreSQL 15 primary and its WAL archive: a named
 * restore point and an LSN between two known commits; then a PITR restore that promotes (timeline 2) and archives on
 * into the same {@code wal/postgres/} while the old primary goes on on timeline 1, and a second restore from the same
 * base backup to a point on timeline 2. Tests run in order on one archive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrTimelineAndTargetsTest {

    static PitrCluster pitr;
    static BackupEngine engine;
    static Manifest base;
    static Instant onTimeline2;
    static String timeline2Segment;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-timeline-test");
        engine = pitr.engine().build();
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'before base' FROM generate_series(1, 100) g");
        base = engine.backup("postgres-base").run().manifest();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    static Check count(String where, long expected) {
        return Check.sql("select count(*) from orders" + (where.isEmpty() ? "" : " where " + where)).exactly(expected);
    }

    static RestoreResult restore(PitrTarget target) {
        RestoreResult r = PostgresPitr.restore(engine, "postgres-base", base.id(), target);
        assertThat(r.checks()).isNotEmpty().allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        return r;
    }

    @Test
    @Order(1)
    void aNamedRestorePointAndAnLsnBetweenTwoCommitsEachRestoreExactlyTheRowsBeforeThem() throws Exception {
        DebianCluster primary = pitr.primary;
        primary.exec("shop", "INSERT INTO orders VALUES (101, 'before the restore point')");
        long beforePoint = pitr.rows();
        primary.query("postgres", "select pg_create_restore_point('before_x')::text");
        primary.exec("shop", "INSERT INTO orders VALUES (102, 'X: after the restore point, before the LSN')");
        long beforeLsn = pitr.rows();
        String lsn = primary.query("postgres", "select pg_current_wal_lsn()::text").get(0);
        primary.exec("shop", "INSERT INTO orders VALUES (103, 'Y: after the LSN')");
        pitr.switchAndArchive();

        RestoreResult named = restore(PitrTarget.dataDirectory(pitr.path("named"), pitr.archive,
                        RecoveryTarget.restorePoint("before_x"))
                .check("shop", count("", beforePoint)).check("shop", count("id in (102, 103)", 0)));
        assertThat((String) named.facts().get("recovery_stopped")).contains("restore point \"before_x\"");

        RestoreResult atLsn = restore(PitrTarget.dataDirectory(pitr.path("lsn"), pitr.archive, RecoveryTarget.lsn(lsn))
                .check("shop", count("", beforeLsn)).check("shop", count("id = 102", 1))
                .check("shop", count("id = 103", 0)));
        assertThat((String) atLsn.facts().get("recovery_stopped")).contains("after WAL location");
    }

    @Test
    @Order(2)
    void aRestoreThatPromotedAndArchivedOnIsRecoveredOnTimeline2FromTheSameBaseBackup() throws Exception {
        DebianCluster primary = pitr.primary;
        primary.exec("shop", "INSERT INTO orders VALUES (104, 'A: timeline 1, before the fork')");
        Instant fork = pitr.serverNow();
        primary.exec("shop", "INSERT INTO orders VALUES (105, 'B: timeline 1 only')");
        pitr.switchAndArchive();

        // restore to the fork point and keep the server: it promotes to timeline 2 and archives on, by its own receiver
        Path dir = Files.createDirectories(pitr.path("timeline2"));
        DebianCluster.run("chown", "postgres", dir.toString());
        RestoreResult first = PostgresPitr.restore(engine, "postgres-base", base.id(),
                PitrTarget.dataDirectory(dir.resolve("data"), pitr.archive, RecoveryTarget.time(fork))
                        .server(PitrTarget.ServerMode.START_AND_KEEP));
        try (DebianCluster promoted = DebianCluster.running(dir, ((Number) first.facts().get("port")).intValue());
             WalReceiver receiver2 = WalReceiver.builder().host("127.0.0.1").port(promoted.port)
                     .spool(pitr.path("spool-timeline2")).archive(pitr.archive).build().start()) {
            assertThat(((Number) first.facts().get("timeline_after_promotion")).longValue()).isEqualTo(2);
            promoted.exec("shop", "INSERT INTO orders VALUES (201, 'C: timeline 2, before the target')");
            onTimeline2 = PitrCluster.serverNow(promoted);
            promoted.exec("shop", "INSERT INTO orders VALUES (202, 'D: timeline 2, after the target')");
            timeline2Segment = promoted.query("postgres", "select pg_walfile_name(pg_switch_wal())").get(0);
            assertThat(timeline2Segment).startsWith("00000002");
            promoted.exec("shop", "INSERT INTO orders VALUES (203, 'F: timeline 2, a segment later')");
            String later = promoted.query("postgres", "select pg_walfile_name(pg_switch_wal())").get(0);
            for (int i = 0; i < 600 && !(pitr.archive.segment(later).isPresent()
                    && pitr.archive.segment("00000002.history").isPresent()); i++) {
                receiver2.sweep(); // a real child process: bounded polling
                Thread.sleep(100);
            }
            assertThat(pitr.archive.segment("00000002.history")).as(receiver2.lastError().orElse("")).isPresent();
            assertThat(pitr.archive.segment(timeline2Segment)).isPresent();
            assertThat(pitr.archive.segment(later)).isPresent();
        }
        // the old primary goes on on timeline 1, into the same archive
        primary.exec("shop", "INSERT INTO orders VALUES (106, 'E: timeline 1 after the fork')");
        pitr.switchAndArchive();
        long expected = 100 + 5; // ids 1..100, 101 to 104 of timeline 1 before the fork, 201 of timeline 2

        RestoreResult r = restore(PitrTarget.dataDirectory(pitr.path("on-timeline2"), pitr.archive,
                        RecoveryTarget.time(onTimeline2))
                .check("shop", count("", expected)).check("shop", count("id = 201", 1))
                .check("shop", count("id in (105, 106, 202, 203)", 0)));

        assertThat(r.facts()).containsEntry("recovery_timeline", 2L);
        assertThat(((Number) r.facts().get("timeline_after_promotion")).longValue()).isEqualTo(3);
        assertThat((String) r.facts().get("recovery_stopped")).startsWith("recovery stopping before commit");
        System.out.printf("timeline switch followed: %s%n", r.facts());
    }

    /** A copy of the repository with one WAL file deleted, and an engine on it. */
    static WalArchive copyWithout(String name, String copy) throws Exception {
        Path dir = pitr.path(copy);
        DebianCluster.run("cp", "-a", pitr.path("repo").toString(), dir.toString());
        WalArchive archive = WalArchive.builder().repository(FileSystemStorage.at(dir)).source("postgres")
                .encryption(pitr.age).tempDirectory(pitr.work).build();
        archive.delete(archive.segment(name).orElseThrow());
        return archive;
    }

    @Test
    @Order(3)
    void aMissingHistoryFileFailsBeforeTheServerStartsInsteadOfStayingOnTimeline1() throws Exception {
        WalArchive archive = copyWithout("00000002.history", "repo-no-history");
        Path data = pitr.path("no-history");
        assertThatThrownBy(() -> PostgresPitr.restore(engine, "postgres-base", base.id(),
                PitrTarget.dataDirectory(data, archive, RecoveryTarget.time(onTimeline2))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("00000002.history is not in the archive");
        assertThat(data).doesNotExist();
    }

    @Test
    @Order(4)
    void aGapOnTheNewTimelineFailsBeforeTheServerStartsNamingTheSegment() throws Exception {
        WalArchive archive = copyWithout(timeline2Segment, "repo-gap-timeline2");
        Path data = pitr.path("gap-timeline2");
        assertThatThrownBy(() -> PostgresPitr.restore(engine, "postgres-base", base.id(),
                PitrTarget.dataDirectory(data, archive, RecoveryTarget.time(onTimeline2)).timeline(RecoveryTimeline.of(2))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("WAL segment " + timeline2Segment + " is not in the archive")
                .hasMessageContaining("following timeline 2").hasMessageContaining("a gap");
        assertThat(data).doesNotExist();
    }
}
