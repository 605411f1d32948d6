package com.eazepay.backup.examples.postgres;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeIdentity;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.postgres.Check;
import com.eazepay.backup.postgres.PostgresSource;
import com.eazepay.backup.postgres.PostgresTarget;
import com.eazepay.backup.spi.Compression;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * End-to-end demo: starts a throwaway PostgreSQL (embedded binaries; the machine's pg_dump/pg_restore do the
 * dumping), loads a small payments schema, backs it up with zstd + age into {@code ./demo-repository}
 * (identity in {@code ./demo-identity.txt}, reused when present), verifies the backup, restores it into a new
 * database with checks, compares row counts and prints how to restore it with standard tools.
 *
 * <p>The server keeps running after the demo ends (data in {@code ./demo-postgres/data}, log in
 * {@code ./demo-postgres/server.log}) so that the printed standard-tools commands work as printed; the
 * next run stops it, and the summary prints the command that stops it.
 */
public final class PostgresDemo {

    private static final List<String> TABLES = List.of("users", "accounts", "payments");

    private PostgresDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path repository = Path.of("demo-repository").toAbsolutePath();
        Path identityFile = Path.of("demo-identity.txt").toAbsolutePath();
        AgeIdentity identity;
        if (Files.exists(identityFile)) {
            identity = AgeKeys.readIdentityFile(identityFile).get(0);
        } else {
            identity = AgeKeys.generate().identity();
            AgeKeys.writeIdentityFile(identityFile, identity, Clock.systemUTC());
        }

        Path serverDir = Path.of("demo-postgres").toAbsolutePath();
        stopPreviousServer(serverDir);
        Files.createDirectories(serverDir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(serverDir.resolve("data"))
                .setCleanDataDirectory(true)
                // left running on purpose for the standard-tools restore below; its output goes to a file,
                // not to this terminal
                .setRegisterShutdownHook(false)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(serverDir.resolve("server.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(serverDir.resolve("server.log").toFile()))
                .start();
        long serverPid = Long.parseLong(Files.readAllLines(serverDir.resolve("data/postmaster.pid")).get(0).trim());
        {
            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/payments";
            load(pg);
            PostgresSource source = PostgresSource.builder().name("postgres").jdbcUrl(url).user("postgres").build();
            try (BackupEngine engine = Backup.engine()
                    .repository(FileSystemStorage.at(repository))
                    .compression(Compression.zstd())
                    .encryption(AgeEncryption.toRecipients(identity.recipient().encoded()).withIdentities(identity))
                    .source(source)
                    .schedule("postgres", Schedule.cron("0 2 * * *"))          // started with engine.scheduler().start()
                    .objectives(Objectives.rpo(Duration.ofHours(1)))           // a daily dump cannot meet 1 h: a WARN
                    .build()) {

                BackupResult backup = engine.backup("postgres").trigger(Trigger.MANUAL).tag("demo").run();
                com.eazepay.backup.IntegrityReport verified = engine.verify("postgres").id(backup.id()).integrity();
                String restoredDb = "payments_restored_" + backup.id().substring(backup.id().length() - 6)
                        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
                RestoreResult restored = engine.restore("postgres").id(backup.id())
                        .into(PostgresTarget.newDatabase(restoredDb)
                                .check(Check.sql("select count(*) from payments where amount <= 0").exactly(0))
                                .check(Check.sql("select count(*) from users").atLeast(1)))
                        .checked().run();

                System.out.println();
                System.out.println("PostgreSQL demo");
                System.out.println("  backup id        " + backup.id());
                System.out.printf("  dump size        %,d bytes (pg_dump custom format)%n", backup.plaintextBytes());
                System.out.printf("  stored size      %,d bytes (zstd + age) in %s%n", backup.storedBytes(), repository);
                System.out.println("  backup took      " + backup.duration().toMillis() + " ms");
                System.out.println("  integrity        " + (verified.passed() ? "verified (SHA-256, decrypt, decompress, pg_restore --list)" : "FAILED"));
                verified.targets().forEach(t -> t.validation().forEach((stream, checks) -> checks.forEach(c -> System.out.printf(
                        "    %-14s %s: %s%n", stream, c.name(), c.passed() ? c.detail() : "FAILED " + c.detail()))));
                for (String table : TABLES) {
                    long live = count(pg, "payments", table);
                    long back = count(pg, restoredDb, table);
                    System.out.printf("  %-16s %,d rows live, %,d rows restored%n", table, live, back);
                }
                for (CheckResult c : restored.checks()) {
                    System.out.printf("  check %-48s %s (%s)%n", c.name(), c.passed() ? "ok" : "FAILED", c.detail());
                }
                com.eazepay.backup.DrillReport drill = engine.drill().scenario(com.eazepay.backup.Drill.Scenario.CORRUPTION).run();
                for (com.eazepay.backup.DrillReport.SourceResult r : drill.sources()) {
                    System.out.printf("  corruption drill %s: %s, data age %s, time to recover %s, restore + checks %d ms%n", r.source(),
                            r.passed() ? "passed" : "FAILED (" + r.why() + ")", r.dataAge(), r.timeToRecover(), r.restore().toMillis());
                }
                System.out.println("  drill report     " + repository.resolve(drill.reportKeys().get(1)));
                boolean ok = restored.checksPassed() && verified.passed() && drill.passed();
                System.out.println(ok ? "  restore verified into " + restored.location() : "  RESTORE CHECKS FAILED");
                System.out.println();
                System.out.println("Status (engine.status().toTable()):");
                System.out.print(engine.status().toTable());
                Path stored;
                try (Stream<Path> files = Files.walk(repository.resolve("postgres").resolve(backup.id()))) {
                    stored = files.filter(p -> p.getFileName().toString().startsWith("db.pgdump")).findFirst().orElseThrow();
                }
                String byHand = "payments_by_hand";
                String conn = "-h 127.0.0.1 -p " + pg.getPort() + " -U postgres";
                System.out.println();
                System.out.println("Restore with standard tools only (the demo server is still running on port " + pg.getPort() + "):");
                System.out.println("  createdb " + conn + " " + byHand);
                System.out.println("  age -d -i " + identityFile + " " + stored + " | zstd -d | pg_restore " + conn + " -d " + byHand);
                System.out.println("  psql " + conn + " -d " + byHand + " -c 'select count(*) from payments'");
                System.out.println("  kill " + serverPid + "   # stops the demo server (the next demo run stops it too)");
                if (!ok) {
                    System.exit(1);
                }
            }
        }
    }

    /** Stops the server a previous run left running (its data directory is about to be replaced). */
    private static void stopPreviousServer(Path serverDir) throws Exception {
        Path data = serverDir.resolve("data");
        Path pidFile = data.resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            Optional<ProcessHandle> server = ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
            if (server.isPresent()) {
                server.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
                server.get().onExit().get(30, TimeUnit.SECONDS);
            }
        }
        if (Files.exists(data)) {
            try (Stream<Path> paths = Files.walk(data)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void load(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE payments");
        }
        try (Connection c = pg.getDatabase("postgres", "payments").getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE,"
                    + " created_at timestamptz NOT NULL DEFAULT now(), profile jsonb)");
            st.execute("CREATE TABLE accounts (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id),"
                    + " currency char(3) NOT NULL, balance numeric(20,4) NOT NULL DEFAULT 0)");
            st.execute("CREATE TABLE payments (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts(id),"
                    + " amount numeric(20,4) NOT NULL CHECK (amount > 0), status text NOT NULL,"
                    + " created_at timestamptz NOT NULL, metadata jsonb)");
            st.execute("INSERT INTO users (email, profile) SELECT 'user' || i || '@example.com',"
                    + " jsonb_build_object('name', 'User ' || i, 'country', (ARRAY['DE','NG','KE','GB'])[1 + i % 4])"
                    + " FROM generate_series(1, 1000) i");
            st.execute("INSERT INTO accounts (user_id, currency, balance) SELECT 1 + i % 1000,"
                    + " (ARRAY['EUR','NGN','KES','GBP'])[1 + i % 4], round((random() * 10000)::numeric, 4)"
                    + " FROM generate_series(1, 1500) i");
            st.execute("INSERT INTO payments (account_id, amount, status, created_at, metadata) SELECT 1 + i % 1500,"
                    + " round((1 + random() * 500)::numeric, 4), (ARRAY['settled','pending','refunded'])[1 + i % 3],"
                    + " timestamptz '2026-01-01' + i * interval '7 minutes', jsonb_build_object('ref', md5(i::text))"
                    + " FROM generate_series(1, 5000) i");
        }
    }

    private static long count(EmbeddedPostgres pg, String db, String table) throws SQLException {
        try (Connection c = pg.getDatabase("postgres", db).getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
