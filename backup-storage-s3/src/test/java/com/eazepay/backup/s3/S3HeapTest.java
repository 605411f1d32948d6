package com.eazepay.backup.s3;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams objects far larger than the heap through {@link S3Storage} in a forked JVM with
 * {@code -Xmx64m} (S3Proxy runs here, on files): the upload only holds partsInFlight × partSize bytes.
 * Throughput and peak heap are printed (and logged), never asserted.
 */
class S3HeapTest {

    private static final Logger LOG = LoggerFactory.getLogger(S3HeapTest.class);
    private static final long MIB = 1024 * 1024;

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension("filesystem-nio2");

    @Test
    void twentyMebibytesStreamInFiveMebibyteFourPartsUnderA64MebibyteHeap() throws Exception {
        runForked(20 * MIB + 17, 5 * MIB, 4);
    }

    @Test
    @Tag("slow")
    void twoHundredMebibytesStreamUnderA64MebibyteHeap() throws Exception {
        runForked(200 * MIB, 5 * MIB, 4);
    }

    @Test
    @Tag("slow")
    void oneGibibyteStreamsUnderA64MebibyteHeap() throws Exception {
        runForked(1024 * MIB, 8 * MIB, 4);
    }

    private void runForked(long size, long partSize, int inFlight) throws Exception {
        String bucket = S3.createBucket();
        String cp = stableClassPath(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = Files.createTempFile("s3-heap-", ".log");
        try {
            Process p = new ProcessBuilder(List.of(javaBin, "-Xmx" + Objects.requireNonNullElse(System.getenv("S3_HEAP_TEST_XMX"), "64m"), "-cp", cp,
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    UploadUnderSmallHeap.class.getName(), S3.endpoint().toString(), bucket,
                    Long.toString(size), Long.toString(partSize), Integer.toString(inFlight)))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean finished = p.waitFor(10, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(finished).as("forked upload finished; output:%n%s", output).isTrue();
            assertThat(p.exitValue()).as("exit code; output:%n%s", output).isZero();
            String result = output.lines().filter(l -> l.startsWith("RESULT")).findFirst().orElse("");
            assertThat(result).as(output).contains("match=true");
            LOG.info("{} (partSize={} MiB, partsInFlight={})", result, partSize / MIB, inFlight);
            File metrics = new File("target/s3-heap-results.txt");
            Files.writeString(metrics.toPath(), result + " partSize=" + partSize / MIB + "MiB partsInFlight=" + inFlight + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } finally {
            Files.deleteIfExists(out);
        }
        assertThat(S3.admin().headObject(r -> r.bucket(bucket).key("big/object.bin")).contentLength()).isEqualTo(size);
    }

    /**
     * Copies SNAPSHOT jars of the class path to a temporary directory: on a shared machine another build may
     * re-install them in the local repository while the forked JVM is reading them.
     */
    private static String stableClassPath(String cp) throws java.io.IOException {
        Path dir = Files.createTempDirectory("s3-heap-cp-");
        dir.toFile().deleteOnExit();
        List<String> entries = new java.util.ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith("-SNAPSHOT.jar") && Files.isRegularFile(p)) {
                Path copy = dir.resolve(p.getFileName());
                Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                copy.toFile().deleteOnExit();
                entries.add(copy.toString());
            } else {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
