package com.eazepay.backup.benchmarks;

import com.eazepay.backup.age.AgeEncryption;
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
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/**
 * age (X25519 recipient, ChaCha20-Poly1305 payload) encrypt and decrypt of {@code sizeMiB} MiB
 * (default 64), single thread, 64 KiB writes/reads. Includes the per-stream header cost (one X25519
 * agreement and HKDF), which is negligible at this size. Score: milliseconds per 64 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class AgeBenchmark {

    /** Data: {@code rows} or {@code random} (age cost does not depend on the data; both for completeness). */
    @Param({"rows", "random"})
    public String data;

    /** Plaintext size in MiB. */
    @Param({"64"})
    public int sizeMiB;

    private AgeEncryption age;
    private byte[] input;
    private byte[] ciphertext;
    private final byte[] readBuffer = new byte[CompressionBenchmark.CHUNK];

    /** Generates a key pair, the data and its ciphertext once per trial. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        age = Codecs.ageWithFreshKey();
        input = data.equals("rows") ? PaymentRows.generate(sizeMiB << 20) : PaymentRows.random(sizeMiB << 20);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(input.length + input.length / 1000 + 1024);
        try (OutputStream out = age.encrypt(buffer)) {
            CompressionBenchmark.write(input, out);
        }
        ciphertext = buffer.toByteArray();
    }

    /** Encrypts the whole input; returns the ciphertext size. */
    @Benchmark
    public long encrypt() throws IOException {
        CountingSink sink = new CountingSink();
        try (OutputStream out = age.encrypt(sink)) {
            CompressionBenchmark.write(input, out);
        }
        return sink.count();
    }

    /** Decrypts (and authenticates) the whole ciphertext; returns the plaintext size. */
    @Benchmark
    public long decrypt() throws IOException {
        return CompressionBenchmark.drain(age.decrypt(new ByteArrayInputStream(ciphertext)), readBuffer);
    }
}
