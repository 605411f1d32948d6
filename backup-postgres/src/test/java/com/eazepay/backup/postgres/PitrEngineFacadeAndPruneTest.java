package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.SourceProvider;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PITR through the engine's ordinary restore path ({@code engine.restore(..).into(PitrTarget..pointInTime(t))}) and
 * the engine's prune trimming the WAL archive to what the kept base backups need, against a real Debian PostgreSQL 15
 * primary, a managed pg_receivewal and a filesystem repository. Tests run in order on one archive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrEngineFacadeAndPruneTest {

    static PitrCluster pitr;
    static BackupEngine engine;
    static Manifest base1;
    static Manifest base2;
    static Manifest base3;
    static Instant between;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-engine-test");
        engine = pitr.engine()
                .retention("postgres-base", RetentionPolicy.builder().keepLast(2).build())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    @Test
    @Order(1)
    void theEnginesRestorePathRecoversToAPointInTimeWithAPitrTarget() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (1, 'before base 1')");
        base1 = engine.backup("postgres-base").run().manifest();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (2, 'A: before the target')");
        between = pitr.serverNow();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (3, 'B: after the target')");
        pitr.switchAndArchive();

        RestoreResult r = engine.restore("postgres-base").before(between)
                .into(PitrTarget.dataDirectory(pitr.work.resolve("facade-time"), pitr.archive).pointInTime(between)
                        .check("shop", com.eazepay.backup.postgres.Check.sql("select count(*) from orders").exactly(2))
                        .check("shop", com.eazepay.backup.postgres.Check.sql("select count(*) from orders where id = 3")
                                .exactly(0)))
                .checked().run();

        assertThat(r.backupId()).isEqualTo(base1.id());
        assertThat(r.checks()).hasSize(2).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat((String) r.facts().get("recovery_stopped")).startsWith("recovery stopping before commit of transaction");
    }

    @Test
    @Order(2)
    void aTimeTargetBeforeTheSelectedBaseBackupIsConsistentIsRefusedBeforeAnythingIsWritten() throws Exception {
        base2 = engine.backup("postgres-base").run().manifest();
        Path dir = pitr.work.resolve("facade-too-early");
        assertThatThrownBy(() -> engine.restore("postgres-base").latest()
                .into(PitrTarget.dataDirectory(dir, pitr.archive).pointInTime(between)).checked().run())
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains(base2.id()).contains("before(");
                });
        assertThat(dir).doesNotExist();
    }

    @Test
    @Order(3)
    void pruneRemovesOlderBaseBackupsAndTheirWalAndTheOldestKeptStillRestoresToItsEnd() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (4, 'after base 2')");
        pitr.switchAndArchive();
        base3 = engine.backup("postgres-base").run().manifest();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (5, 'after base 3')");
        pitr.switchAndArchive();
        long expected = pitr.rows();
        String base2Start = (String) base2.facts().get("start_wal_file");
        List<String> before = pitr.archive.list().stream().map(WalSegment::name).toList();
        assertThat(before).anySatisfy(n -> assertThat(n.substring(0, 24)).isLessThan(base2Start));

        // test 1's checked restore made base 1 the newest verified backup, which retention protects; a checked
        // restore of base 2 (to its consistent point) makes base 2 the newest verified one, so base 1 can go
        engine.restore("postgres-base").id(base2.id())
                .into(PitrTarget.dataDirectory(pitr.work.resolve("verify-base2"), pitr.archive, RecoveryTarget.immediate()))
                .checked().run();

        PruneReport plan = engine.prune().source("postgres-base").dryRun();
        assertThat(plan.backupsRemoved()).as(plan.entries().get(0).plan().toTable() + plan.entries()).isEqualTo(1);
        assertThat(pitr.archive.list().stream().map(WalSegment::name).toList()).isEqualTo(before);

        PruneReport done = engine.prune().source("postgres-base").run();

        assertThat(done.backupsRemoved()).isEqualTo(1);
        assertThat(engine.list("postgres-base")).extracting(Manifest::id)
                .containsExactlyInAnyOrder(base2.id(), base3.id());
        List<String> after = pitr.archive.list().stream().map(WalSegment::name).toList();
        assertThat(after).isNotEmpty()
                .allSatisfy(n -> assertThat(n.length() == 24 || n.endsWith(".history") || n.endsWith(".partial")).isTrue())
                .allSatisfy(n -> assertThat(n.endsWith(".history") || n.substring(0, 24).compareTo(base2Start) >= 0)
                        .as(n + " kept, base 2 starts at " + base2Start).isTrue());
        // nothing the kept base backups need went: every file from base 2's start on is still there
        assertThat(after).containsAll(before.stream().filter(n -> n.substring(0, 24).compareTo(base2Start) >= 0).toList());
        assertThat(before.size() - after.size()).isPositive();

        RestoreResult r = engine.restore("postgres-base").id(base2.id())
                .into(PitrTarget.dataDirectory(pitr.work.resolve("after-prune"), pitr.archive)
                        .check("shop", com.eazepay.backup.postgres.Check.sql("select count(*) from orders").exactly(expected)))
                .checked().run();
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        System.out.printf("prune: WAL files %d -> %d; oldest kept base backup %s restored to the end (%d rows)%n",
                before.size(), after.size(), base2.id(), expected);
    }

    @Test
    @Order(4)
    void aRepositoryOnlyEngineRestoresABaseBackupWithTheRepositorysWalArchiveThroughTheProvider() throws Exception {
        assertThat(base3.facts()).containsEntry(PostgresBaseBackupSource.WAL_SOURCE_FACT, "postgres");
        // disaster recovery: no configured source, only the repository and the key; the WAL archive is found
        // under the name the base backup recorded, decrypted with the engine's identities
        BackupEngine dr = Backup.repository(pitr.repo).encryption(pitr.age).build();
        SourceProvider provider = java.util.ServiceLoader.load(SourceProvider.class).stream()
                .map(java.util.ServiceLoader.Provider::get).filter(p -> p.type().equals("postgres-base")).findFirst()
                .orElseThrow();
        Path dir = pitr.work.resolve("dr-datadir");
        PitrTarget target = (PitrTarget) provider.restoreTarget(dir.toString(), null);
        RestoreResult r = dr.restore("postgres-base").id(base3.id())
                .into(target.check("shop", com.eazepay.backup.postgres.Check.sql("select count(*) from orders").atLeast(5)))
                .checked().run();
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(dir.resolve("PG_VERSION")).exists();
    }
}
