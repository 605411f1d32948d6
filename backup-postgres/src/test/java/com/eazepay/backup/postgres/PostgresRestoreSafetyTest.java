package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Issue 22 against a real embedded PostgreSQL: swap, database-level properties, replace, snapshot robustness. */
class PostgresRestoreSafetyTest {

    static PgServer pg;
    static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    DirectoryBackupContext backup(PostgresSource source) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b" + IDS.incrementAndGet()));
        DirectoryBackupContext ctx = DirectoryBackupContext.in(dir).sourceName("postgres")
                .backupId("20261202T040000Z-s" + IDS.get());
        source.backup(ctx);
        return ctx;
    }

    static String before(String live, DirectoryBackupContext b) {
        return live + "_before_" + b.backupId().toLowerCase().replace('-', '_');
    }

    @Test
    void swapWhoseSecondRenameIsBlockedLeavesTheLiveNameInPlaceAndSaysSo() throws Exception {
        pg.exec("postgres", "CREATE DATABASE shop");
        pg.exec("shop", "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2)",
                // in the restored copy, the check waits until the test has put a prepared transaction there
                "CREATE FUNCTION wait_for_prepared() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
                        + " FOR i IN 1..400 LOOP IF EXISTS (SELECT 1 FROM pg_prepared_xacts WHERE gid = 'block_swap')"
                        + " THEN RETURN 1; END IF; PERFORM pg_sleep(0.05); END LOOP; RETURN 0; END $$");
        PostgresSource source = pg.source("shop").build();
        DirectoryBackupContext b = backup(source);
        pg.exec("shop", "INSERT INTO t VALUES (3)");

        CompletableFuture<Void> blocker = CompletableFuture.runAsync(() -> {
            try {
                while (!pg.databaseExists("shop_new") || pg.queryLong("postgres",
                        "select count(*) from pg_stat_activity where datname = 'shop_new' and application_name = 'eazepay-backup'") == 0) {
                    Thread.onSpinWait();
                }
                try (Connection c = pg.connect("shop_new"); Statement st = c.createStatement()) {
                    st.execute("BEGIN");
                    st.execute("CREATE TABLE prepared_marker (id int)");
                    st.execute("PREPARE TRANSACTION 'block_swap'");
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        BackupException e = catchThrowableOfType(() -> source.restore(b.restoreContext(),
                PostgresTarget.newDatabase("shop_new").check(Check.sql("select wait_for_prepared()").equalTo(1))
                        .swapInto("shop")), BackupException.class);
        blocker.get(30, TimeUnit.SECONDS);
        try {
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("nothing was renamed").contains("shop is still the live database")
                    .contains("restored data is in shop_new");
            assertThat(pg.databaseExists("shop")).isTrue();
            assertThat(pg.databaseExists(before("shop", b))).isFalse();
            assertThat(pg.queryLong("shop", "select count(*) from t")).isEqualTo(3);
            assertThat(pg.queryLong("postgres", "select count(*) from pg_database where datname in ('shop', 'shop_new')"
                    + " and datallowconn")).isEqualTo(2);
        } finally {
            pg.exec("shop_new", "ROLLBACK PREPARED 'block_swap'");
        }
    }

    @Test
    void swapByARoleThatCannotTerminateSessionsFailsBeforeRestoringAnything() throws Exception {
        pg.exec("postgres", "CREATE ROLE weak LOGIN CREATEDB PASSWORD 'weak-Pw-1'", "CREATE DATABASE weakshop OWNER weak");
        pg.exec("weakshop", "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO weak");
        PostgresSource source = PostgresSource.builder().jdbcUrl(pg.jdbcUrl("weakshop")).user("weak").password("weak-Pw-1").build();
        DirectoryBackupContext b = backup(source);

        BackupException e = catchThrowableOfType(() -> source.restore(b.restoreContext(),
                PostgresTarget.newDatabase("weakshop_new").swapInto("weakshop")), BackupException.class);

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("pg_signal_backend").contains("Nothing was restored");
        assertThat(pg.databaseExists("weakshop_new")).isFalse();
        assertThat(pg.databaseExists("weakshop")).isTrue();
    }
}
