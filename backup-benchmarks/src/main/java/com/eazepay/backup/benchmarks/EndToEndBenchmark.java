package com.eazepay.backup.benchmarks;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * End-to-end benchmark through the real engine: a synthetic source of payments-like CSV rows
 * ({@link SyntheticPaymentsSource}) backed up to {@link FileSystemStorage} for every compression ×
 * encryption combination, then {@code engine.verify(..)} (SHA-256 of the stored bytes, age decryption,
 * decompression, full drain). Prints a Markdown table of backup MB/s, verify MB/s (of plaintext),
 * stored size and ratio, and heap peaks sampled on a background thread. Numbers are printed, never
 * asserted. Run it under a small heap ({@code -Xmx256m}) at two sizes to show memory does not grow
 * with the backup:
 *
 * <pre>
 * java -Xmx256m -cp backup-benchmarks/target/benchmarks.jar com.eazepay.backup.benchmarks.EndToEndBenchmark \
 *     --size=1g --compression=none,gzip,zstd1,zstd3 --encryption=none,age --dir=/tmp/e2e
 * </pre>
 *
 * Options: {@code --size} (default {@code 1g}; suffixes k, m, g), {@code --compression} (default
 * {@code none,gzip,zstd1,zstd3}), {@code --encryption} (default {@code none,age}), {@code --dir}
 * (scratch repository directory, default {@code target/e2e}; emptied per run), {@code --block}
 * (size of the repeated row block, default {@code 16m}), {@code --warmup} (bytes backed up once with
 * zstd1 + age before measuring, default {@code 256m}; {@code 0} skips).
 */
public final class EndToEndBenchmark {

    /** One measured combination. Sizes in bytes, durations in nanoseconds. */
    public record Result(String compression, String encryption, long plaintextBytes, long storedBytes,
                         long backupNanos, long verifyNanos, long backupCpuNanos, long verifyCpuNanos, boolean verified,
                         long backupPeakUsed, long backupPeakAfterGc, long verifyPeakUsed, long verifyPeakAfterGc) {

        /** Backup throughput in MB/s (10^6 bytes) of plaintext. */
        public double backupMbPerSec() {
            return Machine.mbPerSec(plaintextBytes, backupNanos);
        }

        /** Verify throughput in MB/s (10^6 bytes) of plaintext. */
        public double verifyMbPerSec() {
            return Machine.mbPerSec(plaintextBytes, verifyNanos);
        }

        /** Backup plaintext MB per second of JVM CPU time (all threads), steadier than wall time under load. */
        public double backupMbPerCpuSec() {
            return Machine.mbPerSec(plaintextBytes, backupCpuNanos);
        }

        /** Verify plaintext MB per second of JVM CPU time (all threads). */
        public double verifyMbPerCpuSec() {
            return Machine.mbPerSec(plaintextBytes, verifyCpuNanos);
        }

        /** Stored bytes / plaintext bytes. */
        public double ratio() {
            return plaintextBytes == 0 ? 0 : (double) storedBytes / plaintextBytes;
        }

        String markdownRow() {
            return String.format("| %s | %s | %,d | %.0f | %.0f | %.0f | %.0f | %,d | %.3f | %d / %d | %d / %d | %s |",
                    compression, encryption, Machine.mib(plaintextBytes), backupMbPerSec(), backupMbPerCpuSec(),
                    verifyMbPerSec(), verifyMbPerCpuSec(),
                    storedBytes, ratio(), Machine.mib(backupPeakUsed), Machine.mib(backupPeakAfterGc),
                    Machine.mib(verifyPeakUsed), Machine.mib(verifyPeakAfterGc), verified ? "passed" : "FAILED");
        }
    }

    /** Header of the table {@link Result#markdownRow()} fills. */
    static final String TABLE_HEADER = "| compression | encryption | MiB | backup MB/s | backup MB/CPU-s "
            + "| verify MB/s | verify MB/CPU-s | stored bytes | ratio "
            + "| backup heap MiB peak / after GC | verify heap MiB peak / after GC | verify |\n"
            + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";

    private EndToEndBenchmark() {
    }

    /** Runs the benchmark; see the class Javadoc for options. */
    public static void main(String[] args) {
        long size = 1L << 30;
        List<String> compressions = List.of("none", "gzip", "zstd1", "zstd3");
        List<String> encryptions = List.of("none", "age");
        Path dir = Path.of("target", "e2e");
        int block = 16 << 20;
        long warmup = 256L << 20;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            switch (kv[0]) {
                case "--size" -> size = Machine.parseSize(kv[1]);
                case "--compression" -> compressions = Arrays.asList(kv[1].split(","));
                case "--encryption" -> encryptions = Arrays.asList(kv[1].split(","));
                case "--dir" -> dir = Path.of(kv[1]);
                case "--block" -> block = Math.toIntExact(Machine.parseSize(kv[1]));
                case "--warmup" -> warmup = Machine.parseSize(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + kv[0]
                        + "; known: --size --compression --encryption --dir --block --warmup");
            }
        }
        PrintStream out = System.out;
        out.printf("# End-to-end: %,d MiB of payments-like rows, %s%n", Machine.mib(size), Machine.describe());
        out.printf("load average at start: %s%n%n", Machine.loadAverage());
        byte[] rows = PaymentRows.generate(block);
        if (warmup > 0) {
            run("zstd1", "age", warmup, rows, dir, null);
        }
        out.println(TABLE_HEADER);
        out.flush();
        for (String c : compressions) {
            for (String e : encryptions) {
                run(c, e, size, rows, dir, out);
            }
        }
        out.printf("%nload average at end: %s%n", Machine.loadAverage());
    }

    /**
     * Backs up {@code size} bytes of {@code rows} with one codec combination into a fresh repository
     * under {@code dir}, verifies it, deletes the repository, and prints the row to {@code out} (if
     * not null).
     */
    public static Result run(String compression, String encryption, long size, byte[] rows, Path dir, PrintStream out) {
        Compression c = Codecs.compression(compression);
        Encryption e = Codecs.encryption(encryption);
        Path repo = dir.resolve(compression + "-" + encryption);
        deleteTree(repo);
        try {
            Files.createDirectories(repo);
            try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(c).encryption(e)
                    .source(new SyntheticPaymentsSource("payments", size, rows)).build()) {
                Measured<BackupResult> backup = Measured.of(true, () -> engine.backup("payments").run());
                Measured<VerificationReport> verify = Measured.of(true,
                        () -> engine.verify("payments").id(backup.value().id()).run());
                Result r = new Result(compression, encryption, backup.value().plaintextBytes(), backup.value().storedBytes(),
                        backup.nanos(), verify.nanos(), backup.cpuNanos(), verify.cpuNanos(), verify.value().passed(),
                        backup.peakUsed(), backup.peakAfterGc(), verify.peakUsed(), verify.peakAfterGc());
                if (out != null) {
                    out.println(r.markdownRow());
                    out.flush();
                }
                return r;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } finally {
            deleteTree(repo);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** All results as one Markdown table. */
    public static String table(List<Result> results) {
        List<String> lines = new ArrayList<>();
        lines.add(TABLE_HEADER);
        results.forEach(r -> lines.add(r.markdownRow()));
        return String.join("\n", lines);
    }
}
