package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Single-threaded age throughput: encrypts 1 GiB to a counting sink and decrypts a 1 GiB
 * ciphertext from a temp file, each after a warm-up. Prints MB/s and heap; asserts
 * only correctness. Run: {@code mvn -pl backup-api -Pslow test -Dtest=AgeThroughput} or as a main.
 */
@Tag("slow")
class AgeThroughput {

    static final long GIB = 1L << 30;

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : GIB;
        System.out.println(measure(size));
    }

    @Test
    void encryptsAndDecryptsOneGibibyte() throws Exception {
        String report = measure(GIB);
        System.out.println(report);
        assertThat(report).contains("decrypt");
    }

    static String measure(long size) throws Exception {
        AgeKeys keys = AgeKeys.generate();
        AgeEncryption enc = AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        // warm-up
        for (int i = 0; i < 3; i++) {
            encryptTo(enc, block, 256L << 20, new CountingSink());
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = mem.getHeapMemoryUsage().getUsed();

        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountingSink sink = new CountingSink();
        long t0 = System.nanoTime();
        long c0 = threads.getCurrentThreadCpuTime();
        encryptTo(enc, block, size, sink);
        double encSec = (System.nanoTime() - t0) / 1e9;
        double encCpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;

        // Decrypt reads a real 1 GiB ciphertext from a temp file (page cache), twice: warm-up, then measured.
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile("age-throughput", ".age");
        try {
            try (OutputStream fileOut = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 16)) {
                encryptTo(enc, block, size, fileOut);
            }
            decryptAll(enc, tmp);
            long t1 = System.nanoTime();
            long c1 = threads.getCurrentThreadCpuTime();
            long n = decryptAll(enc, tmp);
            double decSec = (System.nanoTime() - t1) / 1e9;
            double decCpu = (threads.getCurrentThreadCpuTime() - c1) / 1e9;
            long heapAfter = mem.getHeapMemoryUsage().getUsed();
            if (n != size) {
                throw new AssertionError("decrypted " + n + " of " + size);
            }
            double mb = size / 1e6;
            // CPU-time rates are what one core does; wall-clock rates drop when the machine is shared.
            return String.format("age throughput (1 thread, %d MiB): encrypt %.0f MB/s wall, %.0f MB/s per CPU-second; "
                            + "decrypt %.0f MB/s wall, %.0f MB/s per CPU-second (reading the file from page cache); "
                            + "ciphertext %d bytes; heap used before %d MiB, after %d MiB, max %d MiB",
                    size >> 20, mb / encSec, mb / encCpu, mb / decSec, mb / decCpu, sink.count,
                    heapBefore >> 20, heapAfter >> 20,
                    Runtime.getRuntime().maxMemory() >> 20);
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    static long decryptAll(AgeEncryption enc, java.nio.file.Path file) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = enc.decrypt(java.nio.file.Files.newInputStream(file))) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
            }
        }
        return n;
    }

    static void encryptTo(AgeEncryption enc, byte[] block, long size, OutputStream sink) throws IOException {
        try (OutputStream out = enc.encrypt(sink)) {
            for (long done = 0; done < size; done += block.length) {
                out.write(block, 0, (int) Math.min(block.length, size - done));
            }
        }
    }

    static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
