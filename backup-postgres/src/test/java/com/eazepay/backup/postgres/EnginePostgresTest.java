package com.eazepay.backup.postgres;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** PostgresSource through the engine: zstd + age to a filesystem repository, and back, also with standard tools. */
class EnginePostgresTest {

    static PgServer pg;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE shop");
        pg.exec("shop", "CREATE TABLE orders (id bigserial PRIMARY KEY, amount numeric(12,2), at timestamptz, data jsonb)",
                "INSERT INTO orders (amount, at, data) SELECT i * 1.5, now(), jsonb_build_object('n', i)"
                        + " FROM generate_series(1, 3000) i");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    @Test
    void preDeployBackupIsTaggedEncryptedAndRestoresWithChecksAndWithStandardTools() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path identity = tmp.resolve("identity.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), Clock.systemUTC());
        Path repo = tmp.resolve("repo");
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo))
                .compression(Compression.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(pg.source("shop").build()).build()) {

            BackupResult r = engine.backup("postgres").trigger(Trigger.PRE_DEPLOY).tag("pre-deploy")
                    .label("release", "1.4.2").run();
            RestoreResult rr = engine.restore("postgres").tagged("pre-deploy")
                    .into(PostgresTarget.newDatabase("shop_restored").check(Check.sql("select count(*) from orders").exactly(3000)))
                    .checked().run();

            assertThat(r.manifest().tags()).containsExactly("pre-deploy");
            assertThat(r.manifest().trigger()).isEqualTo("pre-deploy");
            assertThat(r.manifest().labels()).containsEntry("release", "1.4.2");
            assertThat(r.manifest().stream("db")).get().extracting(s -> s.object()).isEqualTo("db.pgdump.zst.age");
            assertThat(rr.checksPassed()).isTrue();
            assertThat(rr.checks()).hasSize(2);
            assertThat(pg.queryLong("shop_restored", "select count(*) from orders")).isEqualTo(3000);

            // the documented disaster path: age | zstd | pg_restore, without this library
            Path stored;
            try (Stream<Path> files = Files.walk(repo)) {
                stored = files.filter(p -> p.getFileName().toString().equals("db.pgdump.zst.age")).findFirst().orElseThrow();
            }
            pg.exec("postgres", "CREATE DATABASE shop_by_hand");
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", "age -d -i \"$1\" \"$2\" | zstd -d | pg_restore --no-password"
                    + " -h 127.0.0.1 -p \"$3\" -U postgres -d shop_by_hand", "restore", identity.toString(), stored.toString(),
                    Integer.toString(pg.port())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(pg.queryLong("shop_by_hand", "select count(*) from orders")).isEqualTo(3000);
        }
    }

    @Test
    void aHostThatKnowsOnlyTheRepositoryRestoresThroughTheProviderIntoTheServerTheTargetNames() {
        Path repo = tmp.resolve("dr-repo");
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(Compression.zstd())
                .encryption(com.eazepay.backup.Codecs.noEncryption()).allowUnencryptedSensitiveData()
                .source(pg.source("shop").build()).build()) {
            engine.backup("postgres").run();
        }
        try (BackupEngine dr = Backup.repository(FileSystemStorage.at(repo)).encryption(com.eazepay.backup.Codecs.noEncryption())
                .build()) {
            assertThat(dr.sourcesInRepository()).containsExactly("postgres");
            BackupException noServer = catchThrowableOfType(() -> dr.restore("postgres").into(PostgresTarget.newDatabase("shop_dr"))
                    .run(), BackupException.class);
            assertThat(noServer.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThat(noServer).hasMessageContaining("must name its server");

            RestoreResult rr = dr.restore("postgres").latest()
                    .into(PostgresTarget.newDatabase("shop_dr").on(pg.jdbcUrl("postgres"), PgServer.USER, PgServer.PASSWORD))
                    .checked().run();
            assertThat(rr.checksPassed()).isTrue();
            assertThat(pg.queryLong("shop_dr", "select count(*) from orders")).isEqualTo(3000);
        }
    }

    @Test
    void pgDumpKilledMidDumpLeavesNoBackupVisible() throws Exception {
        pg.exec("postgres", "CREATE DATABASE big");
        pg.exec("big", "CREATE TABLE blob (id int, v text)",
                // random hex: compresses only ~2:1, so ~6 MB reach the pipeline, far more than its buffers hold
                "INSERT INTO blob SELECT i, md5(random()::text) || md5(random()::text) || md5(random()::text)"
                        + " || md5(random()::text) || md5(random()::text) FROM generate_series(1, 80000) i");
        Path repo = tmp.resolve("repo2");
        StorageTarget killing = new KillPgDumpOnFirstRead(FileSystemStorage.at(repo));
        try (BackupEngine engine = Backup.engine().repository(killing).compression(Compression.zstd(1))
                .encryption(com.eazepay.backup.spi.Encryption.none()).allowUnencryptedSensitiveData()
                .source(pg.source("big").build()).build()) {

            BackupException e = catchThrowableOfType(BackupException.class, () -> engine.backup("postgres").run());

            assertThat(e.getMessage()).contains("pg_dump");
            assertThat(engine.list("postgres")).isEmpty();
            assertThat(engine.latest("postgres")).isEmpty();
        }
        try (Stream<Path> files = Files.walk(repo)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith("manifest") || n.startsWith("db.pgdump"));
        }
    }

    /** Kills the running pg_dump once the first bytes of the dump stream reach the storage. */
    private static final class KillPgDumpOnFirstRead extends ForwardingStorage {
        KillPgDumpOnFirstRead(StorageTarget delegate) {
            super(delegate);
        }

        @Override
        public void put(String key, InputStream data, PutOptions options) {
            InputStream in = !key.contains("db.pgdump") ? data : new FilterInputStream(data) {
                boolean killed;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    // after the first data arrived (the upload starts reading before pg_dump even runs)
                    int n = super.read(b, off, len);
                    if (!killed && n > 0) {
                        killed = true;
                        ProcessHandle.current().descendants()
                                .filter(p -> p.info().command().map(c -> c.endsWith("pg_dump")).orElse(false))
                                .forEach(ProcessHandle::destroyForcibly);
                    }
                    return n;
                }
            };
            delegate.put(key, in, options);
        }
    }
}
