package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.Scheduler.SlotRun;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * One replica of a service, run in its own JVM by {@link SchedulerProcessTest}: a daily schedule of
 * source {@code pg} against a filesystem repository, its test clock set to each of {@code days}
 * slots in turn; before each slot it waits until every replica is ready (files in {@code barrierDir}),
 * so that they race for the slot. Prints {@code SLOT <slot> <outcome>} per run.
 * Arguments: {@code repoDir barrierDir replicaId replicas firstSlot days}.
 */
public final class ScheduledReplicaMain {

    private ScheduledReplicaMain() {
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        Path barrier = Path.of(args[1]);
        String id = args[2];
        int replicas = Integer.parseInt(args[3]);
        Instant first = Instant.parse(args[4]);
        int days = Integer.parseInt(args[5]);
        TestClock clock = TestClock.at(first);
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(Compression.none())
                .encryption(Encryption.none()).clock(clock)
                .source(TestSources.source("pg", ctx -> {
                    try (OutputStream out = ctx.newStream("data", "txt")) {
                        out.write(("dump by replica " + id).getBytes(StandardCharsets.UTF_8));
                    }
                }))
                .schedule("pg", Schedule.cron("0 2 * * *")).build()) {
            for (int day = 0; day < days; day++) {
                clock.set(first.plus(Duration.ofDays(day)));
                await(barrier, day, id, replicas);
                for (SlotRun r : engine.scheduler().runDue()) {
                    System.out.println("SLOT " + r.slot() + " " + r.outcome());
                }
            }
        }
    }

    /** A file barrier: coordination between processes, not a timing assumption. */
    private static void await(Path dir, int day, String id, int replicas) throws IOException, InterruptedException {
        Files.createFile(dir.resolve("ready-" + day + "-" + id));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            long n;
            try (var s = Files.list(dir)) {
                n = s.filter(p -> p.getFileName().toString().startsWith("ready-" + day + "-")).count();
            }
            if (n >= replicas) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("replicas did not all reach slot " + day);
            }
            Thread.sleep(5);
        }
    }
}
