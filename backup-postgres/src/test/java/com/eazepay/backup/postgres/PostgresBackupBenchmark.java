package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * End-to-end benchmark (a main, not a test; numbers are reported, never asserted):
 * {@code pgbench -i -s SCALE} into an embedded PostgreSQL, then our backup (zstd 3/1, with/without age) versus
 * {@code pg_dump -Fc -Z0 > /dev/null} and {@code pg_dump | gzip > file}, output sizes, restore time, peak heap.
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test -pl backup-postgres
 * java -Xmx256m -cp backup-postgres/target/test-classes:backup-postgres/target/classes:$(cat /tmp/cp.txt) \
 *   com.eazepay.backup.postgres.PostgresBackupBenchmark 70 /tmp/pgbench-work
 * </pre>
 */
public final class PostgresBackupBenchmark {

    private PostgresBackupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int scale = args.length > 0 ? Integer.parseInt(args[0]) : 70;
        Path work = Path.of(args.length > 1 ? args[1] : "/tmp/pg-benchmark");
        deleteTree(work);
        Files.createDirectories(work);
        List<String> report = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "4GB")
                .setServerConfig("checkpoint_timeout", "30min").start()) {
            String port = Integer.toString(pg.getPort());
            long t0 = System.nanoTime();
            run(List.of("/usr/lib/postgresql/15/bin/pgbench", "-i", "-q", "-s", Integer.toString(scale), "-h", "127.0.0.1",
                    "-p", port, "-U", "postgres", "postgres"));
            long dbSize = Long.parseLong(query(pg, "select pg_database_size('postgres')"));
            add(report, String.format("pgbench -i -s %d: database %,d bytes, loaded in %.1f s", scale, dbSize, secs(t0)));

            long t = System.nanoTime();
            run(List.of("bash", "-c", "pg_dump -Fc -Z0 -h 127.0.0.1 -p " + port + " -U postgres postgres > /dev/null"));
            double rawSecs = secs(t);
            add(report, row("pg_dump -Fc -Z0 > /dev/null", rawSecs, -1, dbSize));

            Path gz = work.resolve("dump.sql.gz");
            t = System.nanoTime();
            run(List.of("bash", "-o", "pipefail", "-c", "pg_dump -h 127.0.0.1 -p " + port + " -U postgres postgres | gzip > " + gz));
            add(report, row("pg_dump | gzip > file", secs(t), Files.size(gz), dbSize));
            Files.delete(gz);

            AgeKeys keys = AgeKeys.generate();
            PostgresSource source = PostgresSource.builder().name("postgres")
                    .jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres").user("postgres").build();
            String lastRepo = null;
            for (int level : new int[] {3, 1}) {
                for (boolean age : new boolean[] {true, false}) {
                    Path repo = work.resolve("repo-z" + level + (age ? "-age" : ""));
                    Encryption enc = age ? AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity())
                            : Encryption.none();
                    try (BackupEngine engine = engine(repo, Compression.zstd(level), enc, source)) {
                        Measured<BackupResult> m = measure(() -> engine.backup("postgres").run());
                        add(report, row("ours zstd-" + level + (age ? " + age" : "        "), m.secs, m.value.storedBytes(),
                                m.value.plaintextBytes()) + String.format(", peak heap %,d MiB", m.peakHeap >> 20));
                        if (level == 1 && age) {
                            Measured<RestoreResult> r = measure(() -> engine.restore("postgres").latest()
                                    .into(PostgresTarget.newDatabase("restored")).checked().run());
                            add(report, String.format("restore (zstd-1 + age, pg_restore streaming, row-count checks %s): %.1f s,"
                                    + " peak heap %,d MiB", r.value.checksPassed() ? "passed" : "FAILED", r.secs, r.peakHeap >> 20));
                            Measured<RestoreResult> rj = measure(() -> engine.restore("postgres").latest()
                                    .into(PostgresTarget.newDatabase("restored_j2").jobs(2)).checked().run());
                            add(report, String.format("restore -j 2 (spooled to a temp file): %.1f s, checks %s", rj.secs,
                                    rj.value.checksPassed() ? "passed" : "FAILED"));
                        }
                    }
                    if (lastRepo != null) {
                        deleteTree(Path.of(lastRepo));
                    }
                    lastRepo = repo.toString();
                }
            }
        }
        deleteTree(work);
        System.out.println();
        System.out.println("PostgreSQL backup benchmark (" + Runtime.getRuntime().availableProcessors() + " cores, -Xmx"
                + (Runtime.getRuntime().maxMemory() >> 20) + "m)");
        report.forEach(l -> System.out.println("  " + l));
    }

    /** Records a result line and prints it at once, so a long run shows partial results. */
    private static void add(List<String> report, String line) {
        report.add(line);
        System.out.println("  " + line);
        System.out.flush();
    }

    private static BackupEngine engine(Path repo, Compression c, Encryption e, PostgresSource s) {
        BackupEngineBuilder b = Backup.engine().repository(FileSystemStorage.at(repo)).compression(c).encryption(e).source(s);
        if (e.id().equals("none")) {
            b.allowUnencryptedSensitiveData();
        }
        return b.build();
    }

    private record Measured<T>(T value, double secs, long peakHeap) {
    }

    /** Runs {@code op} while a sampler records the peak used heap every 20 ms. */
    private static <T> Measured<T> measure(Supplier<T> op) throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        long t = System.nanoTime();
        T value = op.get();
        double s = secs(t);
        sampler.interrupt();
        sampler.join();
        return new Measured<>(value, s, peak.get());
    }

    private static String row(String what, double secs, long outBytes, long inBytes) {
        return String.format("%-30s %7.1f s  %7.1f MB/s%s", what, secs, inBytes / 1e6 / secs,
                outBytes < 0 ? "" : String.format("  output %,d bytes (%.1f%% of dump/db)", outBytes, 100.0 * outBytes / inBytes));
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(argv + " exited " + p.exitValue());
        }
    }

    private static String query(EmbeddedPostgres pg, String sql) throws Exception {
        try (var c = pg.getPostgresDatabase().getConnection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
