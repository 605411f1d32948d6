package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long the engine's prune takes over ten years of daily backups (3,650), on in-memory and
 * filesystem storage. Measured, not asserted: written to {@code target/prune-measurements.txt}.
 */
@Tag("slow")
class PruneSpeedTest {

    static final RetentionPolicy GFS = RetentionPolicy.builder().keepDaily(30).keepWeekly(12).keepMonthly(12).keepYearly(7).build();

    @TempDir
    Path tmp;

    @Test
    void tenYearsOfDailyBackupsInMemory() throws IOException {
        TestClock clock = TestClock.at(Instant.parse("2017-01-01T02:00:00Z"));
        measure("in-memory", InMemoryStorage.withClock(clock), clock);
    }

    @Test
    void tenYearsOfDailyBackupsOnTheFileSystem() throws IOException {
        TestClock clock = TestClock.at(Instant.parse("2017-01-01T02:00:00Z"));
        measure("filesystem", FileSystemStorage.at(tmp.resolve("repo")), clock);
    }

    private void measure(String what, StorageTarget storage, TestClock clock) throws IOException {
        int days = 3650;
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .source(new PruneEngineTest.TinySource("x")).clock(clock).retention("x", GFS).build()) {
            Instant start = clock.instant();
            long t0 = System.nanoTime();
            for (int d = 0; d < days; d++) {
                clock.set(start.plus(Duration.ofDays(d)));
                engine.backup("x").run();
            }
            long backupsNanos = System.nanoTime() - t0;
            clock.advance(Duration.ofHours(1));

            long t1 = System.nanoTime();
            PruneReport dry = engine.prune().dryRun();
            long dryNanos = System.nanoTime() - t1;
            long t2 = System.nanoTime();
            PruneReport run = engine.prune().run().orThrow();
            long runNanos = System.nanoTime() - t2;
            long t3 = System.nanoTime();
            PruneReport again = engine.prune().run().orThrow();
            long againNanos = System.nanoTime() - t3;

            assertThat(run.backupsRemoved()).isEqualTo(dry.backupsRemoved()).isPositive();
            assertThat(again.backupsRemoved()).isZero();
            String line = String.format(Locale.ROOT, "%s: %d daily backups taken in %d ms; dry run %d ms, prune removing %d "
                            + "(%d objects) %d ms, second prune over %d kept %d ms; load %.1f%n", what, days,
                    backupsNanos / 1_000_000, dryNanos / 1_000_000, run.backupsRemoved(),
                    run.entries().get(0).objectsDeleted(), runNanos / 1_000_000, engine.list("x").size(),
                    againNanos / 1_000_000, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/prune-measurements.txt"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
