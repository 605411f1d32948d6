package com.eazepay.backup.benchmarks;

import com.eazepay.backup.age.AgeEncryption;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * age over gigabytes, one thread, after warm-up, with heap sampled: encrypt {@code --size} (default
 * 1 GiB) of payments-like rows to a discarding sink, encrypt it again to a file, then decrypt the file.
 * Meant to run under {@code -Xmx256m}. Numbers are printed, never asserted. Options: {@code --size},
 * {@code --dir} (default {@code target/age-stream}), {@code --warmup} (default {@code 256m}).
 */
public final class AgeStreamBenchmark {

    private AgeStreamBenchmark() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws IOException {
        long size = 1L << 30;
        Path dir = Path.of("target", "age-stream");
        long warmup = 256L << 20;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "--size" -> size = Machine.parseSize(kv[1]);
                case "--dir" -> dir = Path.of(kv[1]);
                case "--warmup" -> warmup = Machine.parseSize(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + arg + "; known: --size --dir --warmup");
            }
        }
        PrintStream out = System.out;
        final long total = size;
        Files.createDirectories(dir);
        Path file = dir.resolve("data.csv.age");
        byte[] rows = PaymentRows.generate(16 << 20);
        AgeEncryption age = Codecs.ageWithFreshKey();
        out.printf("# age streaming: %,d MiB of payments-like rows, %s%n", Machine.mib(size), Machine.describe());
        out.printf("load average at start: %s%n%n", Machine.loadAverage());
        try {
            if (warmup > 0) {
                encryptToSink(age, rows, warmup);
                encryptToFile(age, rows, warmup, file);
                decryptFile(age, file);
            }
            out.println("| operation | MiB | MB/s (wall) | MB/CPU-s (this thread) | heap MiB peak / after GC |");
            out.println("|---|---:|---:|---:|---:|");
            measure(out, "encrypt → discard", total, () -> encryptToSink(age, rows, total));
            measure(out, "encrypt → file", total, () -> encryptToFile(age, rows, total, file));
            measure(out, "file → discard (read baseline, no age)", total, () -> readFile(file));
            measure(out, "file → decrypt", total, () -> decryptFile(age, file));
        } finally {
            Files.deleteIfExists(file);
        }
        out.printf("%nload average at end: %s%n", Machine.loadAverage());
    }

    private static void measure(PrintStream out, String name, long size, Measured.Step<?> step) throws IOException {
        Measured<?> m = Measured.of(false, step);
        out.printf("| %s | %,d | %.0f | %.0f | %d / %d |%n", name, Machine.mib(size), Machine.mbPerSec(size, m.nanos()),
                Machine.mbPerSec(size, m.cpuNanos()), Machine.mib(m.peakUsed()), Machine.mib(m.peakAfterGc()));
        out.flush();
    }

    private static Void encryptToSink(AgeEncryption age, byte[] rows, long size) throws IOException {
        try (OutputStream o = age.encrypt(new CountingSink())) {
            PaymentRows.writeRepeated(rows, size, o);
        }
        return null;
    }

    private static Void encryptToFile(AgeEncryption age, byte[] rows, long size, Path file) throws IOException {
        try (OutputStream o = age.encrypt(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024))) {
            PaymentRows.writeRepeated(rows, size, o);
        }
        return null;
    }

    private static long readFile(Path file) throws IOException {
        return CompressionBenchmark.drain(Files.newInputStream(file), new byte[CompressionBenchmark.CHUNK]);
    }

    private static long decryptFile(AgeEncryption age, Path file) throws IOException {
        try (InputStream in = age.decrypt(Files.newInputStream(file))) {
            return CompressionBenchmark.drain(in, new byte[CompressionBenchmark.CHUNK]);
        }
    }
}
