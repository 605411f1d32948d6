package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** PostgresSource against a real embedded PostgreSQL 14 and the machine's pg_dump/pg_restore 15. */
class PostgresSourceTest {

    static PgServer pg;
    static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE payments");
        pg.exec("payments",
                "CREATE SCHEMA billing",
                "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, created timestamptz NOT NULL,"
                        + " tags text[], avatar bytea)",
                "CREATE TABLE accounts (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),"
                        + " balance numeric(20,4) NOT NULL CHECK (balance >= 0), meta jsonb)",
                "CREATE TABLE billing.payments (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts(id),"
                        + " amount numeric(20,4) NOT NULL, at timestamptz NOT NULL, details jsonb, doc oid)",
                "CREATE SEQUENCE billing.invoice_no START 1000",
                "INSERT INTO users (email, created, tags, avatar) SELECT 'u' || i || '@example.com',"
                        + " timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute', ARRAY['a' || i, 'b'],"
                        + " decode(md5(i::text), 'hex') FROM generate_series(1, 1500) i",
                "INSERT INTO accounts (user_id, balance, meta) SELECT i, i * 10.1234, jsonb_build_object('tier', i % 3,"
                        + " 'flags', jsonb_build_array(true, null, 1.5)) FROM generate_series(1, 1500) i",
                "INSERT INTO billing.payments (account_id, amount, at, details) SELECT 1 + i % 1500, (i % 997) * 1.01,"
                        + " timestamptz '2026-02-01 12:00:00+02' + i * interval '1 second', jsonb_build_object('ref', 'p' || i)"
                        + " FROM generate_series(1, 4000) i",
                "UPDATE billing.payments SET doc = lo_from_bytea(0, convert_to('receipt for payment ' || id, 'UTF8')) WHERE id <= 3",
                "SELECT nextval('billing.invoice_no') FROM generate_series(1, 42)");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static DirectoryBackupContext context(Path dir, String id) {
        return DirectoryBackupContext.in(dir).sourceName("postgres").backupId(id);
    }

    private DirectoryBackupContext backup(PostgresSource source) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("b" + IDS.incrementAndGet()));
        DirectoryBackupContext ctx = context(dir, "20261126T230000Z-t" + IDS.get());
        source.backup(ctx);
        return ctx;
    }

    private static String fingerprint(String db) {
        return pg.queryString(db, "select md5(string_agg(t, '|' order by t)) from ("
                + " select u::text t from users u union all select a::text from accounts a"
                + " union all select (p.id, p.account_id, p.amount, p.at, p.details)::text from billing.payments p) x");
    }

    @Test
    void roundTripRestoresTypesSchemasSequencesConstraintsAndLargeObjects() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").build());

        assertThat(b.committedStreams()).containsOnlyKeys("db", "database", "globals");
        assertThat(b.streamFile("db").getFileName().toString()).isEqualTo("db.pgdump");
        assertThat(Files.readAllBytes(b.streamFile("db"))).startsWith("PGDMP".getBytes(StandardCharsets.US_ASCII));
        assertThat(b.facts()).containsEntry("format", "custom").containsKeys("server_version", "pg_dump_version",
                "database_size_bytes", "snapshot");
        assertThat(b.facts().get("row_counts")).isEqualTo(Map.of("public.users", 1500L, "public.accounts", 1500L,
                "billing.payments", 4000L));
        assertThat(b.consistentAt()).isNotNull();

        RestoreOutcome out = pg.source("payments").build()
                .restore(b.restoreContext(), PostgresTarget.newDatabase("roundtrip"));

        assertThat(out.location()).isEqualTo("postgresql://127.0.0.1:" + pg.port() + "/roundtrip");
        assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
        assertThat(fingerprint("roundtrip")).isEqualTo(fingerprint("payments"));
        assertThat(pg.queryLong("roundtrip", "select nextval('billing.invoice_no')")).isEqualTo(1042);
        assertThat(pg.queryString("roundtrip", "select convert_from(lo_get(doc), 'UTF8') from billing.payments where id = 2"))
                .isEqualTo("receipt for payment 2");
        assertThat(pg.queryLong("roundtrip", "select count(*) from pg_constraint where conname in"
                + " ('accounts_balance_check', 'accounts_user_id_fkey', 'users_email_key')")).isEqualTo(3);
        assertThatThrownBy(() -> pg.exec("roundtrip", "INSERT INTO accounts (user_id, balance) VALUES (999999, 1)"))
                .hasMessageContaining("foreign key");
    }

    @Test
    void manifestRowCountsAreTheSnapshotsNotTheLiveTablesUnderConcurrentWrites() throws Exception {
        pg.exec("postgres", "CREATE DATABASE busy");
        pg.exec("busy", "CREATE TABLE events (id bigserial PRIMARY KEY, v text)",
                "INSERT INTO events (v) SELECT 'e' || i FROM generate_series(1, 1000) i");
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        DirectoryBackupContext ctx = context(dir, "20261126T230000Z-busy");
        // writes committed after the snapshot was exported, while the dump is about to run and running
        ctx.onFact((k, v) -> {
            if (k.equals("row_counts")) {
                pg.exec("busy", "INSERT INTO events (v) SELECT 'late' || i FROM generate_series(1, 250) i");
            }
        });
        ctx.onWrite((stream, n) -> pg.exec("busy", "INSERT INTO events (v) VALUES ('during')"));
        PostgresSource source = pg.source("busy").build();

        source.backup(ctx);
        source.restore(ctx.restoreContext(), PostgresTarget.newDatabase("busy_restored"));

        assertThat(ctx.facts().get("row_counts")).isEqualTo(Map.of("public.events", 1000L));
        assertThat(pg.queryLong("busy_restored", "select count(*) from events")).isEqualTo(1000);
        assertThat(pg.queryLong("busy", "select count(*) from events")).isGreaterThanOrEqualTo(1251);
    }

    @Test
    void plainFormatAndTableSelectionDumpOnlyTheSelectedTablesAndRestoreWithPsql() throws Exception {
        PostgresSource source = pg.source("payments").plainFormat().tables("public.users").build();
        DirectoryBackupContext b = backup(source);

        assertThat(b.streamFile("db").getFileName().toString()).isEqualTo("db.sql");
        assertThat(b.facts().get("row_counts")).isEqualTo(Map.of("public.users", 1500L));

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.newDatabase("plain_users"));
        assertThat(out.checks()).singleElement().matches(CheckResult::passed);
        assertThat(pg.queryLong("plain_users", "select count(*) from users")).isEqualTo(1500);
        assertThat(pg.queryLong("plain_users", "select count(*) from pg_tables where tablename = 'accounts'")).isZero();
    }

    @Test
    void userSqlChecksPassAndFailWithExpectedAndFoundValues() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").build());
        PostgresTarget target = PostgresTarget.newDatabase("checked")
                .check(Check.sql("select count(*) from users").atLeast(1))
                .check(Check.sql("select count(*) from billing.payments where amount < 0").exactly(0))
                .check(Check.sql("select count(*) from accounts").atMost(10))
                .check(Check.sql("select * from no_such_table").exactly(0));

        RestoreOutcome out = pg.source("payments").build().restore(b.restoreContext(), target);

        assertThat(out.checks()).extracting(CheckResult::name, CheckResult::passed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("rows billing.payments", true),
                org.assertj.core.groups.Tuple.tuple("rows public.accounts", true),
                org.assertj.core.groups.Tuple.tuple("rows public.users", true),
                org.assertj.core.groups.Tuple.tuple("select count(*) from users >= 1", true),
                org.assertj.core.groups.Tuple.tuple("select count(*) from billing.payments where amount < 0 = 0", true),
                org.assertj.core.groups.Tuple.tuple("select count(*) from accounts <= 10", false),
                org.assertj.core.groups.Tuple.tuple("select * from no_such_table = 0", false));
        assertThat(out.checks().get(5).detail()).isEqualTo("expected <= 10, found 1500");
        assertThat(out.checks().get(6).detail()).contains("query failed").contains("no_such_table");
    }

    @Test
    void userChecksRunWhenGivenEvenIfTheRestoreDidNotAskForChecks() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").build());
        PostgresTarget target = PostgresTarget.newDatabase("checked_unasked")
                .check(Check.sql("select count(*) from users").between(1, 1499));

        RestoreOutcome out = pg.source("payments").build().restore(b.restoreContext().checksRequested(false), target);

        assertThat(out.checks()).extracting(CheckResult::name).contains("select count(*) from users between 1 and 1499");
        assertThat(out.checks()).filteredOn(c -> c.name().startsWith("select")).singleElement()
                .satisfies(c -> assertThat(c.passed()).isFalse())
                .satisfies(c -> assertThat(c.detail()).isEqualTo("expected between 1 and 1499, found 1500"));
        // without user checks and without the flag, nothing is checked (as before)
        RestoreOutcome plain = pg.source("payments").build().restore(b.restoreContext().checksRequested(false),
                PostgresTarget.newDatabase("unchecked"));
        assertThat(plain.checks()).isEmpty();
    }

    @Test
    void rowCountCheckFailsWhenTheRestoredTableDiffersFromTheManifest() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").tables("public.users").build());
        b.fact("row_counts", Map.of("public.users", 1501L));

        RestoreOutcome out = pg.source("payments").build().restore(b.restoreContext(), PostgresTarget.newDatabase("miscount"));

        assertThat(out.checks()).singleElement().satisfies(c -> {
            assertThat(c.passed()).isFalse();
            assertThat(c.detail()).isEqualTo("expected 1501, found 1500");
        });
    }

    @Test
    void swapRenamesRestoredIntoPlaceAndKeepsTheOldDatabase() throws Exception {
        pg.exec("postgres", "CREATE DATABASE live");
        pg.exec("live", "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1), (2)");
        PostgresSource source = pg.source("live").build();
        DirectoryBackupContext b = backup(source);
        pg.exec("live", "INSERT INTO t VALUES (3)"); // the "bad deploy" after the backup

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.newDatabase("live_restore")
                .check(Check.sql("select count(*) from t").exactly(2)).swapInto("live"));

        String before = "live_before_" + b.backupId().toLowerCase().replace('-', '_');
        assertThat(out.facts()).containsEntry("swapped", true).containsEntry("previous_database", before);
        assertThat(out.location()).endsWith("/live");
        assertThat(pg.queryLong("live", "select count(*) from t")).isEqualTo(2);
        assertThat(pg.queryLong(before, "select count(*) from t")).isEqualTo(3);
        assertThat(pg.databaseExists("live_restore")).isFalse();
    }

    @Test
    void failingChecksPreventTheSwapAndKeepTheRestoredDatabase() throws Exception {
        pg.exec("postgres", "CREATE DATABASE live2");
        pg.exec("live2", "CREATE TABLE t (id int)", "INSERT INTO t VALUES (1)");
        PostgresSource source = pg.source("live2").build();
        DirectoryBackupContext b = backup(source);

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.newDatabase("live2_restore")
                .check(Check.sql("select count(*) from t").atLeast(100)).swapInto("live2"));

        assertThat(out.checks()).anyMatch(c -> !c.passed());
        assertThat(out.facts()).containsEntry("swapped", false).containsEntry("kept_for_inspection", "live2_restore");
        assertThat(pg.databaseExists("live2_restore")).isTrue();
        assertThat(pg.queryLong("live2", "select count(*) from t")).isEqualTo(1);
        assertThat(pg.queryLong("postgres", "select count(*) from pg_database where datname like 'live2_before%'")).isZero();
    }

    @Test
    void restoreIntoAnExistingDatabaseFailsAndLeavesItUntouched() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").tables("public.users").build());
        pg.exec("postgres", "CREATE DATABASE occupied");
        pg.exec("occupied", "CREATE TABLE keep (id int)", "INSERT INTO keep VALUES (7)");
        PostgresSource source = pg.source("payments").build();

        BackupException exists = catchThrowableOfType(BackupException.class,
                () -> source.restore(b.restoreContext(), PostgresTarget.newDatabase("occupied")));
        BackupException notEmpty = catchThrowableOfType(BackupException.class,
                () -> source.restore(b.restoreContext(), PostgresTarget.existingEmpty("occupied")));

        assertThat(exists.errorCode()).isEqualTo(CoreErrorCode.ALREADY_EXISTS);
        assertThat(exists.getMessage()).contains("occupied").contains("replaceExisting");
        assertThat(notEmpty.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY);
        assertThat(pg.queryLong("occupied", "select id from keep")).isEqualTo(7);
        assertThat(pg.queryLong("occupied", "select count(*) from pg_tables where tablename = 'users'")).isZero();
    }

    @Test
    void existingEmptyAndReplaceExistingTargetsRestore() throws Exception {
        PostgresSource source = pg.source("payments").tables("public.users").build();
        DirectoryBackupContext b = backup(source);
        pg.exec("postgres", "CREATE DATABASE empty_one", "CREATE DATABASE replace_me");
        pg.exec("replace_me", "CREATE TABLE users (id int)", "CREATE TABLE other (id int)");

        source.restore(b.restoreContext(), PostgresTarget.existingEmpty("empty_one"));
        RestoreOutcome replaced = source.restore(b.restoreContext(), PostgresTarget.replaceExisting("replace_me").jobs(2));

        assertThat(pg.queryLong("empty_one", "select count(*) from users")).isEqualTo(1500);
        assertThat(replaced.checks()).allMatch(CheckResult::passed);
        assertThat(pg.queryLong("replace_me", "select count(*) from users")).isEqualTo(1500);
        // the replaced database is kept under the before-name, with what the dump did not have
        assertThat(pg.queryLong("replace_me", "select count(*) from pg_tables where tablename = 'other'")).isZero();
        assertThat(pg.queryLong("replace_me_before_" + b.backupId().toLowerCase().replace('-', '_'),
                "select count(*) from pg_tables where tablename = 'other'")).isEqualTo(1);
    }

    @Test
    void wrongPasswordIsAuthenticationFailedWithoutRevealingIt() throws Exception {
        String wrong = "wrong-Pass-93kd";
        PostgresSource source = PostgresSource.builder().name("postgres").jdbcUrl(pg.jdbcUrl("payments"))
                .user(PgServer.USER).password(wrong).build();
        DirectoryBackupContext ctx = context(tmp, "x");

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(ctx));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.AUTHENTICATION_FAILED); // SQLSTATE 28P01 under scram-sha-256
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("authentication failed").contains("app").doesNotContain(wrong);
        assertThat(stackText(e)).doesNotContain(wrong).doesNotContain(PgServer.PASSWORD);
        assertThat(ctx.openedStreams()).isEmpty();
    }

    @Test
    void wrongPasswordUnderMd5AuthAndOnARestoreTargetIsAuthenticationFailed() throws Exception {
        String wrong = "wrong-Md5-Pass-11x";
        // md5 (pg_hba "md5", password stored as md5): the right password works, a wrong one is 28P01
        DirectoryBackupContext ok = context(tmp, "md5-ok");
        PostgresSource.builder().name("postgres").jdbcUrl(pg.jdbcUrl("payments")).user(PgServer.MD5_USER)
                .password(PgServer.MD5_PASSWORD).build().backup(ok);
        PostgresSource md5 = PostgresSource.builder().name("postgres").jdbcUrl(pg.jdbcUrl("payments"))
                .user(PgServer.MD5_USER).password(wrong).build();
        BackupException e = catchThrowableOfType(BackupException.class, () -> md5.backup(context(tmp, "md5-bad")));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.getMessage()).contains(PgServer.MD5_USER).doesNotContain(wrong);
        assertThat(stackText(e)).doesNotContain(wrong).doesNotContain(PgServer.MD5_PASSWORD);

        // the restore target's credentials are checked the same way
        PostgresSource source = pg.source("payments").build();
        BackupException t = catchThrowableOfType(BackupException.class, () -> source.restore(ok.restoreContext(),
                PostgresTarget.newDatabase("auth_target").on(pg.jdbcUrl("postgres"), PgServer.USER, wrong)));
        assertThat(t.errorCode()).isEqualTo(CoreErrorCode.AUTHENTICATION_FAILED);
        assertThat(stackText(t)).doesNotContain(wrong);
        assertThat(pg.databaseExists("auth_target")).isFalse();
    }

    @Test
    void builderListsEveryProblemInOneInvalidConfigurationAndRefusesASettingGivenTwice() {
        BackupException e = catchThrowableOfType(BackupException.class, () -> PostgresSource.builder().name("Bad Name")
                .jdbcUrl("jdbc:postgresql://h/db").host("h2").extraArgs("--schema=x").build());
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).startsWith("PostgresSource: ").contains("invalid source name 'Bad Name'")
                .contains("extraArgs [--schema=x]").contains("not both");

        PostgresSource.Builder b = PostgresSource.builder().password("first-pw-1");
        assertThatThrownBy(() -> b.password("second-pw-2")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("password was already set").hasMessageNotContaining("first-pw-1")
                .hasMessageNotContaining("second-pw-2");
        assertThatThrownBy(() -> PostgresSource.builder().timeout(java.time.Duration.ofMinutes(1))
                .timeout(java.time.Duration.ofMinutes(2))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timeout was already set");
        assertThatThrownBy(() -> PostgresSource.builder().noGlobals().noGlobals()).isInstanceOf(IllegalStateException.class);
        assertThat(PostgresSource.builder().schemas("a").schemas("b").jdbcUrl("jdbc:postgresql://h/db").build())
                .as("list settings add up").isNotNull();
        // the immutable target follows the same rule; checks add up
        assertThatThrownBy(() -> PostgresTarget.newDatabase("t").jobs(2).jobs(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgresTarget: jobs was already set");
        assertThat(PostgresTarget.newDatabase("t").check(Check.sql("select 1").exactly(1))
                .check(Check.sql("select 2").exactly(2)).checks()).hasSize(2);
    }

    @Test
    void unreachableServerIsRetryableSourceUnavailable() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        PostgresSource source = PostgresSource.builder().jdbcUrl("jdbc:postgresql://127.0.0.1:" + closedPort + "/x")
                .user("app").password(PgServer.PASSWORD).build();

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(context(tmp, "x")));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort).doesNotContain(PgServer.PASSWORD);
    }

    @Test
    void missingDatabaseIsNotFound() {
        BackupException e = catchThrowableOfType(BackupException.class,
                () -> pg.source("no_such_db").build().backup(context(tmp, "x")));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
        assertThat(e.getMessage()).contains("no_such_db");
    }

    @Test
    void missingPgDumpNamesThePackageToInstall() {
        PostgresSource source = pg.source("payments").pgDumpPath(tmp.resolve("nowhere/pg_dump")).build();
        DirectoryBackupContext ctx = context(tmp, "x");

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(ctx));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("pg_dump not found").contains("apt-get install postgresql-client-14");
        assertThat(ctx.openedStreams()).isEmpty();
    }

    @Test
    void pgDumpOlderThanTheServerFailsBeforeDumping() throws Exception {
        // The machine has only pg_dump 15, which is newer than the embedded server (14): a fake pg_dump that
        // reports an old version is the only way to have an older pg_dump here.
        Path fake = tmp.resolve("old/pg_dump");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        PostgresSource source = pg.source("payments").pgDumpPath(fake).build();
        DirectoryBackupContext ctx = context(tmp, "x");

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(ctx));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.VERSION_MISMATCH);
        assertThat(e.getMessage()).contains("runs PostgreSQL 14.").contains("9.6.24")
                .contains("apt-get install postgresql-client-14");
        assertThat(ctx.openedStreams()).isEmpty();
    }

    @Test
    void pgDumpKilledMidDumpFailsTheBackupAndCommitsNothing() throws Exception {
        pg.exec("postgres", "CREATE DATABASE big");
        // ~10 MB of rows: far more than the pipe and our buffers hold, so pg_dump is still running at the first write
        pg.exec("big", "CREATE TABLE blob (id int, v text)",
                "INSERT INTO blob SELECT i, repeat(md5(i::text), 10) FROM generate_series(1, 30000) i");
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        DirectoryBackupContext ctx = context(dir, "20261126T230000Z-kill");
        List<List<String>> seenArgv = new ArrayList<>();
        ctx.onWrite((stream, n) -> ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("pg_dump")).orElse(false))
                .forEach(p -> {
                    seenArgv.add(List.of(p.info().arguments().orElse(new String[0])));
                    p.destroyForcibly();
                }));

        BackupException e = catchThrowableOfType(BackupException.class, () -> pg.source("big").build().backup(ctx));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED);
        assertThat(e.getMessage()).contains("pg_dump").contains("signal 9");
        assertThat(ctx.committedStreams()).isEmpty();
        assertThat(seenArgv).isNotEmpty().allSatisfy(argv ->
                assertThat(String.join(" ", argv)).contains("--snapshot=").doesNotContain(PgServer.PASSWORD));
    }

    @Test
    void aFailingGlobalsDumpRunningAlongsidePgDumpFailsTheBackupAndCommitsNothing() throws Exception {
        // a real failure of the real pg_dumpall: a role that is not superuser may not read pg_authid, which
        // withRolePasswords() needs, while pg_dump of its own database succeeds
        pg.exec("postgres", "CREATE ROLE dumper LOGIN NOSUPERUSER PASSWORD 'dumper-pw'", "CREATE DATABASE owned OWNER dumper");
        pg.exec("owned", "SET ROLE dumper", "CREATE TABLE t (id int, v text)",
                "INSERT INTO t SELECT i, repeat(md5(i::text), 2) FROM generate_series(1, 20000) i");
        PostgresSource source = PostgresSource.builder().jdbcUrl(pg.jdbcUrl("owned")).user("dumper").password("dumper-pw")
                .withRolePasswords().build();
        Path dir = Files.createDirectories(tmp.resolve("globals-fail"));
        DirectoryBackupContext ctx = context(dir, "20261126T230000Z-globals");
        // The first write of the main dump holds the pumping thread until the main pg_dump has exited. Its
        // output (~1.4 MB) is far more than the pipe holds, so it cannot finish on its own meanwhile: only the
        // failing pg_dumpall, through the kill, ends it (without the kill, the wait runs out and the test fails).
        List<Boolean> mainDumpEnded = new ArrayList<>();
        ctx.onWrite((stream, n) -> {
            if (stream.equals("db") && mainDumpEnded.isEmpty()) {
                ProcessHandle main = ProcessHandle.current().descendants()
                        .filter(p -> p.info().command().map(c -> c.endsWith("/pg_dump")).orElse(false))
                        .filter(p -> !List.of(p.info().arguments().orElse(new String[0])).contains("--schema-only"))
                        .findFirst().orElseThrow();
                try {
                    main.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
                    mainDumpEnded.add(true);
                } catch (Exception timedOutOrInterrupted) {
                    mainDumpEnded.add(false);
                }
            }
        });

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(ctx));

        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED);
        assertThat(e.getMessage()).contains("pg_dumpall").contains("roles and tablespaces").contains("pg_authid")
                .doesNotContain("dumper-pw");
        // pg_dumpall's failure killed the main pg_dump at once (before its first write, or while that write
        // held it); the main dump's own failure rides along, suppressed
        assertThat(mainDumpEnded).doesNotContain(false);
        assertThat(e.getSuppressed()).singleElement().satisfies(main ->
                assertThat(main.getMessage()).contains("pg_dump").doesNotContain("pg_dumpall"));
        // the main dump and the database entries ran alongside; neither is committed once the globals failed
        assertThat(ctx.openedStreams()).containsExactly("db.pgdump", "database.pgdump", "globals.sql");
        assertThat(ctx.committedStreams()).isEmpty();
    }

    @Test
    void theSmallDumpsFollowTheMainDumpInStreamOrder() throws Exception {
        DirectoryBackupContext b = backup(pg.source("payments").build());

        assertThat(b.openedStreams()).containsExactly("db.pgdump", "database.pgdump", "globals.sql");
        assertThat(b.committedStreams().keySet()).containsExactly("db", "database", "globals");
        assertThat(Files.readString(b.streamFile("globals"))).contains("CREATE ROLE app");
        assertThat(Files.readAllBytes(b.streamFile("database"))).startsWith("PGDMP".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void passwordAppearsInNoArgvToStringLogOrException() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        PostgresSource source = PostgresSource.builder()
                .jdbcUrl(pg.jdbcUrl("payments") + "?user=app&password=" + PgServer.PASSWORD).tables("public.users").build();
        String failure;
        try {
            DirectoryBackupContext b = backup(source);
            source.restore(b.restoreContext(), PostgresTarget.newDatabase("secret_check"));
            failure = stackText(catchThrowableOfType(BackupException.class,
                    () -> source.restore(b.restoreContext(), PostgresTarget.newDatabase("secret_check"))));
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertThat(log).contains("pg_dump").doesNotContain(PgServer.PASSWORD);
        assertThat(failure).contains("already exists").doesNotContain(PgServer.PASSWORD);
        assertThat(source.toString()).contains("127.0.0.1").contains("****").doesNotContain(PgServer.PASSWORD);
        assertThat(String.join(" ", source.pgDumpArguments("snap"))).doesNotContain(PgServer.PASSWORD);
        assertThat(PostgresTarget.newDatabase("x").on(pg.jdbcUrl("postgres"), "app", PgServer.PASSWORD).toString())
                .doesNotContain(PgServer.PASSWORD);
    }

    @Test
    void pgDumpRunningPastItsTimeoutIsKilledAndNothingIsCommitted() throws Exception {
        // 1 ms: no pg_dump finishes that fast (process start alone takes longer), so the watchdog always fires
        PostgresSource source = pg.source("payments").timeout(java.time.Duration.ofMillis(1)).build();
        Path dir = Files.createDirectories(tmp.resolve("timeout"));
        DirectoryBackupContext ctx = context(dir, "20261126T230000Z-timeout");

        BackupException e = catchThrowableOfType(BackupException.class, () -> source.backup(ctx));

        assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(CoreErrorCode.TIMEOUT);
        assertThat(e.isRetryable()).isTrue();
        // pg_dump, the database entries' pg_dump and pg_dumpall run at once: whichever times out first reports it
        assertThat(e.getMessage()).contains("was killed after its timeout");
        assertThat(ctx.committedStreams()).isEmpty();
    }

    @Test
    void restoreIntoAnotherTargetTypeIsInvalidConfiguration() {
        PostgresSource source = pg.source("payments").build();
        BackupException e = catchThrowableOfType(BackupException.class,
                () -> source.restore(context(tmp, "x").restoreContext(), () -> "somewhere else"));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
    }

    private static String stackText(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
