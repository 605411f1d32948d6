package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code engine.verify(..).restoreTest()} on a real PostgreSQL server: scratch database, checks, always dropped. */
class PostgresRestoreTestTest {

    static PgServer pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE app");
        pg.exec("app", "CREATE TABLE users (id bigserial PRIMARY KEY, name text)",
                "INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, 500) i");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static long scratchDatabases() {
        return pg.queryLong("postgres", "select count(*) from pg_database where datname like 'restoretest\\_%'");
    }

    private BackupEngine engine(FileSystemStorage storage, List<BackupEvent> events) {
        AgeKeys keys = AgeKeys.generate();
        return Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .listener(events::add).source(pg.source("app").build()).build();
    }

    @Test
    void aRestoreTestRestoresIntoAScratchDatabaseRunsTheUsersCheckRecordsAReportAndDropsTheDatabase() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = engine(storage, events)) {
            engine.backup("postgres").run();

            RestoreTestReport report = engine.verify("postgres").restoreTest().random()
                    .check(t -> ((PostgresTarget) t).check(Check.sql("select count(*) from users").atLeast(1))).run().orThrow();

            assertThat(report.scratch()).contains("restoretest_" + report.testId());
            assertThat(report.checks()).anyMatch(c -> c.name().contains("select count(*) from users") && c.passed());
            assertThat(report.checks().size()).isGreaterThan(1); // the source's own row-count checks too
            assertThat(report.dropped()).isTrue();
            assertThat(scratchDatabases()).isZero();
            assertThat(storage.listAll("reports/verify/postgres-" + report.manifest().id())).isNotEmpty();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            assertThat(events).anyMatch(e -> e instanceof BackupEvent.RestoreSucceeded s && s.checksPassed());
            assertThat(events).anyMatch(e -> e instanceof BackupEvent.BackupVerified v && v.passed());
        }
    }

    @Test
    void aFailingCheckMarksTheRestoreTestFailedAndStillDropsTheScratchDatabase() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = engine(storage, events)) {
            engine.backup("postgres").run();

            RestoreTestReport report = engine.verify("postgres").restoreTest().latest()
                    .check(t -> ((PostgresTarget) t).check(Check.sql("select count(*) from users").atLeast(1_000_000))).run();

            assertThat(report.passed()).isFalse();
            assertThat(report.dropped()).isTrue();
            assertThat(scratchDatabases()).isZero();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
            assertThat(e.getMessage()).contains("select count(*) from users");
            assertThat(events).anyMatch(ev -> ev instanceof BackupEvent.BackupVerified v && !v.passed());
        }
    }

    @Test
    void aRestoreTestInterruptedByAKilledJvmIsCleanedUpByTheNextOne() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        // what a JVM killed mid-test leaves: the journal, written before the restore, and the scratch database
        pg.exec("postgres", "CREATE DATABASE restoretest_20260101t000000_dead");
        byte[] journal = ("{\"source\":\"postgres\",\"sourceType\":\"postgres\",\"testId\":\"20260101t000000_dead\","
                + "\"backupId\":\"x\",\"resource\":\"restoretest_20260101t000000_dead\",\"at\":\"2026-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8);
        storage.put("locks/cleanup/postgres/20260101t000000_dead.json", new ByteArrayInputStream(journal),
                PutOptions.defaults().withContentLength(journal.length));
        assertThat(scratchDatabases()).isEqualTo(1);

        try (BackupEngine engine = engine(storage, new CopyOnWriteArrayList<>())) {
            engine.backup("postgres").run();
            engine.verify("postgres").restoreTest().latest().run().orThrow();
        }

        assertThat(scratchDatabases()).isZero();
        assertThat(storage.listAll("locks/cleanup/")).isEmpty();
    }

    @Test
    void aCleanupJournalLeftByAKilledJvmIsReplayedOnTheFirstOperationOfTheNextEngine() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo-start"));
        // a JVM killed mid-test: journal + scratch database; the next engine only lists (no restore test)
        pg.exec("postgres", "CREATE DATABASE restoretest_20260101t000000_dea2");
        byte[] journal = ("{\"source\":\"postgres\",\"sourceType\":\"postgres\",\"testId\":\"20260101t000000_dea2\","
                + "\"backupId\":\"x\",\"resource\":\"restoretest_20260101t000000_dea2\",\"at\":\"2026-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8);
        storage.put("locks/cleanup/postgres/20260101t000000_dea2.json", new ByteArrayInputStream(journal),
                PutOptions.defaults().withContentLength(journal.length));

        try (BackupEngine engine = engine(storage, new CopyOnWriteArrayList<>())) {
            assertThat(scratchDatabases()).as("build() does no I/O").isEqualTo(1);
            assertThat(engine.list("postgres")).isEmpty();
        }

        assertThat(scratchDatabases()).isZero();
        assertThat(storage.listAll("locks/cleanup/")).isEmpty();
    }
}
