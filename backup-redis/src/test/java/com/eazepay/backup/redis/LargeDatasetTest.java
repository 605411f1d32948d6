package com.eazepay.backup.redis;

import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Captures a large dataset in a forked JVM with a small heap: memory stays bounded whatever the
 * dataset size. Throughput (ours vs {@code redis-cli --rdb}) and peak heap are measured and written
 * to {@code target/redis-measurements.txt}, never asserted.
 */
class LargeDatasetTest {

    @TempDir
    Path tmp;

    @Test
    void captures50MbDatasetUnder48MbHeap() throws Exception {
        run(50_000, 1000, "48m");
    }

    @Test
    @Tag("slow")
    void captures1GbDatasetUnder64MbHeap() throws Exception {
        run(1_000_000, 1000, "64m");
    }

    private void run(int keys, int valueSize, String xmx) throws Exception {
        // rdbcompression off: DEBUG POPULATE values compress to nothing otherwise
        try (TestRedis server = TestRedis.debian(tmp.resolve("server"), "rdbcompression no", "enable-debug-command local",
                "repl-diskless-sync yes")) {
            assertThat(server.callSlow("DEBUG", "POPULATE", Integer.toString(keys), "key", Integer.toString(valueSize))).isEqualTo("OK");

            String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + xmx, "-cp", cp, CaptureMain.class.getName(), Integer.toString(server.port), tmp.resolve("out").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            String[] r = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow().split(" ");
            long bytes = Long.parseLong(r[1]);
            assertThat(Long.parseLong(r[2])).isEqualTo(keys);
            assertThat(bytes).isGreaterThan((long) keys * valueSize);
            double secs = Double.parseDouble(r[3]);
            long peakHeap = Long.parseLong(r[4]);

            Path cliFile = tmp.resolve("cli.rdb");
            long t0 = System.nanoTime();
            Process cli = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(server.port), "--rdb",
                    cliFile.toString()).redirectErrorStream(true).start();
            String cliOut = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.waitFor(30, TimeUnit.MINUTES)).isTrue();
            assertThat(cli.exitValue()).as(cliOut).isZero();
            double cliSecs = (System.nanoTime() - t0) / 1e9;
            assertThat(Files.size(cliFile)).isEqualTo(bytes); // same dataset, same encoder: same size (ctime aux aside)

            // restore the captured RDB into a second live server (in this JVM), pipelined RESTOREs
            double restoreSecs;
            try (TestRedis target = TestRedis.debian(tmp.resolve("target"))) {
                DirectoryBackupContext captured = DirectoryBackupContext.in(tmp.resolve("out"));
                captured.adoptStream("dump", "rdb", tmp.resolve("out").resolve("dump.rdb"));
                captured.fact("format", "rdb");
                captured.fact("keys", java.util.Map.of("db0", (long) keys));
                long r0 = System.nanoTime();
                var outcome = RedisSource.builder().build().restore(captured.restoreContext(),
                        RedisTarget.server("127.0.0.1", target.port).timeout(java.time.Duration.ofMinutes(10)));
                restoreSecs = (System.nanoTime() - r0) / 1e9;
                assertThat(outcome.checks()).hasSize(1).allMatch(com.eazepay.backup.CheckResult::passed);
                assertThat(target.call("DBSIZE")).isEqualTo((long) keys);
            }

            String line = String.format("redis capture %d keys x %d B: RDB %.1f MB, RedisSource %.2f s = %.0f MB/s (-Xmx%s, peak heap %.1f MB),"
                            + " redis-cli --rdb %.2f s = %.0f MB/s; restore into a live server (verify pass + RESTORE pass) %.2f s = %.0f MB/s%n",
                    keys, valueSize, bytes / 1e6, secs, bytes / 1e6 / secs, xmx,
                    peakHeap / 1e6, cliSecs, bytes / 1e6 / cliSecs, restoreSecs, bytes / 1e6 / restoreSecs);
            Files.writeString(Path.of("target", "redis-measurements.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.print(line);
        }
    }
}
