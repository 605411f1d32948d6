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
                PostgresTarget.newDatabase("shop_new").check(Check.sql("select wait_for_prepared()").exactly(1))
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

    /** Everything about a database that is not its name: encoding, locale, owner, comment, ACL, settings. */
    static String properties(String db) {
        return propertiesOn(pg, db);
    }

    /** As {@link #properties(String)}, on {@code pg}. */
    static String propertiesOn(PgServer pg, String db) {
        return pg.queryString("postgres", "select row(pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,"
                + " pg_get_userbyid(d.datdba), shobj_description(d.oid, 'pg_database'),"
                + " (select string_agg(a::text, ',' order by a::text) from unnest(d.datacl) a),"
                + " (select string_agg(coalesce(r.rolname, '*') || '=' || array_to_string(s.setconfig, ','), ';'"
                + " order by r.rolname) from pg_db_role_setting s left join pg_roles r on r.oid = s.setrole"
                + " where s.setdatabase = d.oid))::text from pg_database d where d.datname = '" + db + "'");
    }

    @Test
    void databaseOwnerSettingsCommentAclEncodingAndLocaleSurviveRestoreAndSwap() throws Exception {
        pg.exec("postgres", "CREATE ROLE app_owner", "CREATE ROLE app_rw LOGIN PASSWORD 'rw-Pw-1'",
                "CREATE ROLE outsider LOGIN PASSWORD 'out-Pw-1'",
                "CREATE DATABASE billingdb OWNER app_owner TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'",
                "ALTER DATABASE billingdb SET search_path = billing, public",
                "ALTER ROLE app_rw IN DATABASE billingdb SET statement_timeout = '7s'",
                "COMMENT ON DATABASE billingdb IS 'the billing database'",
                "REVOKE CONNECT, TEMP ON DATABASE billingdb FROM PUBLIC",
                "GRANT CONNECT ON DATABASE billingdb TO app_rw");
        pg.exec("billingdb", "CREATE SCHEMA billing AUTHORIZATION app_owner",
                "CREATE TABLE billing.customers (id int PRIMARY KEY, name text)",
                "ALTER TABLE billing.customers OWNER TO app_owner",
                "INSERT INTO billing.customers VALUES (1, E'caf\\xe9')",
                "GRANT USAGE ON SCHEMA billing TO app_rw", "GRANT SELECT ON billing.customers TO app_rw");
        String sourceProperties = properties("billingdb");
        String sourceBytes = pg.queryString("billingdb", "select md5(name) from billing.customers where id = 1");
        PostgresSource source = pg.source("billingdb").build();
        DirectoryBackupContext b = backup(source);
        assertThat(b.facts().get("database_properties")).isEqualTo(java.util.Map.of("encoding", "SQL_ASCII",
                "lc_collate", "C", "lc_ctype", "C", "owner", "app_owner"));
        pg.exec("billingdb", "INSERT INTO billing.customers VALUES (2, 'after the backup')");

        RestoreOutcome restored = source.restore(b.restoreContext(), PostgresTarget.newDatabase("billingdb_new"));
        assertThat(properties("billingdb_new")).isEqualTo(sourceProperties);
        assertThat(pg.queryString("billingdb_new", "select md5(name) from billing.customers where id = 1")).isEqualTo(sourceBytes);
        assertThat(restored.facts().get("database_properties")).asString().contains("applied");
        pg.exec("postgres", "DROP DATABASE billingdb_new");

        RestoreOutcome swapped = source.restore(b.restoreContext(), PostgresTarget.newDatabase("billingdb_new")
                .swapInto("billingdb"));
        assertThat(swapped.facts()).containsEntry("swapped", true);
        assertThat(properties("billingdb")).isEqualTo(sourceProperties);
        try (Connection app = DriverManager.getConnection(pg.jdbcUrl("billingdb"), "app_rw", "rw-Pw-1");
             Statement st = app.createStatement()) {
            var rs = st.executeQuery("select count(*), current_setting('statement_timeout'), current_setting('search_path')"
                    + " from customers");
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo("7s");
            assertThat(rs.getString(3)).isEqualTo("billing, public");
        }
        java.sql.SQLException refused = catchThrowableOfType(
                () -> DriverManager.getConnection(pg.jdbcUrl("billingdb"), "outsider", "out-Pw-1").close(),
                java.sql.SQLException.class);
        assertThat(refused.getMessage()).contains("permission denied");
    }

    @Test
    void replaceOnAPartitionedTableWithAPrimaryKeyRestoresAllAndKeepsThePreviousDatabase() throws Exception {
        pg.exec("postgres", "CREATE DATABASE parts");
        pg.exec("parts", "CREATE TABLE m (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
                "CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "CREATE TABLE m_2027 PARTITION OF m FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')",
                "INSERT INTO m SELECT i, date '2026-06-01' + i, 'v' || i FROM generate_series(1, 500) i");
        PostgresSource source = pg.source("parts").build();
        DirectoryBackupContext b = backup(source);
        pg.exec("parts", "DELETE FROM m WHERE id > 100");

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.replaceExisting("parts"));

        assertThat(out.facts()).containsEntry("swapped", true).containsEntry("previous_database", before("parts", b));
        assertThat(pg.queryLong("parts", "select count(*) from m")).isEqualTo(500);
        assertThat(pg.queryLong("parts", "select count(*) from pg_constraint where conrelid = 'm'::regclass and contype = 'p'"))
                .isEqualTo(1);
        assertThat(pg.queryLong(before("parts", b), "select count(*) from m")).isEqualTo(100);
    }

    @Test
    void replaceAfterAMigrationBringsBackThePreDeploySchemaAllOrNothing() throws Exception {
        pg.exec("postgres", "CREATE DATABASE mig");
        pg.exec("mig", "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        PostgresSource source = pg.source("mig").build();
        DirectoryBackupContext b = backup(source);
        pg.exec("mig", "CREATE TABLE added (id int)", "CREATE VIEW v_t AS SELECT id FROM t",
                "ALTER TABLE t ADD COLUMN c int", "INSERT INTO t VALUES (3, 'c', 3)");

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.replaceExisting("mig").jobs(2));

        assertThat(out.facts()).containsEntry("swapped", true);
        assertThat(pg.queryLong("mig", "select count(*) from t")).isEqualTo(2);
        assertThat(pg.queryLong("mig", "select count(*) from pg_class where relname in ('added', 'v_t')")).isZero();
        assertThat(pg.queryLong("mig", "select count(*) from information_schema.columns where table_name = 't'"
                + " and column_name = 'c'")).isZero();
        assertThat(pg.queryLong(before("mig", b), "select count(*) from pg_class where relname in ('added', 'v_t')"))
                .isEqualTo(2);
    }

    @Test
    void replaceIsNotBlockedByASessionIdleInATransactionOnTheLiveDatabase() throws Exception {
        pg.exec("postgres", "CREATE DATABASE idle_live");
        pg.exec("idle_live", "CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        PostgresSource source = pg.source("idle_live").build();
        DirectoryBackupContext b = backup(source);
        try (Connection idle = pg.connect("idle_live"); Statement st = idle.createStatement()) {
            idle.setAutoCommit(false);
            st.executeQuery("select * from t").close(); // holds AccessShareLock on t, idle in transaction

            RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.replaceExisting("idle_live"));

            assertThat(out.facts()).containsEntry("swapped", true);
            assertThat(idle.isValid(2)).isFalse(); // terminated by the swap
        }
        assertThat(pg.queryLong("idle_live", "select count(*) from t")).isEqualTo(1);
    }

    @Test
    void databaseEntriesAreRewrittenToTheRestoredNameForPlainAndQuotedNames() {
        String sql = String.join("\n", "SET statement_timeout = 0;", "CREATE DATABASE pay WITH TEMPLATE = template0;",
                "ALTER DATABASE pay OWNER TO app_owner;", "\\connect pay", "COMMENT ON DATABASE pay IS 'pay database; DATABASE pay ';",
                "ALTER ROLE app_rw IN DATABASE pay SET statement_timeout TO '5s';",
                "REVOKE CONNECT,TEMPORARY ON DATABASE pay FROM PUBLIC;", "");
        assertThat(PostgresRestore.databaseStatements(sql, "pay", "pay_new")).containsExactly(
                "ALTER DATABASE \"pay_new\" OWNER TO app_owner;",
                "COMMENT ON DATABASE \"pay_new\" IS 'pay database; DATABASE pay ';",
                "ALTER ROLE app_rw IN DATABASE \"pay_new\" SET statement_timeout TO '5s';",
                "REVOKE CONNECT,TEMPORARY ON DATABASE \"pay_new\" FROM PUBLIC;");
        assertThat(PostgresRestore.databaseStatements("ALTER DATABASE \"Pay-1\" SET work_mem TO '8MB';\n", "Pay-1", "x"))
                .containsExactly("ALTER DATABASE \"x\" SET work_mem TO '8MB';");
    }

    @Test
    void swapThatCannotTerminateASessionFailsSayingNothingWasRenamed() throws Exception {
        // pg_signal_backend may not terminate a superuser's session: the swap must fail cleanly, not half-way
        pg.exec("postgres", "CREATE ROLE swapper LOGIN CREATEDB PASSWORD 'swap-Pw-1'", "GRANT pg_signal_backend TO swapper",
                "CREATE DATABASE guarded OWNER swapper");
        pg.exec("guarded", "CREATE TABLE t (id int)", "ALTER TABLE t OWNER TO swapper", "INSERT INTO t VALUES (1)");
        PostgresSource source = PostgresSource.builder().jdbcUrl(pg.jdbcUrl("guarded")).user("swapper")
                .password("swap-Pw-1").noGlobals().build();
        DirectoryBackupContext b = backup(source);
        try (Connection superuser = pg.connect("guarded")) {
            BackupException e = catchThrowableOfType(() -> source.restore(b.restoreContext(),
                    PostgresTarget.newDatabase("guarded_new").swapInto("guarded")), BackupException.class);

            assertThat(e.getMessage()).contains("nothing was renamed").contains("guarded is still the live database");
            assertThat(superuser.isValid(2)).isTrue();
        }
        assertThat(pg.queryLong("guarded", "select count(*) from t")).isEqualTo(1);
        assertThat(pg.queryLong("postgres", "select count(*) from pg_database where datname in ('guarded', 'guarded_new')"
                + " and datallowconn")).isEqualTo(2);
    }
}
