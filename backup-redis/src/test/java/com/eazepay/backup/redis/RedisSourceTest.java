package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.redis.internal.RdbReader;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.CuttingProxy;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backups and restores against real Redis servers on loopback: Debian redis-server 7.0 and the embedded 6.2. */
class RedisSourceTest {

    @TempDir
    static Path tmp;

    static TestRedis diskless;
    static TestRedis diskBased;
    static Map<String, String> expected;

    @BeforeAll
    static void startServers() {
        diskless = TestRedis.debian(tmp.resolve("diskless"), "repl-diskless-sync yes");
        diskBased = TestRedis.debian(tmp.resolve("disk"), "repl-diskless-sync no");
        Dataset.fill(diskless);
        Dataset.fill(diskBased);
        expected = Dataset.snapshot(diskless);
        Dataset.assertSame(Dataset.snapshot(diskBased), expected);
    }

    @AfterAll
    static void stopServers() {
        diskless.close();
        diskBased.close();
    }

    static RedisSource source(TestRedis r) {
        return RedisSource.builder().host("127.0.0.1").port(r.port).build();
    }

    static DirectoryBackupContext backup(RedisSource source, Path dir) {
        DirectoryBackupContext ctx = DirectoryBackupContext.in(dir);
        source.backup(ctx);
        return ctx;
    }

    @Test
    void capturesDisklessEofFramedRdbWithFactsAndRedisCheckRdbAcceptsIt(@TempDir Path dir) throws Exception {
        DirectoryBackupContext ctx = backup(source(diskless), dir);

        assertThat(ctx.facts()).containsEntry("rdbVersion", 10).containsEntry("pointInTime", true)
                .containsEntry("format", "rdb").containsEntry("expiringKeys", 12L)
                .containsEntry("keys", Map.of("db0", 28L, "db1", 100L, "db3", 2L));
        assertThat((String) ctx.facts().get("redisVersion")).startsWith("7.0");
        assertThat(ctx.consistentAt()).isNotNull();
        byte[] head = new byte[9];
        try (InputStream in = Files.newInputStream(ctx.streamFile(RedisSource.STREAM))) {
            assertThat(in.readNBytes(head, 0, 9)).isEqualTo(9);
        }
        assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("REDIS0010");
        assertRedisCheckRdbAccepts(ctx.streamFile(RedisSource.STREAM));
    }

    @Test
    void capturesLengthFramedRdbFromDiskBasedSync(@TempDir Path dir) throws Exception {
        DirectoryBackupContext ctx = backup(source(diskBased), dir);

        assertThat(ctx.facts()).containsEntry("keys", Map.of("db0", 28L, "db1", 100L, "db3", 2L));
        assertRedisCheckRdbAccepts(ctx.streamFile(RedisSource.STREAM));
    }

    @Test
    void captureHoldsTheSameKeysAsRedisCliRdb(@TempDir Path dir) throws Exception {
        DirectoryBackupContext ctx = backup(source(diskless), dir);
        Path cli = dir.resolve("cli.rdb");
        Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(diskless.port), "--rdb", cli.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();

        assertThat(keysOf(ctx.streamFile(RedisSource.STREAM))).isEqualTo(keysOf(cli)).hasSize(130);
    }

    @Test
    void roundTripIntoASecondLiveServerRestoresEveryValueAndTtl(@TempDir Path dir) {
        DirectoryBackupContext ctx = backup(source(diskless), dir.resolve("b"));
        try (TestRedis target = TestRedis.debian(dir.resolve("target"))) {
            RestoreOutcome out = source(diskless)
                    .restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port));

            Dataset.assertSame(Dataset.snapshot(target), expected);
            assertThat(out.checks()).extracting(CheckResult::name).containsExactly("keys db0", "keys db1", "keys db3");
            assertThat(out.checks()).allMatch(CheckResult::passed);
        }
    }

    @Test
    void restoreIntoAnRdbFileThatAFreshServerLoads(@TempDir Path dir) {
        DirectoryBackupContext ctx = backup(source(diskBased), dir.resolve("b"));
        Path data = dir.resolve("fresh");
        RestoreOutcome out = source(diskBased).restore(ctx.restoreContext(), RedisTarget.rdbFile(data.resolve("dump.rdb")));
        assertThat(out.checks()).allMatch(CheckResult::passed);

        try (TestRedis fresh = TestRedis.debian(data)) {
            Dataset.assertSame(Dataset.snapshot(fresh), expected);
        }
    }

    @Test
    void rdbFileTargetRefusesToOverwriteAnExistingFileUnlessTold(@TempDir Path dir) throws IOException {
        DirectoryBackupContext ctx = backup(source(diskless), dir.resolve("b"));
        Path existing = Files.writeString(dir.resolve("dump.rdb"), "precious");

        assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.rdbFile(existing)))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                .hasMessageContaining("replaceExisting()");
        assertThat(Files.readString(existing)).isEqualTo("precious");

        source(diskless).restore(ctx.restoreContext(), RedisTarget.rdbFile(existing).replaceExisting());
        assertThat(Files.size(existing)).isEqualTo(Files.size(ctx.streamFile(RedisSource.STREAM)));
    }

    @Test
    void restoreRefusesANonEmptyTargetDatabaseUnlessReplaceExisting(@TempDir Path dir) {
        DirectoryBackupContext ctx = backup(source(diskless), dir.resolve("b"));
        try (TestRedis target = TestRedis.debian(dir.resolve("target"))) {
            target.call("SET", "str:small", "old");

            assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port)))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("db0").hasMessageContaining("replaceExisting()");
            assertThat(target.call("DBSIZE")).isEqualTo(1L);

            RestoreOutcome out = source(diskless).restore(ctx.restoreContext(),
                    RedisTarget.server("127.0.0.1", target.port).replaceExisting());
            Dataset.assertSame(Dataset.snapshot(target), expected);
            assertThat(out.checks()).allMatch(CheckResult::passed);
        }
    }

    @Test
    void keyDumpModeRoundTripsWithoutReplication(@TempDir Path dir) {
        RedisSource source = RedisSource.builder().host("127.0.0.1").port(diskless.port).mode(RedisSource.Mode.KEY_DUMP)
                .scanCount(7).build();
        DirectoryBackupContext ctx = backup(source, dir.resolve("b"));
        assertThat(ctx.streamFile(RedisSource.STREAM).getFileName().toString()).isEqualTo("dump.redisdump");
        assertThat(ctx.facts()).containsEntry("pointInTime", false).containsEntry("format", "redisdump")
                .containsEntry("keys", Map.of("db0", 28L, "db1", 100L, "db3", 2L)).containsEntry("rdbVersion", 10);

        try (TestRedis target = TestRedis.debian(dir.resolve("target"))) {
            RestoreOutcome out = source.restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port));
            Dataset.assertSame(Dataset.snapshot(target), expected);
            assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
        }
    }

    @Test
    void keyDumpBackupIsWrittenAsAnRdbFileThatRedisCheckRdbAndAFreshServerAccept(@TempDir Path dir) throws Exception {
        RedisSource source = RedisSource.builder().host("127.0.0.1").port(diskBased.port).mode(RedisSource.Mode.KEY_DUMP).build();
        DirectoryBackupContext ctx = backup(source, dir.resolve("b"));
        Path data = dir.resolve("fresh");
        RestoreOutcome out = source.restore(ctx.restoreContext(), RedisTarget.rdbFile(data.resolve("dump.rdb")));
        assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
        assertRedisCheckRdbAccepts(data.resolve("dump.rdb"));
        try (TestRedis fresh = TestRedis.debian(data)) {
            Dataset.assertSame(Dataset.snapshot(fresh), expected);
        }
    }

    @Test
    void backupFromRedis62RestoresInto62And70(@TempDir Path dir) {
        try (TestRedis old = TestRedis.embedded62(dir.resolve("old"));
             TestRedis old2 = TestRedis.embedded62(dir.resolve("old2"));
             TestRedis target = TestRedis.debian(dir.resolve("target"))) {
            Dataset.fill(old);
            Map<String, String> before = Dataset.snapshot(old);
            DirectoryBackupContext ctx = backup(source(old), dir.resolve("b"));
            assertThat(ctx.facts()).containsEntry("rdbVersion", 9).containsEntry("keys", Map.of("db0", 28L, "db1", 100L, "db3", 2L));
            assertThat((String) ctx.facts().get("redisVersion")).startsWith("6.2");

            source(old).restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", old2.port));
            Dataset.assertSame(Dataset.snapshot(old2), before);

            // 7.0 reads RDB 9; its XINFO shows stream fields 6.2 does not have, so compare all but streams
            RestoreOutcome out = source(old).restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port));
            assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
            Map<String, String> restored = new java.util.TreeMap<>(Dataset.snapshot(target));
            Map<String, String> expectedNoStream = new java.util.TreeMap<>(before);
            restored.keySet().removeIf(k -> k.startsWith("0/stream:"));
            expectedNoStream.keySet().removeIf(k -> k.startsWith("0/stream:"));
            Dataset.assertSame(restored, expectedNoStream);
        }
    }

    @Test
    void restoreOfA70BackupIntoRedis62IsRefusedAsVersionMismatch(@TempDir Path dir) {
        DirectoryBackupContext ctx = backup(source(diskless), dir.resolve("b"));
        try (TestRedis old = TestRedis.embedded62(dir.resolve("old"))) {
            assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", old.port)))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.VERSION_MISMATCH))
                    .hasMessageContaining("RDB version 10").hasMessageContaining("up to 9");
            assertThat(old.call("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void replicationDisabledFailsPointingAtKeyDumpMode(@TempDir Path dir) {
        try (TestRedis managed = TestRedis.debian(dir.resolve("managed"), "rename-command SYNC \"\"", "rename-command PSYNC \"\"")) {
            managed.call("SET", "k", "v");
            assertThatThrownBy(() -> backup(source(managed), dir.resolve("b")))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED))
                    .hasMessageContaining("Mode.KEY_DUMP").hasMessageContaining("unknown command");

            DirectoryBackupContext ctx = backup(RedisSource.builder().host("127.0.0.1").port(managed.port)
                    .mode(RedisSource.Mode.KEY_DUMP).build(), dir.resolve("b2"));
            assertThat(ctx.facts()).containsEntry("keys", Map.of("db0", 1L));
        }
    }

    @Test
    void corruptedRdbFailsWithTheOffset(@TempDir Path dir) throws IOException {
        DirectoryBackupContext ctx = backup(source(diskless), dir.resolve("b"));
        byte[] rdb = Files.readAllBytes(ctx.streamFile(RedisSource.STREAM));
        int at = rdb.length / 2;
        // flip a byte inside a value payload: the structure may survive, the CRC-64 cannot
        byte[] flipped = rdb.clone();
        flipped[at] ^= 0x01;
        Files.write(ctx.streamFile(RedisSource.STREAM), flipped);

        assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.rdbFile(dir.resolve("out.rdb"))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode())
                        .isIn(CoreErrorCode.CHECKSUM_MISMATCH, CoreErrorCode.CORRUPT_DATA))
                .hasMessageContaining("offset");
        assertThat(dir.resolve("out.rdb")).doesNotExist();

        // a flipped checksum byte is reported as CHECKSUM_MISMATCH at the trailer's offset
        byte[] badCrc = rdb.clone();
        badCrc[rdb.length - 1] ^= 0x40;
        Files.write(ctx.streamFile(RedisSource.STREAM), badCrc);
        assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.rdbFile(dir.resolve("out.rdb"))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH))
                .hasMessageContaining("offset " + (rdb.length - 8));

        // truncation is CORRUPT_DATA naming where the data ended
        Files.write(ctx.streamFile(RedisSource.STREAM), java.util.Arrays.copyOf(rdb, 1000));
        assertThatThrownBy(() -> source(diskless).restore(ctx.restoreContext(), RedisTarget.rdbFile(dir.resolve("out.rdb"))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA))
                .hasMessageContaining("offset");
    }

    @Test
    void connectionDroppedMidTransferFailsTheBackup(@TempDir Path dir) throws Exception {
        for (TestRedis server : new TestRedis[]{diskless, diskBased}) {
            try (CuttingProxy proxy = CuttingProxy.cuttingResponses(server.port, 5_000)) {
                RedisSource source = RedisSource.builder().host("127.0.0.1").port(proxy.port()).build();
                assertThatThrownBy(() -> backup(source, dir.resolve("b" + server.port)))
                        .isInstanceOfSatisfying(BackupException.class, e -> {
                            assertThat(e.errorCode()).isIn(CoreErrorCode.SOURCE_UNAVAILABLE, CoreErrorCode.CORRUPT_DATA);
                            assertThat(e.isRetryable()).isEqualTo(e.errorCode() == CoreErrorCode.SOURCE_UNAVAILABLE);
                        })
                        .hasMessageContaining("RDB");
            }
        }
    }

    static Set<String> keysOf(Path rdb) throws IOException {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(rdb))) {
            new RdbReader(in, null, false, rdb.toString()).read(new RdbReader.Visitor() {
                @Override
                public void key(int db, byte[] key, long expireAtMs, byte[] value) {
                    keys.add(db + "/" + new String(key, StandardCharsets.ISO_8859_1));
                }
            });
        }
        return keys;
    }

    static void assertRedisCheckRdbAccepts(Path rdb) throws Exception {
        Process p = new ProcessBuilder("redis-check-rdb", rdb.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("RDB looks OK");
    }
}
