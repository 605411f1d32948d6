package com.eazepay.backup.gcs;

import com.eazepay.backup.spi.ObjectInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads and downloads through {@link GcsStorage} in a forked JVM with a 64 MiB heap
 * ({@link StreamingUploadMain}), against {@link FakeGcsServer} in this JVM: the object is far larger
 * than the heap, so finishing at all proves memory is bounded by the chunk size, not the object
 * size. Throughput and peak heap are logged for the record, never asserted.
 */
class GcsStreamingMemoryTest {

    private static final Logger LOG = LoggerFactory.getLogger(GcsStreamingMemoryTest.class);
    private static FakeGcsServer server;

    @BeforeAll
    static void start() {
        server = FakeGcsServer.start();
        server.createBucket("stream-test");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void a20MiBUploadStreamsThroughA64MiBHeap() throws Exception {
        streamThroughSmallHeap(20L << 20, "64m");
    }

    @Test
    @Tag("slow")
    void a200MiBUploadStreamsThroughA64MiBHeap() throws Exception {
        streamThroughSmallHeap(200L << 20, "64m");
    }

    private void streamThroughSmallHeap(long size, String heap) throws IOException, InterruptedException {
        String key = "big/" + size + ".bin";
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                StreamingUploadMain.class.getName(), server.host(), "stream-test", key, Long.toString(size),
                Integer.toString(GcsStorage.DEFAULT_CHUNK_SIZE)))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Map<String, String> values = new HashMap<>();
        output.lines().filter(l -> l.matches("[A-Za-z]+=.*")).forEach(l -> {
            int eq = l.indexOf('=');
            values.put(l.substring(0, eq), l.substring(eq + 1));
        });
        assertThat(values.get("actualSha")).isNotNull().isEqualTo(values.get("expectedSha"));
        assertThat(Long.parseLong(values.get("read"))).isEqualTo(size);
        try (GcsStorage storage = GcsStorage.bucket("stream-test").host(server.host()).build()) {
            assertThat(storage.stat(key)).get().extracting(ObjectInfo::size).isEqualTo(size);
        }
        LOG.info("GCS streaming {} MiB under -Xmx{}: upload {} MB/s, download {} MB/s, peak heap {} MiB of {} MiB",
                size >> 20, heap, values.get("uploadMBps"), values.get("downloadMBps"),
                values.get("peakHeapMB"), values.get("maxHeapMB"));
    }
}
