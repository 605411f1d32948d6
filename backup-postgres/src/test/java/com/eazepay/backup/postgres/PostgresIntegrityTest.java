package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.IntegrityReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StreamValidator;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code engine.verify(..).integrity()} on PostgreSQL backups: every target, {@code pg_restore --list} on the plaintext. */
class PostgresIntegrityTest {

    static PgServer pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE integrity");
        pg.exec("integrity", "CREATE TABLE users (id bigserial PRIMARY KEY, name text)",
                "INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, 2000) i");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static AgeEncryption age(AgeKeys keys) {
        return AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
    }

    @Test
    void integrityListsTheArchiveWithPgRestoreOnTheRepositoryAndEveryReplica() {
        AgeKeys keys = AgeKeys.generate();
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(tmp.resolve("repo")))
                .replica(FileSystemStorage.at(tmp.resolve("replica"))).compression(Compression.zstd()).encryption(age(keys))
                .source(pg.source("integrity").build()).build()) {
            engine.backup("postgres").run();

            IntegrityReport report = engine.verify("postgres").integrity().orThrow();

            assertThat(report.targets()).hasSize(2);
            for (IntegrityReport.TargetReport t : report.targets()) {
                assertThat(t.validation().get("db")).singleElement().satisfies(c -> {
                    assertThat(c.name()).isEqualTo("pg_restore --list db");
                    assertThat(c.passed()).isTrue();
                    assertThat(c.detail()).matches("\\d+ table-of-contents entries");
                });
                assertThat(t.validation().get("globals")).isEmpty(); // plain SQL: nothing to list
            }
        }
    }

    @Test
    void aDumpPgRestoreCannotListFailsValidationAlthoughItsSha256Matches() {
        AgeKeys keys = AgeKeys.generate();
        StreamValidator pgValidator = pg.source("integrity").build().validator().orElseThrow();
        // a "postgres" source whose db stream is valid age around valid zstd around garbage
        BackupSource garbage = new BackupSource() {
            @Override
            public String name() {
                return "postgres";
            }

            @Override
            public String type() {
                return "postgres";
            }

            @Override
            public void backup(BackupContext context) {
                byte[] junk = new byte[200_000];
                new Random(42).nextBytes(junk);
                try (OutputStream out = context.newStream("db", "pgdump")) {
                    out.write("PGDMP".getBytes(StandardCharsets.US_ASCII)); // even the magic does not make it an archive
                    out.write(junk);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                throw new UnsupportedOperationException("not restored in this test");
            }

            @Override
            public Optional<StreamValidator> validator() {
                return Optional.of(pgValidator);
            }
        };
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(tmp.resolve("repo")))
                .compression(Compression.zstd()).encryption(age(keys)).source(garbage).build()) {
            BackupResult r = engine.backup("postgres").run();

            assertThat(engine.verify("postgres").run().passed()).as("SHA-256, age and zstd all check out").isTrue();
            IntegrityReport report = engine.verify("postgres").integrity();

            assertThat(report.passed()).isFalse();
            CheckResult listed = report.targets().get(0).validation().get("db").get(0);
            assertThat(listed.passed()).isFalse();
            assertThat(listed.detail()).contains("pg_restore cannot list the archive");
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).contains(r.manifest().id()).contains("matches its SHA-256 but fails format validation");
        }
    }

    @Test
    void aCorruptedObjectOnAReplicaFailsIntegrityNamingTheObjectAndOffset() throws IOException {
        AgeKeys keys = AgeKeys.generate();
        Path replica = tmp.resolve("replica");
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(tmp.resolve("repo")))
                .replica(FileSystemStorage.at(replica)).compression(Compression.zstd()).encryption(age(keys))
                .source(pg.source("integrity").build()).build()) {
            BackupResult r = engine.backup("postgres").run();
            Path stored;
            try (Stream<Path> files = Files.walk(replica)) {
                stored = files.filter(p -> p.getFileName().toString().equals("db.pgdump.zst.age")).findFirst().orElseThrow();
            }
            long size = Files.size(stored);
            try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
                f.seek(size / 2);
                int b = f.read();
                f.seek(size / 2);
                f.write(b ^ 0xff);
            }

            IntegrityReport report = engine.verify("postgres").integrity();

            assertThat(report.targets().get(0).passed()).as("the repository's copy is intact").isTrue();
            assertThat(report.targets().get(1).passed()).isFalse();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH);
            assertThat(e.getMessage()).contains(replica.toString())
                    .contains("postgres/" + r.manifest().id() + "/db.pgdump.zst.age")
                    .contains("at offset " + size / 2);
        }
    }
}
