package com.eazepay.backup.redis;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.ScratchTargets;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * User checks ({@link Check}) of Redis restores, restore tests and drills, against the Debian {@code redis-server}
 * as installed (its shipped defaults for the source): run on the child server that loaded the scratch RDB, or on the
 * live target after the load.
 */
class RedisUserChecksTest {

    @TempDir
    Path tmp;

    private final List<BackupEvent> events = new CopyOnWriteArrayList<>();

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** 40 users, a hash of 3 fields and a counter in db 0, 2 admins in db 2. */
    private static TestRedis seeded(Path dir) {
        TestRedis r = TestRedis.debianDefaults(dir);
        for (int i = 0; i < 40; i++) {
            r.call("SET", "user:" + i, "u" + i);
        }
        r.call("HSET", "config", "a", "1", "b", "2", "c", "3");
        r.call("SET", "counter", "7");
        try (var c = r.connect()) {
            c.call("SELECT", "2");
            c.call("SADD", "admins", "ann", "bob");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return r;
    }

    private BackupEngine engine(Path repo, TestRedis source, Check... restoreTestChecks) {
        return Backup.engine().repository(FileSystemStorage.at(repo)).compression(Compression.zstd())
                .encryption(com.eazepay.backup.spi.Encryption.none()).allowUnencryptedSensitiveData()
                .listener(events::add)
                .source(RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).redisServer(TestRedis.DEBIAN)
                        .restoreTestCheck(restoreTestChecks).build())
                .build();
    }

    @Test
    void aRestoreTestRunsTheSourcesAndTheRequestsUserChecksOnTheChildRedisServer() {
        try (TestRedis source = seeded(tmp.resolve("source"))) {
            Set<Long> before = children();
            try (BackupEngine engine = engine(tmp.resolve("repo"), source, Check.keys("user:*").atLeast(1),
                    Check.command("HLEN", "config").exactly(3))) {
                engine.backup("cache").run();

                RestoreTestReport report = engine.verify("cache").restoreTest().latest()
                        .check(t -> ((RedisTarget) t).check(Check.command("scard", "admins").db(2).exactly(2),
                                Check.command("MEMORY", "USAGE", "config").atLeast(1), Check.command("GET", "counter").exactly(7),
                                Check.command("SMEMBERS", "admins").db(2).exactly(2)))
                        .run().orThrow();

                assertThat(report.checks()).extracting(CheckResult::name).endsWith("keys user:* in db0 >= 1",
                        "HLEN config in db0 = 3", "SCARD admins in db2 = 2", "MEMORY USAGE config in db0 >= 1",
                        "GET counter in db0 = 7", "SMEMBERS admins in db2 = 2");
                assertThat(report.checks()).allMatch(CheckResult::passed);
                assertThat(report.checks()).filteredOn(c -> c.name().startsWith("keys user:*")).first()
                        .satisfies(c -> assertThat(c.detail()).startsWith("expected >= 1, found 40 in redis-server 7."));
                assertThat(report.stages()).containsKeys("restore", "checks", "cleanup");
                assertThat(report.dropped()).isTrue();
                assertThat(ScratchTargets.directory(report.testId())).doesNotExist();
                assertThat(children()).isEqualTo(before);
            }
        }
    }

    @Test
    void aFailingUserCheckFailsTheRestoreTestAndStillStopsTheChildServerAndDeletesItsDirectory() {
        FileSystemStorage storage = FileSystemStorage.at(tmp.resolve("repo-fail"));
        try (TestRedis source = seeded(tmp.resolve("source-fail"))) {
            Set<Long> before = children();
            try (BackupEngine engine = engine(tmp.resolve("repo-fail"), source, Check.keys("customer:*").atLeast(1))) {
                engine.backup("cache").run();

                RestoreTestReport report = engine.verify("cache").restoreTest().latest().run();

                assertThat(report.passed()).isFalse();
                assertThat(report.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name)
                        .containsExactly("keys customer:* in db0 >= 1");
                assertThat(report.checks()).filteredOn(c -> !c.passed()).first()
                        .satisfies(c -> assertThat(c.detail()).startsWith("expected >= 1, found 0 in redis-server 7."));
                assertThatThrownBy(report::orThrow).isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.getMessage()).contains("keys customer:* in db0 >= 1"));
                assertThat(report.dropped()).isTrue();
                assertThat(ScratchTargets.directory(report.testId())).doesNotExist();
                assertThat(children()).isEqualTo(before);
                assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            }
        }
    }

    @Test
    void aDrillRunsTheSourcesRestoreTestChecksAndAFailingOneMeansNotRecovered() {
        try (TestRedis source = seeded(tmp.resolve("source-drill"))) {
            Set<Long> before = children();
            try (BackupEngine engine = engine(tmp.resolve("repo-drill"), source, Check.keys("user:*").exactly(41))) {
                engine.backup("cache").run();

                DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).run();

                DrillReport.SourceResult r = report.sources().get(0);
                assertThat(r.recovered()).isFalse();
                assertThat(r.why()).contains("keys user:* in db0 = 41").contains("found 40");
                assertThat(children()).isEqualTo(before);
            }
        }
    }

    @Test
    void aLiveRestoreWithAFailingCheckReportsItAndNeverReportsSuccess() {
        try (TestRedis source = seeded(tmp.resolve("source-live"));
             TestRedis target = TestRedis.debianDefaults(tmp.resolve("target-live"));
             TestRedis target2 = TestRedis.debianDefaults(tmp.resolve("target-live2"));
             BackupEngine engine = engine(tmp.resolve("repo-live"), source)) {
            engine.backup("cache").run();
            Check tooMany = Check.keys("user:*").atLeast(1000);

            RestoreResult result = engine.restore("cache").latest().into(RedisTarget.server("127.0.0.1", target.port)
                    .check(Check.keys("user:*").atLeast(1), tooMany)).run();

            assertThat(result.checksPassed()).isFalse();
            assertThat(result.checks()).filteredOn(c -> !c.passed()).extracting(CheckResult::name)
                    .containsExactly("keys user:* in db0 >= 1000");
            assertThat(result.checks()).filteredOn(c -> c.name().equals("keys user:* in db0 >= 1")).first()
                    .satisfies(c -> assertThat(c.passed()).isTrue())
                    .satisfies(c -> assertThat(c.detail()).isEqualTo("expected >= 1, found 40 in redis://127.0.0.1:" + target.port));
            assertThat(result.stages()).containsKeys("restore", "checks");
            assertThat(events).filteredOn(e -> e instanceof BackupEvent.RestoreSucceeded).singleElement()
                    .satisfies(e -> assertThat(((BackupEvent.RestoreSucceeded) e).checksPassed()).isFalse());
            assertThatThrownBy(result::orThrow).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED));

            // checked(): the restore itself fails on it
            assertThatThrownBy(() -> engine.restore("cache").latest().into(RedisTarget.server("127.0.0.1", target2.port)
                    .check(tooMany)).checked().run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
                        assertThat(e.getMessage()).contains("keys user:* in db0 >= 1000").contains("found 40");
                    });
        }
    }

    @Test
    void aCheckNeverSendsACommandTheServerDoesNotFlagReadOnly() {
        try (TestRedis source = seeded(tmp.resolve("source-ro"));
             TestRedis target = TestRedis.debianDefaults(tmp.resolve("target-ro"));
             BackupEngine engine = engine(tmp.resolve("repo-ro"), source)) {
            engine.backup("cache").run();

            RestoreResult result = engine.restore("cache").latest().into(RedisTarget.server("127.0.0.1", target.port)
                    .check(Check.command("DEL", "config").exactly(1), Check.command("CONFIG", "SET", "maxmemory", "1").atLeast(0),
                            Check.command("NOSUCHCOMMAND").atLeast(0), Check.command("GET", "config").atLeast(0),
                            Check.command("GET", "missing").atLeast(0))).run();

            List<CheckResult> checks = result.checks().subList(result.checks().size() - 5, result.checks().size());
            assertThat(checks).noneMatch(CheckResult::passed);
            assertThat(checks.get(0).detail()).contains("DEL (write").contains("is not a read-only command");
            assertThat(checks.get(1).detail()).contains("CONFIG").contains("is not a read-only command");
            assertThat(checks.get(2).detail()).contains("does not know the command NOSUCHCOMMAND");
            assertThat(checks.get(3).detail()).contains("the command failed: WRONGTYPE");
            assertThat(checks.get(4).detail()).contains("the reply was nil");
            assertThat(target.call("HLEN", "config")).isEqualTo(3L);
            assertThat(target.call("CONFIG", "GET", "maxmemory")).asList().last()
                    .satisfies(v -> assertThat(new String((byte[]) v)).isEqualTo("0"));
        }
    }

    @Test
    void withoutARedisServerTheUserChecksOfARestoreTestFailAsNotRun() {
        try (TestRedis source = seeded(tmp.resolve("source-none"))) {
            RedisSource redis = RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).build();
            var backup = RedisSourceTest.backup(redis, tmp.resolve("b"));
            Path rdb = tmp.resolve("scratch-none").resolve("dump.rdb");

            RestoreOutcome out = redis.restore(backup.restoreContext(),
                    RedisTarget.scratch(rdb, null, List.of(Check.keys("user:*").atLeast(1))));

            assertThat(out.checks()).extracting(CheckResult::name).containsExactly("keys db0", "keys db2", "keys user:* in db0 >= 1");
            assertThat(out.checks().get(2).passed()).isFalse();
            assertThat(out.checks().get(2).detail()).isEqualTo("expected >= 1, not run: no redis-server loaded the restored RDB"
                    + " (install redis-server or configure RedisSource.builder().redisServer(path))");
        }
    }

    @Test
    void checksAreRefusedWhereTheyCannotRunOrWouldBlockTheServer() {
        assertThatThrownBy(() -> RedisTarget.rdbFile(tmp.resolve("dump.rdb")).check(Check.keys("*").atLeast(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a written RDB file has no server");
        assertThatThrownBy(() -> Check.command("keys", "*")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use Check.keys(pattern)");
        assertThatThrownBy(() -> Check.command("SELECT", "1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(".db(n)");
        assertThatThrownBy(() -> Check.keys("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Check.keys("*").db(-1)).isInstanceOf(IllegalArgumentException.class);
        // checks survive the settings given after them
        RedisTarget t = RedisTarget.server("127.0.0.1", 6379).check(Check.keys("a*").atLeast(1)).timeout(Duration.ofSeconds(5))
                .check(Check.command("DBSIZE").between(1, 9));
        assertThat(t.checks()).extracting(Check::name).containsExactly("keys a* in db0 >= 1", "DBSIZE in db0 between 1 and 9");
    }
}
