package com.eazepay.backup.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the pipeline streams: a backup many times larger than the heap goes through compression,
 * hashing, the bounded pipe and storage, then is fully decoded by verify(), in a forked JVM whose
 * heap is far smaller than the data. Memory that grew with backup size would end in OutOfMemoryError.
 */
class StreamingTest {

    @TempDir
    Path dir;

    private String runForked(String maxHeap, long bytes, String codec) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StreamingMain.class.getName(), dir.resolve("repo-" + codec).toString(), Long.toString(bytes), codec));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String result = out.lines().filter(l -> l.startsWith("ok ")).findFirst().orElseThrow(() -> new AssertionError(out));
        System.out.println("streaming " + codec + " " + bytes + " bytes under -Xmx" + maxHeap + ": " + result);
        return result;
    }

    @Test
    void aQuarterGigabyteStreamsThroughEveryCodecUnderA32MegabyteHeap() throws Exception {
        long size = 256L * 1024 * 1024;
        for (String codec : List.of("zstd", "gzip", "none")) {
            String[] f = runForked("32m", size, codec).split(" ");
            assertThat(Long.parseLong(f[1])).isEqualTo(size);
            assertThat(Double.parseDouble(f[5])).as("peak heap MiB").isLessThan(32);
        }
    }

    @Test
    @Tag("slow")
    void fourGigabytesStreamUnderA64MegabyteHeap() throws Exception {
        long size = 4L * 1024 * 1024 * 1024;
        String[] f = runForked("64m", size, "zstd").split(" ");
        assertThat(Long.parseLong(f[1])).isEqualTo(size);
    }
}
