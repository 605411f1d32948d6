package com.eazepay.backup.mongo;

import com.mongodb.client.MongoClient;
import com.eazepay.backup.test.DirectoryBackupContext;
import de.bwaldvogel.mongo.MongoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams many documents through the source in a forked JVM with a small heap: completing at all
 * under {@code -Xmx} far below the archive size is the memory assertion. Throughput and peak heap are
 * printed (reported, not asserted).
 */
class MongoStreamingTest {

    private static final Pattern RESULT = Pattern.compile(
            "RESULT docs=(\\d+) bytes=(\\d+) ms=(\\d+) peakHeapBytes=(\\d+) maxHeapBytes=(\\d+) closed=(\\w+)");
    private MongoServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    /** Default run: ~29 MiB of archive through a 16 MiB heap (the 100k version took ~56 s here: slow-tagged). */
    @Test
    void twelveThousandLargerDocumentsStreamUnderA16MebibyteHeap() throws Exception {
        run(12_000, 2500, "16m");
    }

    @Test
    @Tag("slow")
    void aHundredThousandDocumentsStreamUnderA32MebibyteHeap() throws Exception {
        run(100_000, 700, "32m");
    }

    @Test
    @Tag("slow")
    void threeHundredThousandDocumentsStreamUnderA32MebibyteHeap() throws Exception {
        run(300_000, 700, "32m");
    }

    /** Reports backup and restore throughput in-process (server in the same JVM), 50k documents. */
    @Test
    @Tag("slow")
    void restoreThroughputIsReported(@TempDir Path tmp) throws IOException {
        server = MongoServers.start(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("bulk"), "payments", 50_000, 700);
            DirectoryBackupContext archive = DirectoryBackupContext.in(tmp);
            MongoSource source = MongoSource.builder().connectionString(uri).build();
            long t0 = System.nanoTime();
            source.backup(archive);
            long backupMs = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            t0 = System.nanoTime();
            var outcome = source.restore(archive.restoreContext(), MongoTarget.database("bulk_restored"));
            long restoreMs = Math.max(1, (System.nanoTime() - t0) / 1_000_000);
            assertThat(outcome.checks()).allSatisfy(c -> assertThat(c.passed()).isTrue());
            assertThat(client.getDatabase("bulk_restored").getCollection("payments").countDocuments()).isEqualTo(50_000);
            double mib = Files.size(archive.streamFile(MongoSource.STREAM)) / 1048576.0;
            System.out.printf("mongo in-process benchmark: 50000 docs, %.1f MiB: backup %d ms (%.1f MiB/s), "
                    + "restore (verify pass + insert pass) %d ms (%.0f docs/s, %.1f MiB/s)%n", mib, backupMs,
                    mib * 1000 / backupMs, restoreMs, 50_000 * 1000.0 / restoreMs, mib * 1000 / restoreMs);
        }
    }

    private void run(int docs, int payload, String xmx) throws IOException, InterruptedException {
        server = MongoServers.start(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("bulk"), "payments", docs, payload);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx" + xmx, "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), BackupProbe.class.getName(), uri, "1000"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        assertThat(exit).as(out).isZero();
        Matcher m = RESULT.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long n = Long.parseLong(m.group(1));
        long bytes = Long.parseLong(m.group(2));
        long ms = Math.max(1, Long.parseLong(m.group(3)));
        long peak = Long.parseLong(m.group(4));
        long max = Long.parseLong(m.group(5));
        assertThat(n).isEqualTo(docs);
        assertThat(m.group(6)).isEqualTo("true");
        assertThat(bytes).isGreaterThan(max); // the archive is bigger than the child's whole heap
        System.out.printf("mongo backup benchmark: %d docs, %.1f MiB archive in %d ms = %.0f docs/s, %.1f MiB/s; "
                        + "child peak heap %.1f MiB of -Xmx%s%n", n, bytes / 1048576.0, ms, n * 1000.0 / ms,
                bytes / 1048576.0 * 1000 / ms, peak / 1048576.0, xmx);
    }
}
