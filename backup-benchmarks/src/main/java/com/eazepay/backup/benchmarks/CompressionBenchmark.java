package com.eazepay.backup.benchmarks;

import com.eazepay.backup.spi.Compression;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * Compress and decompress {@code sizeMiB} MiB (default 64) of payments-like rows or random bytes with
 * each built-in {@link Compression}, single thread, in 64 KiB writes and reads as the pipeline does.
 * The score is milliseconds per 64 MiB; {@link JmhTable} turns it into MB/s of uncompressed data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CompressionBenchmark {

    static final int CHUNK = 64 * 1024;

    /** Codec: {@code none}, {@code gzip}, {@code zstd1}, {@code zstd3}. */
    @Param({"none", "gzip", "zstd1", "zstd3"})
    public String codec;

    /** Data: {@code rows} (payments-like CSV) or {@code random}. */
    @Param({"rows", "random"})
    public String data;

    /** Uncompressed size in MiB. */
    @Param({"64"})
    public int sizeMiB;

    private Compression compression;
    private byte[] input;
    private byte[] compressed;
    private final byte[] readBuffer = new byte[CHUNK];

    /** Generates the data and its compressed form once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        compression = Codecs.compression(codec);
        input = data.equals("rows") ? PaymentRows.generate(sizeMiB << 20) : PaymentRows.random(sizeMiB << 20);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(input.length + 1024);
        try (OutputStream out = compression.compress(buffer)) {
            write(input, out);
        }
        compressed = buffer.toByteArray();
    }

    /** Compresses the whole input; returns the compressed size. */
    @Benchmark
    public long compress() throws IOException {
        CountingSink sink = new CountingSink();
        try (OutputStream out = compression.compress(sink)) {
            write(input, out);
        }
        return sink.count();
    }

    /** Decompresses the whole input; returns the uncompressed size. */
    @Benchmark
    public long decompress() throws IOException {
        return drain(compression.decompress(new ByteArrayInputStream(compressed)), readBuffer);
    }

    static void write(byte[] data, OutputStream out) throws IOException {
        for (int off = 0; off < data.length; off += CHUNK) {
            out.write(data, off, Math.min(CHUNK, data.length - off));
        }
    }

    static long drain(InputStream stream, byte[] buffer) throws IOException {
        long total = 0;
        try (InputStream in = stream) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        }
        return total;
    }
}
