package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Issue 22 §5/§6: the snapshot connection, row counting, pg_dump selection arguments, lock waits, standby errors. */
class PostgresBackupRobustnessTest {

    static PgServer pg;
    static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE shop");
        pg.exec("shop", "CREATE TABLE orders (id int PRIMARY KEY, v text)",
                "INSERT INTO orders SELECT i, 'o' || i FROM generate_series(1, 1000) i",
                "CREATE TABLE audit (id int, v text)", "INSERT INTO audit SELECT i, 'a' FROM generate_series(1, 300) i",
                "CREATE TABLE big (id int)", "INSERT INTO big SELECT generate_series(1, 1000000)");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    DirectoryBackupContext context() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b" + IDS.incrementAndGet()));
        return DirectoryBackupContext.in(dir).sourceName("postgres").backupId("20261202T041500Z-r" + IDS.get());
    }

    PostgresSource.Builder as(String role, String password) {
        return PostgresSource.builder().jdbcUrl(pg.jdbcUrl("shop")).user(role).password(password);
    }

    @Test
    void backupRoleWithShortIdleInTransactionTimeoutStillBacksUp() throws Exception {
        pg.exec("postgres", "CREATE ROLE idler LOGIN SUPERUSER PASSWORD 'idle-Pw-1'",
                "ALTER ROLE idler SET idle_in_transaction_session_timeout = '200ms'");
        DirectoryBackupContext ctx = context();
        // hold the backup between the snapshot export and pg_dump for longer than the role's idle timeout
        ctx.onFact((k, v) -> {
            if (k.equals("snapshot")) {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });

        as("idler", "idle-Pw-1").build().backup(ctx);

        assertThat(ctx.committedStreams()).containsKeys("db", "database");
        assertThat(ctx.facts().get("row_counts")).isEqualTo(Map.of("public.orders", 1000L, "public.audit", 300L,
                "public.big", 1000000L));
    }

    @Test
    void backupRoleWithShortStatementTimeoutStillCountsEveryTable() throws Exception {
        pg.exec("postgres", "CREATE ROLE hasty LOGIN SUPERUSER PASSWORD 'hasty-Pw-1'",
                "ALTER ROLE hasty SET statement_timeout = '5ms'");
        DirectoryBackupContext ctx = context();

        as("hasty", "hasty-Pw-1").build().backup(ctx);

        assertThat(ctx.facts().get("row_counts")).asString().contains("public.big=1000000");
    }

    @Test
    void rowCountFailureIsReportedAsItselfNotAsASnapshotImportError() throws Exception {
        pg.exec("postgres", "CREATE ROLE partial LOGIN PASSWORD 'part-Pw-1'");
        pg.exec("shop", "GRANT SELECT ON orders, big TO partial");
        DirectoryBackupContext ctx = context();

        BackupException e = catchThrowableOfType(() -> as("partial", "part-Pw-1").build().backup(ctx),
                BackupException.class);

        assertThat(e.getMessage()).contains("permission denied").contains("audit").doesNotContain("import");
        assertThat(ctx.committedStreams()).isEmpty();
    }

    @Test
    void skipRowCountsRecordsNoCountsAndTheRestoreRunsOnlyTheTargetsChecks() throws Exception {
        PostgresSource source = pg.source("shop").skipRowCounts().build();
        DirectoryBackupContext ctx = context();
        source.backup(ctx);
        assertThat(ctx.facts()).doesNotContainKey("row_counts");

        RestoreOutcome out = source.restore(ctx.restoreContext(), PostgresTarget.newDatabase("shop_nocount")
                .check(Check.sql("select count(*) from orders").exactly(1000)));

        assertThat(out.checks()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
    }

    @Test
    void extraArgsThatChangeTheSelectionAreRejectedAndExcludeTableDataIsModelled() throws Exception {
        for (String arg : new String[] {"--exclude-table-data=audit", "-n", "--schema=public", "-torders", "--table=x"}) {
            BackupException e = catchThrowableOfType(() -> pg.source("shop").extraArgs(arg).build(), BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains("excludeTableData(..)");
        }
        PostgresSource source = pg.source("shop").excludeTableData("audit").build();
        DirectoryBackupContext ctx = context();
        source.backup(ctx);
        assertThat(ctx.facts().get("row_counts")).asString().contains("public.audit=0");

        RestoreOutcome out = source.restore(ctx.restoreContext(), PostgresTarget.newDatabase("shop_nodata"));

        assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
        assertThat(pg.queryLong("shop_nodata", "select count(*) from audit")).isZero();
    }

    @Test
    void pendingLockFailsTheBackupAfterLockWaitTimeoutInsteadOfHanging() throws Exception {
        try (Connection locker = pg.connect("shop"); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
            DirectoryBackupContext ctx = context();

            BackupException e = catchThrowableOfType(() -> pg.source("shop").lockWaitTimeout(Duration.ofMillis(500))
                    .build().backup(ctx), BackupException.class);

            assertThat(e.getMessage()).contains("lock");
            assertThat(e.isRetryable()).isTrue();
            assertThat(ctx.committedStreams()).isEmpty();
            locker.rollback();
        }
        assertThat(pg.source("shop").build().pgDumpArguments("s1")).contains("--lock-wait-timeout=300000");
    }

    @Test
    void standbyRecoveryConflictIsRetryableWithAHint() {
        // a real standby is not started here: the server error is built as pgjdbc reports it (SQLSTATE 40001)
        ConnectionSettings s = new ConnectionSettings("127.0.0.1", 5432, "shop", "backup", null, Map.of());
        BackupException e = s.translate(new SQLException("ERROR: canceling statement due to conflict with recovery",
                "40001"), "counting the rows");

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("hot_standby_feedback").contains("max_standby_streaming_delay");
    }

    @Test
    void passwordReachesPgDumpThroughA0600PassFileNeverTheEnvironmentAndTheFileIsDeletedAfterwards() throws Exception {
        pg.exec("postgres", "CREATE ROLE colon LOGIN SUPERUSER PASSWORD 'pw:with\\colon-9'");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path log = tmp.resolve("child-env.txt");
        Path fake = bin.resolve("pg_dump");
        // a wrapper that records its environment and its passfile's mode, then runs the real pg_dump
        Files.writeString(fake, "#!/bin/sh\n"
                + "if [ \"$1\" != --version ]; then env >> '" + log + "'; echo \"MODE=$(stat -c %a \"$PGPASSFILE\")\" >> '"
                + log + "'; echo \"FILE=$PGPASSFILE\" >> '" + log + "'; fi\n"
                + "exec /usr/bin/pg_dump \"$@\"\n");
        fake.toFile().setExecutable(true);
        DirectoryBackupContext ctx = context();

        as("colon", "pw:with\\colon-9").pgDumpPath(fake).build().backup(ctx);

        String seen = Files.readString(log);
        assertThat(ctx.committedStreams()).containsKeys("db", "database");
        assertThat(seen).doesNotContain("pw:with").doesNotContain("PGPASSWORD").contains("PGPASSFILE=").contains("MODE=600");
        for (String line : seen.lines().filter(l -> l.startsWith("FILE=")).toList()) {
            assertThat(Path.of(line.substring(5))).doesNotExist();
        }
    }
}
