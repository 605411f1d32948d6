package com.eazepay.backup.redis;

import com.eazepay.backup.CheckResult;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures where the master makes the replica wait before the snapshot starts, sending {@code \n}
 * keepalives before {@code +FULLRESYNC}: a stock server (diskless sync with its 5 s delay), a
 * BGSAVE in progress under disk-based sync, and two backups at once.
 */
class SyncWaitTest {

    private static final Map<String, Long> KEYS = Map.of("db0", 28L, "db1", 100L, "db3", 2L);

    static DirectoryBackupContext backup(TestRedis server, Path dir) {
        DirectoryBackupContext ctx = DirectoryBackupContext.in(dir);
        RedisSource.builder().host("127.0.0.1").port(server.port).build().backup(ctx);
        return ctx;
    }

    @Test
    void backupAndRestoreSucceedAgainstAServerOnDefaultSettings(@TempDir Path dir) throws Exception {
        try (TestRedis stock = TestRedis.debianDefaults(dir.resolve("stock"));
             TestRedis target = TestRedis.debianDefaults(dir.resolve("target"))) {
            assertThat(info(stock, "repl-diskless-sync")).isEqualTo("yes");
            assertThat(info(stock, "repl-diskless-sync-delay")).isEqualTo("5");
            Dataset.fill(stock);
            Map<String, String> expected = Dataset.snapshot(stock);

            DirectoryBackupContext ctx = backup(stock, dir.resolve("b"));

            assertThat(ctx.facts()).containsEntry("keys", KEYS).containsEntry("pointInTime", true);
            RedisSourceTest.assertRedisCheckRdbAccepts(ctx.streamFile(RedisSource.STREAM));
            RestoreOutcome out = RedisSource.builder().host("127.0.0.1").port(stock.port).build()
                    .restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port));
            assertThat(out.checks()).hasSize(3).allMatch(CheckResult::passed);
            Dataset.assertSame(Dataset.snapshot(target), expected);
        }
    }

    @Test
    void backupWaitsForABgsaveInProgressUnderDiskBasedSync(@TempDir Path dir) throws Exception {
        // rdb-key-save-delay (µs per key, a test setting of redis-server) keeps each BGSAVE of the
        // 130 keys running for ~2.6 s: longer than the master's 1 s keepalive interval
        try (TestRedis server = TestRedis.debian(dir.resolve("disk"), "repl-diskless-sync no", "rdb-key-save-delay 20000")) {
            Dataset.fill(server);
            assertThat(server.call("BGSAVE")).isEqualTo("Background saving started");
            assertThat(info(server, "rdb_bgsave_in_progress")).isEqualTo("1");

            DirectoryBackupContext ctx = backup(server, dir.resolve("b"));

            assertThat(ctx.facts()).containsEntry("keys", KEYS);
            RedisSourceTest.assertRedisCheckRdbAccepts(ctx.streamFile(RedisSource.STREAM));
        }
    }

    @Test
    void twoConcurrentBackupsBothSucceed(@TempDir Path dir) throws Exception {
        // delay 0: the first backup's snapshot starts at once and runs ~2.6 s; the second replica
        // attaches meanwhile and waits for the next snapshot, receiving keepalives
        try (TestRedis server = TestRedis.debian(dir.resolve("d"), "repl-diskless-sync yes", "rdb-key-save-delay 20000")) {
            Dataset.fill(server);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CompletableFuture<DirectoryBackupContext> first = CompletableFuture.supplyAsync(() -> backup(server, dir.resolve("b1")), pool);
                CompletableFuture<DirectoryBackupContext> second = CompletableFuture.supplyAsync(() -> backup(server, dir.resolve("b2")), pool);

                assertThat(first.get(2, TimeUnit.MINUTES).facts()).containsEntry("keys", KEYS);
                assertThat(second.get(2, TimeUnit.MINUTES).facts()).containsEntry("keys", KEYS);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aServerReplyThatIsNotRespFailsAsNotRetryable(@TempDir Path dir) throws Exception {
        // a misbehaving server cannot be made from a real redis-server: a loopback socket that
        // answers every command with bytes that are not RESP
        try (java.net.ServerSocket fake = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (java.net.Socket s = fake.accept()) {
                    s.getInputStream().read(new byte[256]);
                    s.getOutputStream().write("\u0001garbage\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read(new byte[256]); // until the client hangs up
                } catch (java.io.IOException ignored) {
                    // the client closed the connection
                }
            }, "fake-server");
            t.setDaemon(true);
            t.start();
            RedisSource source = RedisSource.builder().host("127.0.0.1").port(fake.getLocalPort()).build();

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.backup(DirectoryBackupContext.in(dir)))
                    .isInstanceOfSatisfying(com.eazepay.backup.BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(com.eazepay.backup.CoreErrorCode.SOURCE_FAILED);
                        assertThat(e.isRetryable()).isFalse();
                    })
                    .hasMessageContaining("protocol error").hasMessageContaining("0x1");
            t.join(10_000);
        }
    }

    static String info(TestRedis server, String field) {
        Object reply = field.startsWith("repl-") ? server.call("CONFIG", "GET", field) : server.call("INFO", "persistence");
        if (reply instanceof java.util.List<?> l) {
            return new String((byte[]) l.get(1), StandardCharsets.UTF_8);
        }
        for (String line : new String((byte[]) reply, StandardCharsets.UTF_8).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }
}
