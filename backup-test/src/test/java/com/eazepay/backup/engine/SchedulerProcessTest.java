package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three replicas in separate JVMs share one filesystem repository and run the same daily schedule
 * over five slots, racing for each: exactly one backup per slot results.
 */
class SchedulerProcessTest {

    static final int REPLICAS = 3;
    static final int DAYS = 5;

    @TempDir
    Path tmp;

    @Test
    void replicasInSeparateJvmsTakeExactlyOneBackupPerSlot() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path barrier = Files.createDirectories(tmp.resolve("barrier"));
        Instant first = Instant.parse("2026-11-24T02:00:00Z");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < REPLICAS; i++) {
            processes.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    ScheduledReplicaMain.class.getName(), repo.toString(), barrier.toString(), "r" + i,
                    Integer.toString(REPLICAS), first.toString(), Integer.toString(DAYS)).redirectErrorStream(true).start());
        }
        Map<String, List<String>> outcomesBySlot = new HashMap<>();
        for (Process p : processes) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            out.lines().filter(l -> l.startsWith("SLOT ")).forEach(l -> {
                String[] f = l.split(" ");
                outcomesBySlot.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f[2]);
            });
        }
        assertThat(outcomesBySlot).hasSize(DAYS);
        outcomesBySlot.forEach((slot, outcomes) -> assertThat(outcomes).as(slot).hasSize(REPLICAS)
                .containsOnlyOnce("SUCCEEDED").doesNotContain("FAILED", "ABORTED"));
        try (BackupEngine reader = Backup.repository(FileSystemStorage.at(repo)).encryption(com.eazepay.backup.spi.Encryption.none()).build()) {
            assertThat(reader.list("pg")).hasSize(DAYS);
        }
    }
}
