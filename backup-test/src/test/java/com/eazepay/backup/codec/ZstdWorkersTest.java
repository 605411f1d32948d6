package com.eazepay.backup.codec;

import com.eazepay.backup.spi.Compression;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * zstd compresses on worker threads (several jobs per stream once the input is larger than a job): the output
 * must still be one valid frame with its checksum that the {@code zstd} command and our decoder read back to the
 * same bytes, also when written in odd-sized pieces and flushed midway (as a source may do).
 */
class ZstdWorkersTest {

    @TempDir
    Path dir;

    private static byte[] rows(int size) {
        Random r = new Random(7);
        StringBuilder b = new StringBuilder(size + 200);
        while (b.length() < size) {
            b.append("pay_").append(Long.toHexString(r.nextLong())).append(",EUR,").append(r.nextInt(1_000_000))
                    .append(",captured,2025-0").append(1 + r.nextInt(9)).append("-1").append(r.nextInt(10))
                    .append("T12:00:00+00,{\"ip\":\"10.").append(r.nextInt(256)).append(".0.1\"}\n");
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void multiJobStreamsAreOneChecksummedFrameThatTheZstdCommandAndOurDecoderRead() throws Exception {
        byte[] data = rows(24 << 20); // several 2 MiB jobs at level 1
        Path file = dir.resolve("data.zst");
        try (OutputStream out = Compression.zstd().compress(Files.newOutputStream(file))) {
            Random r = new Random(1);
            int off = 0;
            while (off < data.length) {
                int n = Math.min(data.length - off, 1 + r.nextInt(200_000));
                out.write(data, off, n);
                off += n;
                if (r.nextInt(20) == 0) {
                    out.flush();
                }
            }
        }
        byte[] stored = Files.readAllBytes(file);
        assertThat(stored).hasSizeLessThan(data.length / 2);
        // frame magic, then the frame header descriptor: content checksum flag (bit 2) set
        assertThat(new byte[] {stored[0], stored[1], stored[2], stored[3]})
                .containsExactly(0x28, 0xB5, 0x2F, 0xFD);
        assertThat(stored[4] & 0x04).isEqualTo(0x04);

        Process p = new ProcessBuilder("zstd", "-d", "-c", "-q", file.toString()).redirectErrorStream(false).start();
        byte[] byCommand;
        try (InputStream in = p.getInputStream()) {
            byCommand = in.readAllBytes();
        }
        assertThat(p.waitFor()).isZero();
        assertThat(byCommand).isEqualTo(data);

        ByteArrayOutputStream ours = new ByteArrayOutputStream(data.length);
        try (InputStream in = Compression.zstd().decompress(Files.newInputStream(file))) {
            in.transferTo(ours);
        }
        assertThat(ours.toByteArray()).isEqualTo(data);
    }

    @Test
    void aCorruptedMultiJobFrameFailsItsChecksumInTheZstdCommand() throws IOException, InterruptedException {
        byte[] data = rows(8 << 20);
        Path file = dir.resolve("data.zst");
        try (OutputStream out = Compression.zstd().compress(Files.newOutputStream(file))) {
            out.write(data);
        }
        byte[] stored = Files.readAllBytes(file);
        stored[stored.length - 2] ^= 0x01; // inside the 4-byte content checksum at the end of the frame
        Files.write(file, stored);
        Process p = new ProcessBuilder("zstd", "-d", "-c", "-q", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isNotZero();
    }
}
