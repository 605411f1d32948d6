package com.eazepay.backup.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The levels harness at a few MiB with the real tools (Debian PostgreSQL 15 and pg_dump, redis-server,
 * openssl, tar): each input is what its tool writes, and every level round-trips it.
 */
class CompressionLevelsBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void generatedInputsCarryTheirToolsFormatAndSize() throws Exception {
        long size = 3L << 20;
        Path dump = RealisticInputs.postgresDump(dir, size);
        assertThat(head(dump, 5)).isEqualTo("PGDMP");
        assertThat(Files.size(dump)).isGreaterThan(size / 2);

        Path archive = RealisticInputs.mongoArchive(dir, size);
        byte[] magic = Arrays.copyOf(Files.readAllBytes(archive), 4);
        assertThat(magic).containsExactly(0x6d, 0xe2, 0x99, 0x81);
        assertThat(Files.size(archive)).isGreaterThanOrEqualTo(size);

        Path rdb = RealisticInputs.redisRdb(dir, size);
        assertThat(head(rdb, 5)).isEqualTo("REDIS");
        assertThat(Files.size(rdb)).isGreaterThan(size / 4);
        assertThat(dir.resolve("redis")).doesNotExist();

        Path tar = RealisticInputs.configTar(dir);
        byte[] t = Files.readAllBytes(tar);
        assertThat(new String(t, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
        assertThat(new String(t, StandardCharsets.ISO_8859_1)).contains("app-config/certs/api.crt", "etc/");
    }

    @Test
    void everyLevelRoundTripsEveryInputAndPrintsOneRowEach() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        List<CompressionLevelsBenchmark.Result> results = CompressionLevelsBenchmark.run(
                List.of("mongo", "tar"), List.of(1, 3), 2L << 20, 1, dir, false, out);
        assertThat(results).hasSize(4);
        for (CompressionLevelsBenchmark.Result r : results) {
            assertThat(r.ratio()).as("%s level %d", r.input(), r.level()).isBetween(0.01, 0.9);
            assertThat(r.compressCpuNanos()).isPositive();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("| mongo |")
                || l.startsWith("| tar |")).count()).isEqualTo(4);
        assertThat(dir.resolve("payments.archive")).doesNotExist();
    }

    private static String head(Path file, int n) throws Exception {
        return new String(Arrays.copyOf(Files.readAllBytes(file), n), StandardCharsets.US_ASCII);
    }
}
