package com.eazepay.backup.redis;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.redis.internal.ScratchRedisServer;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.ScratchTargets;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code engine.verify("cache").restoreTest()} of a Redis source with the Debian {@code redis-server} installed: the
 * restored RDB is loaded by a child server whose key counts are checked, and the server and its directory are gone
 * afterwards, also when it fails and after a crash.
 */
class RedisRestoreTestTest {

    @TempDir
    Path tmp;

    /** Live child processes (Debian's redis-server runs as redis-check-rdb under another name: not matched by name). */
    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private BackupEngine engine(FileSystemStorage storage, TestRedis source, Path redisServer) {
        return Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(com.eazepay.backup.spi.Encryption.none()).allowUnencryptedSensitiveData()
                .source(RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).redisServer(redisServer).build())
                .build();
    }

    @Test
    void aRestoreTestLoadsTheRdbIntoAChildRedisServerChecksItsKeyCountsThenStopsItAndDeletesTheDirectory() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo"));
        try (TestRedis source = TestRedis.debianDefaults(tmp.resolve("source"))) {
            for (int i = 0; i < 40; i++) {
                source.call("SET", "session:" + i, "v" + i);
            }
            try (var c = source.connect()) {
                c.call("SELECT", "3");
                for (int i = 0; i < 7; i++) {
                    c.call("SET", "rate:" + i, "1", "EX", "3600");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Set<Long> before = children();
            try (BackupEngine engine = engine(storage, source, TestRedis.DEBIAN)) {
                engine.backup("cache").run();

                RestoreTestReport report = engine.verify("cache").restoreTest().latest().run().orThrow();

                assertThat(report.checks()).filteredOn(c -> c.name().endsWith("loaded")).extracting(CheckResult::name)
                        .containsExactly("keys db0 loaded", "keys db3 loaded");
                assertThat(report.checks()).allMatch(CheckResult::passed);
                assertThat(report.checks()).filteredOn(c -> c.name().equals("keys db0 loaded")).first()
                        .satisfies(c -> assertThat(c.detail()).contains("found 40 in redis-server 7."));
                assertThat(report.checks()).filteredOn(c -> c.name().equals("keys db3 loaded")).first()
                        .satisfies(c -> assertThat(c.detail()).contains("found 7 in redis-server 7."));
                assertThat(report.scratch()).contains("loaded by redis-server 7.").contains("stopped");
                assertThat(report.stages()).containsKeys("restore", "checks", "cleanup");
                assertThat(report.dropped()).isTrue();
                assertThat(ScratchTargets.directory(report.testId())).doesNotExist();
                assertThat(children()).isEqualTo(before);
                assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            }
        }
    }

    @Test
    void aScratchServerThatCannotLoadFailsTheRestoreTestAndTheDirectoryIsStillDeleted() throws Exception {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo-fail"));
        // a "redis-server" that exits at once, as one that cannot read the RDB does
        Path broken = tmp.resolve("broken-redis-server");
        Files.writeString(broken, "#!/bin/sh\necho 'Fatal error loading the DB: Invalid argument. Exiting.'\nexit 1\n");
        broken.toFile().setExecutable(true);
        try (TestRedis source = TestRedis.debian(tmp.resolve("source-fail"))) {
            source.call("SET", "k", "v");
            try (BackupEngine engine = engine(storage, source, broken)) {
                engine.backup("cache").run();

                RestoreTestReport report = engine.verify("cache").restoreTest().latest().run();

                assertThat(report.passed()).isFalse();
                assertThat(report.failure()).contains("SOURCE_FAILED").contains("exited with status 1")
                        .contains("Fatal error loading the DB");
                assertThat(report.dropped()).isTrue();
                assertThat(ScratchTargets.directory(report.testId())).doesNotExist();
                assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            }
        }
    }

    @Test
    void aScratchRedisServerLeftByAKilledJvmIsStoppedAndItsDirectoryDeletedAtTheNextStart() throws Exception {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo-crash"));
        String testId = "20260101t000000_rdsk";
        Path dir = ScratchTargets.directory(testId);
        // what a JVM killed during the checks leaves: the journal, the scratch directory and its running server
        Files.createDirectories(dir);
        Process orphan = new ProcessBuilder(TestRedis.DEBIAN.toString(), "--bind", "127.0.0.1", "--port",
                Integer.toString(TestRedis.freePort()), "--dir", dir.toString(), "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve(ScratchRedisServer.LOG_FILE).toFile()).start();
        Files.writeString(dir.resolve(ScratchRedisServer.PID_FILE), orphan.pid() + "\n");
        byte[] journal = ("{\"source\":\"cache\",\"sourceType\":\"redis\",\"testId\":\"" + testId + "\",\"backupId\":\"x\","
                + "\"resource\":\"" + dir + "\",\"at\":\"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
        storage.put("locks/cleanup/cache/" + testId + ".json", new ByteArrayInputStream(journal),
                PutOptions.defaults().withContentLength(journal.length));
        try (TestRedis source = TestRedis.debian(tmp.resolve("source-crash"));
             BackupEngine engine = engine(storage, source, TestRedis.DEBIAN)) {
            assertThat(orphan.isAlive()).isTrue();

            assertThat(engine.list("cache")).isEmpty(); // the first operation replays the journal

            assertThat(orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(dir).doesNotExist();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
        } finally {
            orphan.destroyForcibly();
        }
    }

    @Test
    void theScratchServerRefusesClientsWithoutItsRandomPasswordAndIsGoneAfterClose() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("scratch"));
        long pid;
        int port;
        try (ScratchRedisServer server = ScratchRedisServer.start(TestRedis.DEBIAN, dir, "dump.rdb",
                java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(10))) {
            assertThat(server.keyspace()).isEmpty(); // no dump.rdb: an empty server, reached with its password
            pid = Long.parseLong(Files.readString(dir.resolve(ScratchRedisServer.PID_FILE)).trim());
            port = Integer.parseInt(server.describe().replaceAll(".*:", ""));
            try (var c = com.eazepay.backup.redis.internal.RespConnection.open("127.0.0.1", port, null,
                    java.time.Duration.ofSeconds(5))) {
                assertThat(c.call("PING")).isInstanceOfSatisfying(
                        com.eazepay.backup.redis.internal.RespConnection.RespError.class,
                        e -> assertThat(e.kind()).isEqualTo("NOAUTH"));
            }
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir.resolve(ScratchRedisServer.PID_FILE)).doesNotExist();
    }

    @Test
    void withoutARedisServerTheRdbFileCheckStandsAloneAndTheOutcomeSaysItWasNotLoaded() {
        try (TestRedis source = TestRedis.debian(tmp.resolve("source-none"))) {
            source.call("SET", "k", "v");
            RedisSource redis = RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).build();
            var backup = RedisSourceTest.backup(redis, tmp.resolve("b"));
            Path rdb = tmp.resolve("scratch-none").resolve("dump.rdb");

            var out = com.eazepay.backup.redis.internal.RedisRestore.restoreAndLoad(backup.restoreContext(),
                    RedisTarget.rdbFile(rdb).spec(), null, java.time.Duration.ofSeconds(10));

            assertThat(out.location()).isEqualTo(rdb + " (RDB file checked; not loaded: no redis-server)");
            assertThat(out.facts().get("note")).asString().contains("not loaded into a redis-server");
            assertThat(out.checks()).extracting(CheckResult::name).containsExactly("keys db0");
            assertThat(out.checks()).allMatch(CheckResult::passed);
            assertThat(rdb).isRegularFile();
            assertThat(rdb.getParent().resolve(ScratchRedisServer.PID_FILE)).doesNotExist();
        }
    }
}
