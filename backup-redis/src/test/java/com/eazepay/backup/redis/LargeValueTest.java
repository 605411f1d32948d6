package com.eazepay.backup.redis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 40 MiB value (incompressible) backed up and restored into a live server by a forked JVM with a
 * 64 MiB heap: the restore holds the value about once, not three times, and a key dump streams
 * DUMP replies instead of holding them. Peak heap goes to {@code target/redis-measurements.txt},
 * never asserted.
 */
class LargeValueTest {

    private static final int VALUE = 40 << 20;

    @TempDir
    Path tmp;

    @Test
    void liveRestoreOfA40MibValueSucceedsUnder64MibHeap() throws Exception {
        roundTrip("REPLICATION", "64m");
    }

    @Test
    void keyDumpBackupAndRestoreOfA40MibValueSucceedUnder64MibHeap() throws Exception {
        roundTrip("KEY_DUMP", "64m");
    }

    @Test
    void restoreThatRunsOutOfMemoryFailsAsABackupExceptionNotARawError() throws Exception {
        // 32 MiB cannot hold a 40 MiB value at all: the failure must still be a BackupException
        try (TestRedis source = TestRedis.debian(tmp.resolve("s"));
             TestRedis target = TestRedis.debian(tmp.resolve("t"))) {
            fill(source);
            Child r = child("REPLICATION", "32m", source, target);
            assertThat(r.exit).as(r.out).isEqualTo(2);
            assertThat(r.out).contains("FAILED INTERNAL").contains("ran out of memory").contains("-Xmx");
        }
    }

    private void roundTrip(String mode, String xmx) throws Exception {
        try (TestRedis source = TestRedis.debian(tmp.resolve("s"));
             TestRedis target = TestRedis.debian(tmp.resolve("t"))) {
            byte[] digest = fill(source);
            Child r = child(mode, xmx, source, target);
            assertThat(r.exit).as(r.out).isZero();
            String line = r.out.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
            assertThat(line.split(" ")[2]).isEqualTo("true");
            assertThat(target.call("DBSIZE")).isEqualTo(3L);
            assertThat(MessageDigest.getInstance("SHA-256").digest((byte[]) target.callSlow("GET", "big"))).isEqualTo(digest);
            assertThat(target.call("GET", "small")).isEqualTo("v".getBytes(StandardCharsets.UTF_8));
            long peak = Long.parseLong(line.split(" ")[1]);
            Path report = Path.of("target", "redis-measurements.txt");
            Files.createDirectories(report.getParent());
            Files.writeString(report, String.format("40 MiB value, %s backup + live restore under -Xmx%s: peak heap %.1f MB%n",
                    mode, xmx, peak / 1e6), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** Writes one 40 MiB random value and two small keys; returns the big value's SHA-256. */
    private static byte[] fill(TestRedis source) throws Exception {
        byte[] big = new byte[VALUE];
        new Random(42).nextBytes(big);
        assertThat(source.callSlow("SET", "big", big)).isEqualTo("OK");
        assertThat(source.call("SET", "small", "v")).isEqualTo("OK");
        assertThat(source.call("SET", "expiring", "e", "PX", "3600000")).isEqualTo("OK");
        return MessageDigest.getInstance("SHA-256").digest(big);
    }

    private record Child(int exit, String out) {
    }

    private Child child(String mode, String xmx, TestRedis source, TestRedis target) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-cp", cp, LargeValueMain.class.getName(), mode, Integer.toString(source.port),
                Integer.toString(target.port), tmp.resolve("out").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        return new Child(p.exitValue(), out);
    }
}
