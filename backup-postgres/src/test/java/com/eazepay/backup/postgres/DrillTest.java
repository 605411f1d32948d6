package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.redis.RedisSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A corruption drill over a real PostgreSQL server, a real redis-server and files, measured with a test clock. */
class DrillTest {

    static PgServer pg;
    static Process redis;
    static int redisPort;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE drill");
        pg.exec("drill", "CREATE TABLE users (id bigserial PRIMARY KEY, name text)",
                "INSERT INTO users (name) SELECT 'user ' || i FROM generate_series(1, 300) i");
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", shared.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(redis.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("Ready to accept connections")) {
            // starting
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe open
                }
            } catch (IOException ignored) {
                // the server stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
        for (int i = 0; i < 50; i++) {
            Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(redisPort), "SET", "session:" + i, "v" + i)
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.destroy();
            redis.waitFor();
        }
        pg.close();
    }

    @Test
    void aCorruptionDrillOverPostgresRedisAndFilesMeasuresDataAgeAndTimeToRecoverOnTheTestClock() throws IOException {
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        AgeKeys keys = AgeKeys.generate();
        TestClock clock = TestClock.at(Instant.now());
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd()).clock(clock)
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(pg.source("drill").build())
                .source(RedisSource.builder().name("cache").host("127.0.0.1").port(redisPort).build())
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            BackupResult db = engine.backup("postgres").run();
            engine.backup("cache").run();
            engine.backup("config").run();
            clock.advance(Duration.ofMinutes(40)); // the disaster strikes 40 minutes after the backups
            Instant drillStart = clock.instant();

            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION)
                    .objectives(Duration.ofHours(1), Duration.ofHours(4)).run().orThrow();

            Map<String, DrillReport.SourceResult> bySource = report.sources().stream()
                    .collect(Collectors.toMap(DrillReport.SourceResult::source, Function.identity()));
            assertThat(bySource).containsOnlyKeys("postgres", "cache", "config");
            assertThat(report.startedAt()).isEqualTo(drillStart);
            // files and redis take their consistent point from the engine clock: exactly 40 minutes old
            assertThat(bySource.get("config").dataAge()).isEqualTo(Duration.ofMinutes(40));
            assertThat(bySource.get("cache").dataAge()).isEqualTo(Duration.ofMinutes(40));
            // PostgreSQL's is the server's snapshot time: data age is drill start minus that point, exactly
            assertThat(bySource.get("postgres").dataAge()).isEqualTo(Duration.between(db.manifest().consistentAt(), drillStart));
            // the test clock did not move during the drill: every recovery took zero engine-clock time
            assertThat(report.sources()).allSatisfy(s -> {
                assertThat(s.recovered()).as(s.why()).isTrue();
                assertThat(s.timeToRecover()).isEqualTo(Duration.ZERO);
                assertThat(s.rpoMet()).isTrue();
                assertThat(s.rtoMet()).isTrue();
                assertThat(s.bytes()).isPositive();
                assertThat(s.restoredInto()).endsWith("(dropped)");
            });
            assertThat(pg.queryLong("postgres", "select count(*) from pg_database where datname like 'restoretest\\_%'")).isZero();
            assertThat(engine.reports()).containsExactlyElementsOf(report.reportKeys());
            String md = new String(storage.get(report.reportKeys().get(1)).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(md).contains("corruption drill").contains("| postgres |").contains("| cache |").contains("PT40M ok");

            // the same backups against a 15-minute RPO: missed, and said so
            DrillReport strict = engine.drill().scenario(Drill.Scenario.CORRUPTION).sources("config")
                    .objectives(Duration.ofMinutes(15), Duration.ofHours(4)).run();
            assertThat(strict.passed()).isFalse();
            assertThat(strict.sources().get(0).why()).contains("exceeds the RPO PT15M");
        }
    }
}
