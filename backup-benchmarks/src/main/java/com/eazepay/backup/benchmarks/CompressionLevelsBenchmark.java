package com.eazepay.backup.benchmarks;

import com.eazepay.backup.spi.Compression;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * zstd levels on the four payloads the library backs up ({@link RealisticInputs}: a PostgreSQL custom-format
 * dump, a mongodump archive, a Redis RDB file, a tar of configuration), through {@link Compression#zstd(int)}
 * exactly as the engine uses it (64 KiB writes and reads, one thread, checksummed frames). Each input is read
 * into memory once; each level compresses and decompresses it {@code --repeat} times and the fastest pass
 * counts (wall and thread CPU time separately); every decompression is checked byte for byte against the
 * SHA-256 of the input.
 *
 * <p>Options: {@code --size=64m} (target size of the generated dump, archive and RDB; the tar is what
 * {@code /etc} plus the generated config is), {@code --levels=1,2,3,6}, {@code --inputs=postgres,mongo,redis,tar},
 * {@code --repeat=3}, {@code --dir=target/levels} (scratch; inputs are deleted unless {@code --keep=true}).
 */
public final class CompressionLevelsBenchmark {

    static final String TABLE_HEADER = "| input | MiB | level | ratio (stored/plain) | compress MB/s | compress CPU s/GB "
            + "| decompress MB/s | decompress CPU s/GB |\n|---|---:|---:|---:|---:|---:|---:|---:|";

    private static final int CHUNK = 64 << 10;

    private CompressionLevelsBenchmark() {
    }

    /** One input at one level: sizes, best wall and CPU times of compression and decompression. */
    record Result(String input, long plainBytes, int level, long storedBytes, long compressNanos, long compressCpuNanos,
                  long decompressNanos, long decompressCpuNanos) {

        double ratio() {
            return (double) storedBytes / plainBytes;
        }

        String row() {
            return String.format("| %s | %.1f | %d | %.3f | %.0f | %.2f | %.0f | %.2f |", input, plainBytes / 1048576.0,
                    level, ratio(), Machine.mbPerSec(plainBytes, compressNanos), compressCpuNanos / (plainBytes / 1e9) / 1e9,
                    Machine.mbPerSec(plainBytes, decompressNanos), decompressCpuNanos / (plainBytes / 1e9) / 1e9);
        }
    }

    /** Runs the benchmark; see the class Javadoc for options. */
    public static void main(String[] args) throws IOException {
        long size = 64L << 20;
        List<Integer> levels = List.of(1, 2, 3, 6);
        List<String> inputs = List.of("postgres", "mongo", "redis", "tar");
        int repeat = 3;
        Path dir = Path.of("target", "levels");
        boolean keep = false;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            switch (kv[0]) {
                case "--size" -> size = Machine.parseSize(kv[1]);
                case "--levels" -> levels = Arrays.stream(kv[1].split(",")).map(String::trim).map(Integer::valueOf).toList();
                case "--inputs" -> inputs = Arrays.asList(kv[1].split(","));
                case "--repeat" -> repeat = Integer.parseInt(kv[1]);
                case "--dir" -> dir = Path.of(kv[1]);
                case "--keep" -> keep = Boolean.parseBoolean(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + kv[0]
                        + "; known: --size --levels --inputs --repeat --dir --keep");
            }
        }
        run(inputs, levels, size, repeat, dir, keep, System.out);
    }

    /** Generates each input under {@code dir}, measures every level on it, prints the table to {@code out}. */
    static List<Result> run(List<String> inputs, List<Integer> levels, long size, int repeat, Path dir, boolean keep,
                            PrintStream out) throws IOException {
        Files.createDirectories(dir);
        out.printf("# zstd levels on realistic inputs, %s%n", Machine.describe());
        out.printf("load average at start: %s%n%n", Machine.loadAverage());
        List<Path> files = new ArrayList<>();
        for (String input : inputs) {
            long t0 = System.nanoTime();
            Path file = generate(input, dir, size);
            files.add(file);
            out.printf("- %s: %s, %,d bytes, generated in %.1f s (load %s)%n", input, file.getFileName(), Files.size(file),
                    (System.nanoTime() - t0) / 1e9, Machine.loadAverage());
        }
        out.println();
        // warm-up: JIT for the stream wrappers and zstd-jni's native code paths, on a slice of the first input
        byte[] first = Files.readAllBytes(files.get(0));
        byte[] slice = Arrays.copyOf(first, Math.min(first.length, 8 << 20));
        for (int level : levels) {
            measure("warm-up", slice, level, 1);
        }
        out.println(TABLE_HEADER);
        out.flush();
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            byte[] plain = Files.readAllBytes(files.get(i));
            for (int level : levels) {
                Result r = measure(inputs.get(i), plain, level, repeat);
                results.add(r);
                out.println(r.row());
                out.flush();
            }
            if (!keep) {
                Files.delete(files.get(i));
            }
        }
        out.printf("%nload average at end: %s%n", Machine.loadAverage());
        return results;
    }

    static Path generate(String input, Path dir, long size) throws IOException {
        return switch (input) {
            case "postgres" -> RealisticInputs.postgresDump(dir, size);
            case "mongo" -> RealisticInputs.mongoArchive(dir, size);
            case "redis" -> RealisticInputs.redisRdb(dir, size);
            case "tar" -> RealisticInputs.configTar(dir);
            default -> throw new IllegalArgumentException("unknown input '" + input + "': use postgres, mongo, redis, tar");
        };
    }

    /** Best of {@code repeat} compress and decompress passes of {@code plain} at {@code level}, on this thread. */
    static Result measure(String input, byte[] plain, int level, int repeat) throws IOException {
        Compression zstd = Compression.zstd(level);
        byte[] digest = sha256(plain, plain.length);
        byte[] stored = null;
        long cWall = Long.MAX_VALUE;
        long cCpu = Long.MAX_VALUE;
        long dWall = Long.MAX_VALUE;
        long dCpu = Long.MAX_VALUE;
        for (int pass = 0; pass < repeat; pass++) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream(plain.length / 2 + CHUNK);
            long c0 = Machine.threadCpuNanos();
            long t0 = System.nanoTime();
            try (OutputStream os = zstd.compress(sink)) {
                for (int off = 0; off < plain.length; off += CHUNK) {
                    os.write(plain, off, Math.min(CHUNK, plain.length - off));
                }
            }
            cWall = Math.min(cWall, System.nanoTime() - t0);
            cCpu = Math.min(cCpu, Machine.threadCpuNanos() - c0);
            stored = sink.toByteArray();
        }
        byte[] back = new byte[plain.length];
        for (int pass = 0; pass < repeat; pass++) {
            int n = 0;
            long c0 = Machine.threadCpuNanos();
            long t0 = System.nanoTime();
            try (InputStream is = zstd.decompress(new ByteArrayInputStream(stored))) {
                int k;
                byte[] buf = new byte[CHUNK];
                while ((k = is.read(buf)) > 0) {
                    if (n + k > back.length) {
                        throw new IOException(input + " level " + level + ": decompressed more than the input");
                    }
                    System.arraycopy(buf, 0, back, n, k);
                    n += k;
                }
            }
            dWall = Math.min(dWall, System.nanoTime() - t0);
            dCpu = Math.min(dCpu, Machine.threadCpuNanos() - c0);
            if (n != plain.length || !MessageDigest.isEqual(digest, sha256(back, n))) {
                throw new IOException(input + " level " + level + ": decompressed bytes differ from the input");
            }
        }
        return new Result(input, plain.length, level, stored.length, cWall, cCpu, dWall, dCpu);
    }

    private static byte[] sha256(byte[] b, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, 0, len);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
