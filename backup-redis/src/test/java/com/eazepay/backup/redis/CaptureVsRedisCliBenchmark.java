package com.eazepay.backup.redis;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.Compression;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Side by side in one run: {@code redis-cli --rdb file} against a full engine backup (RedisSource →
 * zstd → age → SHA-256 → filesystem) of the same ~300 MB dataset of payment-like JSON values.
 * Numbers go to {@code target/redis-measurements.txt}; nothing is asserted about speed. Slow: run
 * with {@code -Pslow}.
 */
@Tag("slow")
class CaptureVsRedisCliBenchmark {

    @TempDir
    Path tmp;

    @Test
    void captureWithZstdAndAgeSideBySideWithRedisCliRdb() throws Exception {
        int keys = 500_000;
        try (TestRedis server = TestRedis.debian(tmp.resolve("server"), "repl-diskless-sync yes")) {
            long payload = fill(server, keys);
            AgeKeys age = AgeKeys.generate();
            StringBuilder report = new StringBuilder(String.format("%ncapture vs redis-cli --rdb, %d keys, %.0f MB of JSON values,"
                    + " diskless sync, rdbcompression yes, %d cores%n", keys, payload / 1e6, Runtime.getRuntime().availableProcessors()));
            for (int round = 1; round <= 3; round++) {
                Path cliFile = tmp.resolve("cli-" + round + ".rdb");
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(server.port), "--rdb",
                        cliFile.toString()).redirectErrorStream(true).start();
                p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
                assertThat(p.exitValue()).isZero();
                double cli = (System.nanoTime() - t0) / 1e9;
                long rdb = Files.size(cliFile);
                report.append(String.format("round %d: redis-cli --rdb to a file: %.1f s (%.0f MB/s), RDB %.0f MB%n",
                        round, cli, rdb / 1e6 / cli, rdb / 1e6));
                Files.delete(cliFile);
                for (int level : new int[]{3, 1}) {
                    Compression c = Compression.zstd(level);
                    Path repo = tmp.resolve("repo-" + round + "-" + level);
                    try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(c)
                            .encryption(AgeEncryption.toRecipients(age.recipient().encoded()))
                            .source(RedisSource.builder().name("cache").host("127.0.0.1").port(server.port).build()).build()) {
                        long t1 = System.nanoTime();
                        BackupResult r = engine.backup("cache").run();
                        double ours = (System.nanoTime() - t1) / 1e9;
                        long stored = r.manifest().stream("dump").orElseThrow().storedSize();
                        report.append(String.format("round %d: RedisSource + zstd %d + age to filesystem: %.1f s (%.0f MB/s of RDB), stored %.0f MB%n",
                                round, level, ours, rdb / 1e6 / ours, stored / 1e6));
                    }
                    deleteTree(repo);
                }
            }
            Path out = Path.of("target", "redis-measurements.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Payment-like JSON documents, ~1 kB each, with random ids and amounts; returns the value bytes written. */
    private static long fill(TestRedis server, int keys) throws Exception {
        Random rnd = new Random(7);
        String[] currencies = {"EUR", "USD", "GBP", "CHF", "SEK"};
        String[] states = {"authorized", "captured", "settled", "refunded", "failed"};
        long total = 0;
        try (RespConnection c = server.connect()) {
            for (int i = 0; i < keys; i++) {
                StringBuilder v = new StringBuilder(1100);
                v.append("{\"id\":\"pay_").append(Long.toHexString(rnd.nextLong())).append(Long.toHexString(rnd.nextLong()))
                        .append("\",\"merchant\":\"m_").append(rnd.nextInt(5000)).append("\",\"amount\":").append(rnd.nextInt(1_000_000))
                        .append(",\"currency\":\"").append(currencies[rnd.nextInt(5)]).append("\",\"status\":\"")
                        .append(states[rnd.nextInt(5)]).append("\",\"created\":").append(1_700_000_000_000L + rnd.nextInt(1 << 30))
                        .append(",\"card\":{\"bin\":\"").append(400000 + rnd.nextInt(99999)).append("\",\"last4\":\"")
                        .append(1000 + rnd.nextInt(9000)).append("\",\"fingerprint\":\"").append(Long.toHexString(rnd.nextLong()))
                        .append("\"},\"events\":[");
                for (int e = 0; e < 6; e++) {
                    v.append(e == 0 ? "" : ",").append("{\"type\":\"").append(states[rnd.nextInt(5)]).append("\",\"at\":")
                            .append(1_700_000_000_000L + rnd.nextInt(1 << 30)).append(",\"ref\":\"")
                            .append(Long.toHexString(rnd.nextLong())).append("\",\"note\":\"ok\"}");
                }
                v.append("],\"metadata\":{\"order\":\"ord_").append(rnd.nextInt(Integer.MAX_VALUE))
                        .append("\",\"customer\":\"cus_").append(Long.toHexString(rnd.nextLong())).append("\"}}");
                byte[] b = v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                total += b.length;
                c.send("SET", "payment:" + i, b);
                if (i % 1000 == 999) {
                    c.flush();
                    for (int k = 0; k < 1000; k++) {
                        assertThat(c.read()).isEqualTo("OK");
                    }
                }
            }
            c.flush();
            for (int k = 0; k < keys % 1000; k++) {
                assertThat(c.read()).isEqualTo("OK");
            }
        }
        return total;
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
