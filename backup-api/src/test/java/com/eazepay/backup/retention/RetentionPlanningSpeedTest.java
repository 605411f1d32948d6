package com.eazepay.backup.retention;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures (logs, never asserts) how long planning takes for 100,000 and 1,000,000 backups.
 * Slow-tagged: run with {@code mvn -Pslow -pl backup-api test -Dtest=RetentionPlanningSpeedTest}.
 */
@Tag("slow")
class RetentionPlanningSpeedTest {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionPlanningSpeedTest.class);

    @Test
    void plansAHundredThousandAndAMillionBackups() {
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(10).keepHourly(48).keepDaily(30).keepWeekly(12)
                .keepMonthly(12).keepYearly(7).keepWithinDaily(Duration.ofDays(90)).keepTagged("pre-deploy").build();
        for (int size : new int[] {100_000, 1_000_000}) {
            List<BackupInfo> history = history(size);
            Instant now = Instant.parse("2026-11-26T12:00:00Z");
            RetentionPlan plan = null;
            long best = Long.MAX_VALUE;
            long bestCpu = Long.MAX_VALUE;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int run = 0; run < 5; run++) {
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                plan = policy.plan(history, now);
                bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - c0);
                best = Math.min(best, System.nanoTime() - t0);
            }
            // CPU time is the number to compare: wall time depends on how busy the shared machine is
            LOG.info("planned {} backups in {} ms wall, {} ms CPU (best of 5): {} kept, {} removed", size,
                    best / 1_000_000, bestCpu / 1_000_000, plan.kept().size(), plan.removed().size());
            assertThat(plan.kept().size() + plan.removed().size()).isEqualTo(size);
        }
    }

    /** One backup every 10 minutes back from 2026-11-26, shuffled, every 50th tagged. */
    private static List<BackupInfo> history(int size) {
        Instant newest = Instant.parse("2026-11-26T11:50:00Z");
        List<BackupInfo> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            BackupInfo b = BackupInfo.of("b" + i, newest.minus(Duration.ofMinutes(10L * i))).withStoredBytes(1 << 20);
            list.add(i % 50 == 0 ? b.withTags("pre-deploy") : b);
        }
        Collections.shuffle(list, new Random(42));
        return list;
    }
}
