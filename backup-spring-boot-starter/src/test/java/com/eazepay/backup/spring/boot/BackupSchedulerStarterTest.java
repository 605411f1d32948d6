package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.config.BackupConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Schedules from properties, the scheduler's life with the context, and health against the schedule. */
class BackupSchedulerStarterTest {

    @TempDir
    Path tmp;

    @Test
    void theSchedulerStartsWithTheContextAndIsClosedWithIt() {
        AtomicReference<BackupEngine> engine = new AtomicReference<>();
        new StarterFixture(tmp).runner().withPropertyValues("eazepay.backup.sources.config.schedule=0 2 * * *").run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(BackupSchedulerLifecycle.class);
            assertThat(ctx.getBean(BackupConfig.class).source("config").parsedSchedule()).isEqualTo(Schedule.cron("0 2 * * *"));
            engine.set(ctx.getBean(BackupEngine.class));
            assertThat(engine.get().scheduler().isRunning()).isTrue();
            assertThat(engine.get().status().source("config").orElseThrow().schedule()).isEqualTo(Schedule.cron("0 2 * * *").toString());
        });
        assertThat(engine.get().scheduler().isRunning()).as("closed with the context").isFalse();
    }

    @Test
    void schedulerEnabledFalseLeavesTheSchedulerStopped() {
        new StarterFixture(tmp).runner().withPropertyValues("eazepay.backup.sources.config.schedule=every 6h",
                "eazepay.backup.scheduler.enabled=false").run(ctx -> {
            assertThat(ctx).hasNotFailed().doesNotHaveBean(BackupSchedulerLifecycle.class);
            assertThat(ctx.getBean(BackupEngine.class).scheduler().isRunning()).isFalse();
            assertThat(ctx.getBean(BackupConfig.class).source("config").parsedSchedule()).isEqualTo(Schedule.every(Duration.ofHours(6)));
        });
    }

    @Test
    void aBadScheduleFailsStartupNamingTheProperty() {
        new StarterFixture(tmp).runner().withPropertyValues("eazepay.backup.sources.config.schedule=0 25 * * *").run(ctx -> {
            assertThat(ctx).hasFailed();
            Throwable t = ctx.getStartupFailure();
            while (t.getCause() != null) {
                t = t.getCause();
            }
            assertThat(t.getMessage()).contains("eazepay.backup.sources.config.schedule").contains("invalid cron expression '0 25 * * *'");
        });
    }

    @Test
    void aScheduledSourceWhoseLastSuccessIsOlderThanItsIntervalPlusGraceIsDown() {
        StarterFixture f = new StarterFixture(tmp);
        Instant now = Instant.now();
        // the health check's clock: the engine's backups carry real times; health is judged 1 h 20 min later
        Clock later = Clock.fixed(now.plus(Duration.ofMinutes(80)), ZoneOffset.UTC);
        Clock muchLater = Clock.fixed(now.plus(Duration.ofMinutes(100)), ZoneOffset.UTC);
        for (Map.Entry<Clock, Status> e : Map.of(later, Status.UP, muchLater, Status.DOWN).entrySet()) {
            f.runner().withPropertyValues("eazepay.backup.sources.config.schedule=every 1h", "eazepay.backup.scheduler.enabled=false")
                    .withBean(Clock.class, e::getKey).run(ctx -> {
                        BackupEngine engine = ctx.getBean(BackupEngine.class);
                        if (engine.list("config").isEmpty()) {
                            BackupResult r = engine.backup("config").run();
                            assertThat(r.id()).isNotBlank();
                        }
                        Health h = ctx.getBean(BackupHealthIndicator.class).health();
                        @SuppressWarnings("unchecked")
                        Map<String, Object> source = (Map<String, Object>) ((Map<String, Object>) h.getDetails().get("sources")).get("config");
                        // 1 h interval + 30 min grace: 80 min after the backup is on time, 100 min is overdue
                        assertThat(h.getStatus()).as(h.toString()).isEqualTo(e.getValue());
                        assertThat(source.get("overdue")).isEqualTo(e.getValue() == Status.DOWN);
                    });
        }
    }
}
