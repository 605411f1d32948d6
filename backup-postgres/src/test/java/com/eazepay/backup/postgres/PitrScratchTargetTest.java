package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.ScratchTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Restore tests and drills of a {@code postgres-base} source without {@code into(..)}: the source's scratch target
 * recovers the base backup plus the archived WAL into a temp data directory under the source's scratch directory,
 * starts a server on a free loopback port, runs the source's and the user's checks, stops the server and deletes the
 * directory. Against a real Debian PostgreSQL 15 primary, a managed pg_receivewal and a filesystem repository (the
 * shared {@link PitrCluster}). The base backup is taken by an engine whose clock runs 3 hours behind, so a drill's data
 * age can only be seconds if it comes from the replayed WAL. Tests run in order on one archive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrScratchTargetTest {

    static final Duration RPO = Duration.ofHours(1);

    static PitrCluster pitr;
    static BackupEngine engine;
    static Manifest base;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-scratch-test");
        engine = pitr.engine().objectives(Objectives.rpo(RPO).rto(Duration.ofHours(4))).build();
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'before base' FROM generate_series(1, 100) g");
        base = pitr.baseBackupTaken(Duration.ofHours(3));
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'after base' FROM generate_series(101, 150) g");
        pitr.switchAndArchive();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    /** Processes whose command line names a path under {@code dir} (a postmaster started with -D there). */
    static List<ProcessHandle> serversUnder(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> Arrays.stream(a).anyMatch(x -> x.startsWith(dir.toString()))).orElse(false)).toList();
    }

    /** The scratch directory holds nothing, no server runs there, no cleanup journal is left. */
    static void nothingLeft() throws Exception {
        try (Stream<Path> s = Files.list(pitr.scratch())) {
            assertThat(s.toList()).as("left in the scratch directory").isEmpty();
        }
        assertThat(serversUnder(pitr.scratch())).as("servers still running there").isEmpty();
        assertThat(pitr.repo.listAll("locks/cleanup/")).as("cleanup journals").isEmpty();
    }

    static Check orders(long expected) {
        return Check.sql("select count(*) from orders").exactly(expected);
    }

    @Test
    @Order(1)
    void aRestoreTestOfAPostgresBaseSourceRecoversToTheWalsEndRunsTheChecksAndLeavesNoServerOrDirectory() throws Exception {
        RestoreTestReport r = engine.verify("postgres-base").restoreTest()
                .check(t -> ((PitrTarget) t).check("shop", orders(150))).run();

        assertThat(r.passed()).as(r.failure() + " " + r.checks()).isTrue();
        assertThat(r.manifest().id()).isEqualTo(base.id());
        assertThat(r.checks()).extracting(CheckResult::name).containsExactly(
                "recovery replayed past the base backup's end " + base.facts().get("stop_lsn"),
                "every database accepts connections", "select count(*) from orders = 150");
        assertThat(r.checks().get(1).detail()).contains("3 databases [postgres, shop, template1]");
        assertThat(r.scratch()).startsWith(pitr.scratch().resolve(ScratchTargets.DIRECTORY_PREFIX).toString()).endsWith("/data");
        assertThat(r.stages()).containsOnlyKeys("restore", "checks", "cleanup");
        assertThat(r.facts()).containsKeys(RestoreOutcome.RECOVERED_TO, "port", "pg_verifybackup");
        assertThat(r.dropped()).isTrue();
        nothingLeft();
        int port = ((Number) r.facts().get("port")).intValue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("the server on port " + port + " is stopped")
                .isInstanceOf(ConnectException.class);
        System.out.printf("restore test of postgres-base: %s (WAL files fetched %s, %s bytes)%n", r.stages(),
                r.facts().get("wal_fetched"), r.facts().get("wal_fetched_bytes"));
    }

    @Test
    @Order(2)
    void aFailingUserCheckFailsTheRestoreTestAndStillStopsTheServerAndDeletesTheDirectory() throws Exception {
        RestoreTestReport r = engine.verify("postgres-base").restoreTest()
                .check(t -> ((PitrTarget) t).check("shop", orders(999))).run();

        assertThat(r.passed()).isFalse();
        assertThat(r.failure()).isNull();
        assertThat(r.checks()).hasSize(3);
        assertThat(r.checks().subList(0, 2)).allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
        assertThat(r.checks().get(2).passed()).isFalse();
        assertThat(r.checks().get(2).detail()).contains("got 150");
        assertThat(r.dropped()).isTrue();
        nothingLeft();
    }

    @Test
    @Order(3)
    void aDrillWithoutIntoRecoversIntoAScratchDirectoryAndReportsTheDataAgeFromTheReplayedWal() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (151, 'after base')");
        Instant beforeLastCommit = pitr.serverNow();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (152, 'the last commit')");
        String last = pitr.switchAndArchive();
        Instant archivedAt = pitr.archive.segment(last).orElseThrow().archivedAt();

        for (Drill.Scenario scenario : List.of(Drill.Scenario.CORRUPTION, Drill.Scenario.FULL_LOSS)) {
            DrillReport report = engine.drill().scenario(scenario).run();

            DrillReport.SourceResult r = report.sources().get(0);
            assertThat(r.passed()).as(scenario + ": " + r.why()).isTrue();
            assertThat(r.backupId()).isEqualTo(base.id());
            assertThat(r.restoredInto()).startsWith(pitr.scratch().resolve(ScratchTargets.DIRECTORY_PREFIX).toString())
                    .endsWith("(dropped)");
            Instant recovered = report.startedAt().minus(r.dataAge());
            // the last replayed commit: the last insert, or a later background commit in the same archived segment
            assertThat(recovered).as(scenario.name()).isAfterOrEqualTo(beforeLastCommit).isBeforeOrEqualTo(archivedAt);
            assertThat(r.rpoMet()).isTrue();
            assertThat(Duration.between(base.consistentAt(), report.startedAt())).as("the base backup alone")
                    .isGreaterThan(Duration.ofHours(3));
            assertThat(r.stages()).containsKeys("select", "restore", "checks", "cleanup");
            nothingLeft();
            System.out.printf("%s drill without into(..): data age %s (base backup alone %s), time to recover %s, stages %s%n",
                    scenario, r.dataAge(), Duration.between(base.consistentAt(), report.startedAt()), r.timeToRecover(),
                    r.stages());
        }
    }

    @Test
    @Order(4)
    void dropScratchAfterACrashStopsTheServerStillRunningThereAndDeletesTheDirectory() throws Exception {
        PostgresBaseBackupSource source = pitr.baseSource().build();
        // what a JVM killed mid-test leaves: a recovered server still running on a scratch directory
        Path dir = Files.createDirectories(pitr.scratch().resolve(ScratchTargets.DIRECTORY_PREFIX + "20261202t070000_kill"));
        DebianCluster.run("chown", "postgres", dir.toString());
        engine.restore("postgres-base").into(PitrTarget.dataDirectory(dir.resolve("data"), pitr.archive)
                .server(PitrTarget.ServerMode.START_AND_KEEP)).run();
        List<ProcessHandle> running = serversUnder(dir);
        assertThat(running).as("the server left running").hasSize(1);

        source.dropScratch(dir.toString());

        assertThat(running.get(0).isAlive()).isFalse();
        assertThat(dir).doesNotExist();
        nothingLeft();
        source.dropScratch(dir.toString()); // idempotent
        assertThat(dir).doesNotExist();

        // a directory of the right name outside the source's scratch directory is left alone
        Path elsewhere = Files.createDirectories(pitr.work.resolve("elsewhere").resolve(ScratchTargets.DIRECTORY_PREFIX + "x"));
        source.dropScratch(elsewhere.toString());
        assertThat(elsewhere).exists();
    }
}
