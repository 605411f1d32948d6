package com.eazepay.backup.postgres;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.storage.FileSystemStorage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The set-up the point-in-time recovery tests share: a Debian PostgreSQL 15 primary with a database {@code shop} and a
 * table {@code orders}, a work directory owned by {@code postgres}, a filesystem repository, an age key, the
 * {@link WalArchive} {@code wal/postgres/} and a managed {@link WalReceiver} streaming into it. Skips the test class
 * (an assumption) without the server binaries or root.
 */
final class PitrCluster implements AutoCloseable {

    final DebianCluster primary;
    final Path work;
    final FileSystemStorage repo;
    final AgeKeys keys;
    final AgeEncryption age;
    final WalArchive archive;
    WalReceiver receiver;

    private PitrCluster(DebianCluster primary, Path work) throws Exception {
        this.primary = primary;
        this.work = work;
        DebianCluster.run("chown", "postgres", work.toString());
        repo = FileSystemStorage.at(Files.createDirectories(work.resolve("repo")));
        keys = AgeKeys.generate();
        age = AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
        archive = WalArchive.builder().repository(repo).source("postgres").encryption(age).tempDirectory(work).build();
    }

    /** Starts the primary, creates {@code shop.orders} and starts the receiver; call from {@code @BeforeAll}. */
    static PitrCluster start(String name) throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (runuser)");
        DebianCluster primary = DebianCluster.initdb();
        PitrCluster c;
        try {
            c = new PitrCluster(primary, Files.createTempDirectory(name + "-"));
        } catch (Exception | Error e) {
            primary.close();
            throw e;
        }
        try {
            primary.exec("postgres", "CREATE DATABASE shop");
            primary.exec("shop", "CREATE TABLE orders (id int PRIMARY KEY, note text)");
            c.startReceiver();
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * A {@code postgres-base} source of the primary, archiving into {@code wal/postgres/}, its restore tests and drills
     * recovering under {@link #scratch()}.
     */
    PostgresBaseBackupSource.Builder baseSource() {
        return PostgresBaseBackupSource.builder().name("postgres-base").walSource("postgres").host("127.0.0.1")
                .port(primary.port).scratchDirectory(scratch());
    }

    /** Where {@link #baseSource()}'s restore tests and drills recover ({@code work/scratch}, made by the first). */
    Path scratch() {
        return work.resolve("scratch");
    }

    /** An engine on the repository with the age key and {@link #baseSource()} (add retention etc., then build). */
    com.eazepay.backup.BackupEngineBuilder engine() {
        return com.eazepay.backup.Backup.engine().repository(repo).encryption(age).source(baseSource().build());
    }

    /** A base backup taken by an engine on the repository whose clock reads {@code ago} behind the wall clock. */
    com.eazepay.backup.Manifest baseBackupTaken(java.time.Duration ago) {
        try (com.eazepay.backup.BackupEngine behind = engine()
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), ago.negated())).build()) {
            return behind.backup("postgres-base").run().manifest();
        }
    }

    /** For {@code @AfterAll}: closes {@code engine}, then {@code cluster} (either may be null: a skipped or failed start). */
    static void close(com.eazepay.backup.BackupEngine engine, PitrCluster cluster) throws Exception {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** (Re)starts the receiver on the primary with the spool {@code work/spool}. */
    void startReceiver() {
        receiver = WalReceiver.builder().host("127.0.0.1").port(primary.port).spool(work.resolve("spool"))
                .archive(archive).build().start();
    }

    /** Switches to a new WAL segment and returns once the receiver has archived the one just completed. */
    String switchAndArchive() throws Exception {
        String done = primary.query("postgres", "select pg_walfile_name(pg_switch_wal())").get(0);
        waitFor(() -> archive.segment(done).isPresent(), "segment " + done + " archived");
        return done;
    }

    /** Sweeps the receiver until {@code condition} holds. */
    void waitFor(BooleanSupplier condition, String what) throws Exception {
        // a real server and a real child process: bounded polling, no fixed sleeps
        for (int i = 0; i < 600; i++) {
            receiver.sweep();
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; receiver: " + receiver.lastError().orElse("no error"));
    }

    /** The primary's clock_timestamp(), to the microsecond. */
    Instant serverNow() throws Exception {
        return serverNow(primary);
    }

    static Instant serverNow(DebianCluster server) throws Exception {
        return Instant.parse(server.query("postgres", "select to_char(clock_timestamp() at time zone 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')").get(0));
    }

    /** Rows in {@code shop.orders} on the primary. */
    long rows() throws Exception {
        return Long.parseLong(primary.query("shop", "select count(*) from orders").get(0));
    }

    /** A path in the work directory (not created): for restored data directories. */
    Path path(String name) {
        return work.resolve(name);
    }

    @Override
    public void close() throws Exception {
        try {
            if (receiver != null) {
                receiver.close();
            }
        } finally {
            try {
                primary.close();
            } finally {
                DebianCluster.run("rm", "-rf", work.toString());
            }
        }
    }
}
