package com.eazepay.backup.engine;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Objectives;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.Scheduler.Outcome;
import com.eazepay.backup.Scheduler.SlotRun;
import com.eazepay.backup.ShutdownPolicy;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.schedule.SlotRecords;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler driven by a {@link TestClock} through {@code runDue()} (no sleeps, no timing
 * assertions): one run per slot across engines sharing a repository, lease takeover, catch-up,
 * shutdown policies, status and objectives.
 */
class SchedulerTest {

    static final Instant SLOT = Instant.parse("2026-11-24T02:00:00Z");
    static final Schedule DAILY = Schedule.cron("0 2 * * *");

    TestClock clock;
    InMemoryStorage storage;
    final List<BackupEngine> engines = new ArrayList<>();

    @BeforeEach
    void setUp() {
        clock = TestClock.at(SLOT.minusSeconds(60));
        storage = InMemoryStorage.withClock(clock);
    }

    @AfterEach
    void tearDown() {
        engines.forEach(BackupEngine::close);
    }

    BackupEngineBuilder builder(BackupSource source) {
        return Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .source(source).clock(clock);
    }

    BackupEngine track(BackupEngine e) {
        engines.add(e);
        return e;
    }

    BackupEngine daily(BackupSource source) {
        return track(builder(source).schedule(source.name(), DAILY).build());
    }

    static BackupSource small(String name) {
        return TestSources.source(name, ctx -> {
            try (OutputStream out = ctx.newStream("data", "txt")) {
                out.write(("data of " + name).getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    static List<Outcome> outcomes(List<SlotRun> runs) {
        return runs.stream().map(SlotRun::outcome).toList();
    }

    @Test
    void scheduledBackupRunsOncePerSlotDrivenByTheTestClock() {
        BackupEngine engine = daily(small("pg"));
        engine.backup("pg").run(); // a first backup at 01:59, so yesterday's missed slot needs no catch-up
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.SKIPPED_RECENT_SUCCESS);
        assertThat(engine.scheduler().runDue()).isEmpty();
        clock.set(SLOT);
        List<SlotRun> runs = engine.scheduler().runDue();
        assertThat(outcomes(runs)).containsExactly(Outcome.SUCCEEDED);
        assertThat(runs.get(0).slot()).isEqualTo(SLOT);
        assertThat(engine.scheduler().runDue()).isEmpty();
        clock.advance(Duration.ofHours(23).plusMinutes(59));
        assertThat(engine.scheduler().runDue()).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.SUCCEEDED);
        List<Manifest> backups = engine.list("pg").stream().filter(m -> m.labels().containsKey("schedule-slot")).toList();
        assertThat(engine.list("pg")).hasSize(3);
        assertThat(backups).hasSize(2).allSatisfy(m -> {
            assertThat(m.trigger()).isEqualTo(Trigger.SCHEDULED.id());
            assertThat(m.labels()).containsKey("schedule-slot");
        });
        assertThat(SlotRecords.recordKey("backup-pg", SLOT)).isEqualTo("reports/schedule/backup-pg/20261124T020000Z.json");
        assertThat(storage.stat("reports/schedule/backup-pg/20261124T020000Z.json")).isPresent();
        assertThat(storage.stat(SlotRecords.leaseKey("backup-pg", SLOT))).isEmpty(); // released
    }

    @Test
    void threeEnginesRacingForOneSlotProduceExactlyOneBackup() throws Exception {
        BackupSource source = small("pg");
        List<BackupEngine> three = List.of(daily(source), daily(source), daily(source));
        // at 01:59 the previous day's slot is overdue with no success: one of them catches it up
        clock.set(SLOT.minus(Duration.ofDays(1)));
        for (int day = 0; day < 10; day++) {
            CyclicBarrier barrier = new CyclicBarrier(3);
            List<CompletableFuture<List<SlotRun>>> futures = new ArrayList<>();
            for (BackupEngine e : three) {
                futures.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        barrier.await(30, TimeUnit.SECONDS);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    return e.scheduler().runDue();
                }));
            }
            List<Outcome> all = new ArrayList<>();
            for (CompletableFuture<List<SlotRun>> f : futures) {
                all.addAll(outcomes(f.get(60, TimeUnit.SECONDS)));
            }
            assertThat(all).as("day %d", day).hasSize(3).containsOnlyOnce(Outcome.SUCCEEDED)
                    .doesNotContain(Outcome.FAILED, Outcome.ABORTED);
            assertThat(three.get(0).list("pg")).hasSize(day + 1);
            clock.advance(Duration.ofDays(1));
        }
    }

    @Test
    void crashedLeaseHolderIsTakenOverAfterExpiryAndNeverBefore() {
        BackupEngine engine = track(builder(small("pg")).schedule("pg", DAILY).scheduleLease(Duration.ofMinutes(10)).build());
        clock.set(SLOT);
        // a holder that took the slot's lease and then died on another host: it never renews or releases
        Lease crashed = Lease.acquire(storage, SlotRecords.leaseKey("backup-pg", SLOT), SlotRecords.TAKEOVER_PREFIX,
                "scheduled backup-pg", Duration.ofMinutes(10), clock);
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.HELD_ELSEWHERE);
        // expiry 02:10 plus the 2-minute skew margin: still held at 02:12:00
        clock.set(SLOT.plus(Duration.ofMinutes(12)));
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.HELD_ELSEWHERE);
        assertThat(engine.list("pg")).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        List<SlotRun> runs = engine.scheduler().runDue();
        assertThat(outcomes(runs)).containsExactly(Outcome.SUCCEEDED);
        assertThat(runs.get(0).slot()).isEqualTo(SLOT);
        assertThat(runs.get(0).catchUp()).isFalse(); // it was waiting for this slot, within the grace
        assertThat(engine.list("pg")).hasSize(1);
        assertThat(engine.scheduler().runDue()).isEmpty();
        assertThat(crashed.holder().owner()).isNotBlank();
    }

    @Test
    void slotMissedByEveryoneIsCaughtUpOnceAtStartup() {
        BackupSource source = small("pg");
        // replicas were down for three nights: started at 10:00 on the third day
        clock.set(SLOT.plus(Duration.ofDays(2)).plus(Duration.ofHours(8)));
        BackupEngine first = daily(source);
        List<SlotRun> runs = first.scheduler().runDue();
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(runs.get(0).catchUp()).isTrue();
        assertThat(runs.get(0).slot()).isEqualTo(SLOT.plus(Duration.ofDays(2))); // only the latest missed slot
        assertThat(first.scheduler().runDue()).isEmpty();
        // a replica started later finds the slot done; a restart does not catch up again
        clock.advance(Duration.ofHours(1));
        BackupEngine second = daily(source);
        assertThat(outcomes(second.scheduler().runDue())).containsExactly(Outcome.DONE_ELSEWHERE);
        assertThat(first.list("pg")).hasSize(1);
    }

    @Test
    void missedSlotIsNotCaughtUpWhenTheLastSuccessIsRecent() {
        BackupSource source = small("pg");
        clock.set(SLOT.plus(Duration.ofHours(7)));
        BackupEngine engine = daily(source);
        engine.backup("pg").run(); // a manual backup at 09:00, after the missed 02:00 slot
        clock.advance(Duration.ofHours(1));
        List<SlotRun> runs = engine.scheduler().runDue();
        assertThat(outcomes(runs)).containsExactly(Outcome.SKIPPED_RECENT_SUCCESS);
        assertThat(engine.list("pg")).hasSize(1);
        clock.set(SLOT.plus(Duration.ofDays(1)));
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.SUCCEEDED);
    }

    @Test
    void failedSlotIsRecordedOnceAndReportedByStatus() {
        AtomicBoolean fail = new AtomicBoolean(true);
        BackupSource flaky = TestSources.source("pg", ctx -> {
            if (fail.get()) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "pg_dump: connection refused");
            }
            try (OutputStream out = ctx.newStream("data", "txt")) {
                out.write(1);
            }
        });
        BackupEngine engine = track(builder(flaky).schedule("pg", DAILY).objectives(Objectives.rpo(Duration.ofHours(1))).build());
        clock.set(SLOT);
        List<SlotRun> runs = engine.scheduler().runDue();
        assertThat(outcomes(runs)).containsExactly(Outcome.FAILED);
        assertThat(runs.get(0).detail()).contains("SOURCE_FAILED");
        assertThat(engine.scheduler().runDue()).isEmpty(); // a failed slot is not retried by the scheduler

        // another replica's status sees the failure through the slot record
        BackupEngine other = daily(flaky);
        EngineStatus.SourceStatus s = other.status().source("pg").orElseThrow();
        assertThat(s.lastFailureCode()).isEqualTo("SOURCE_FAILED");
        assertThat(s.lastFailureMessage()).contains("connection refused");
        assertThat(s.lastSuccess()).isNull();
        assertThat(s.nextRun()).isEqualTo(SLOT.plus(Duration.ofDays(1)));
        assertThat(s.running()).isFalse();
        assertThat(s.schedule()).isEqualTo("cron \"0 2 * * *\" Z");

        fail.set(false);
        clock.set(SLOT.plus(Duration.ofDays(1)));
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.SUCCEEDED);
        clock.advance(Duration.ofMinutes(90));
        EngineStatus status = engine.status();
        s = status.source("pg").orElseThrow();
        assertThat(s.lastSuccess()).isEqualTo(SLOT.plus(Duration.ofDays(1)));
        assertThat(s.lastSuccessId()).isEqualTo(engine.list("pg").get(0).id());
        assertThat(s.lastFailure()).isEqualTo(SLOT);
        assertThat(s.objective().rpo()).isEqualTo(Duration.ofHours(1));
        assertThat(s.objective().scheduleRpo()).isEqualTo(Duration.ofDays(1));
        assertThat(s.objective().scheduleMeetsRpo()).isFalse();
        assertThat(s.objective().dataAge()).isEqualTo(Duration.ofMinutes(90));
        assertThat(s.objective().rpoExceeded()).isTrue();
        String table = status.toTable();
        assertThat(table).contains("SOURCE/JOB", "pg", "cron \"0 2 * * *\" Z", "SOURCE_FAILED", "NOT MET");
    }

    @Test
    void objectiveTheScheduleCannotMeetIsAWarningEventNotAnError() {
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        BackupSource pg = typed("postgres", "pg");
        BackupSource redis = typed("redis", "cache");
        BackupEngine engine = track(Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .allowUnencryptedSensitiveData().source(pg).source(redis).clock(clock).listener(events::add)
                .schedule("pg", DAILY).schedule("cache", Schedule.every(Duration.ofMinutes(30)))
                .objectives(Objectives.rpo(Duration.ofHours(1)).rto(Duration.ofHours(4))).build());
        List<BackupEvent.ObjectiveBreached> breached = events.stream().filter(BackupEvent.ObjectiveBreached.class::isInstance)
                .map(BackupEvent.ObjectiveBreached.class::cast).toList();
        assertThat(breached).hasSize(1);
        BackupEvent.ObjectiveBreached b = breached.get(0);
        assertThat(b.source()).isEqualTo("pg");
        assertThat(b.rpo()).isEqualTo(Duration.ofHours(1));
        assertThat(b.scheduleRpo()).isEqualTo(Duration.ofDays(1));
        assertThat(b.advice()).contains("Schedule.every(PT1H)", "WAL archiving");
        assertThat(engine.objectives()).extracting(EngineStatus.ObjectiveStatus::source, EngineStatus.ObjectiveStatus::scheduleMeetsRpo)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pg", false), org.assertj.core.groups.Tuple.tuple("cache", true));
        assertThat(engine.objectives().get(1).rto()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void unscheduledSourceWithAnRpoIsReportedAndPerSourceOverridesApply() {
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        BackupEngine engine = track(builder(typed("mongo", "m")).allowUnencryptedSensitiveData().listener(events::add)
                .objectives(Objectives.none().rpo("m", Duration.ofHours(2))).build());
        assertThat(events).singleElement().isInstanceOfSatisfying(BackupEvent.ObjectiveBreached.class, b -> {
            assertThat(b.scheduleRpo()).isNull();
            assertThat(b.advice()).contains("no schedule", "oplog");
        });
        assertThat(engine.objectives().get(0).rpo()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void buildRefusesSchedulesOfUnknownSourcesAndPruneWithoutRetention() {
        assertThatThrownBy(() -> builder(small("pg")).schedule("pgg", DAILY).pruneSchedule(DAILY)
                .objectives(Objectives.none().rpo("x", Duration.ofHours(1))).build())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("schedule(..) names unknown sources [pgg]")
                .hasMessageContaining("pruneSchedule(..) without a retention policy")
                .hasMessageContaining("objectives name unknown sources [x]");
        assertThatThrownBy(() -> builder(small("pg")).schedule("pg", DAILY).schedule("pg", DAILY))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWithAbortPolicyAbortsARunningBackupLeavingNothingVisible() throws Exception {
        Blocking source = new Blocking("pg");
        BackupEngine engine = track(builder(source).schedule("pg", DAILY).shutdownPolicy(ShutdownPolicy.ABORT, Duration.ofSeconds(30)).build());
        clock.set(SLOT);
        CompletableFuture<List<SlotRun>> run = CompletableFuture.supplyAsync(() -> engine.scheduler().runDue());
        assertThat(source.inside.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.status().source("pg").orElseThrow().running()).isTrue();
        engine.scheduler().close();
        List<SlotRun> runs = run.get(30, TimeUnit.SECONDS);
        assertThat(outcomes(runs)).containsExactly(Outcome.ABORTED);
        assertThat(engine.list("pg")).isEmpty();
        assertThat(keys("pg/")).isEmpty();
        assertThat(keys("locks/")).isEmpty();                       // lease released: another replica may run the slot
        assertThat(keys("reports/schedule/")).isEmpty();            // nothing recorded
        assertThatThrownBy(() -> engine.scheduler().runDue()).isInstanceOf(BackupException.class).hasMessageContaining("closed");
    }

    @Test
    void closeWithFinishPolicyLetsTheRunningBackupCommit() throws Exception {
        Blocking source = new Blocking("pg");
        BackupEngine engine = track(builder(source).schedule("pg", DAILY).shutdownPolicy(ShutdownPolicy.FINISH, Duration.ofMinutes(1)).build());
        clock.set(SLOT);
        CompletableFuture<List<SlotRun>> run = CompletableFuture.supplyAsync(() -> engine.scheduler().runDue());
        assertThat(source.inside.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(engine::close);
        while (true) { // close() marks the scheduler closed first: wait for that, then let the backup finish
            try {
                engine.scheduler().runDue();
                Thread.onSpinWait();
            } catch (BackupException closed) {
                break;
            }
        }
        source.proceed.countDown();
        closing.get(60, TimeUnit.SECONDS);
        assertThat(outcomes(run.get(30, TimeUnit.SECONDS))).containsExactly(Outcome.SUCCEEDED);
        assertThat(storage.stat(SlotRecords.recordKey("backup-pg", SLOT))).isPresent();
        assertThat(keys("pg/")).anyMatch(k -> k.endsWith("manifest.json"));
    }

    @Test
    void startedSchedulerRunsTheDueSlotOnItsOwnThreadAndCloseStopsIt() throws Exception {
        CountDownLatch committed = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        BackupEngine engine = track(builder(TestSources.source("pg", ctx -> {
            threads.add(Thread.currentThread().getName());
            try (OutputStream out = ctx.newStream("data", "txt")) {
                out.write(1);
            }
        })).schedule("pg", DAILY).listener(e -> {
            if (e instanceof BackupEvent.BackupSucceeded) {
                committed.countDown();
            }
        }).build());
        clock.set(SLOT);
        assertThat(engine.scheduler().start()).isSameAs(engine.scheduler());
        assertThat(engine.scheduler().isRunning()).isTrue();
        assertThat(committed.await(60, TimeUnit.SECONDS)).isTrue();
        engine.close();
        assertThat(engine.scheduler().isRunning()).isFalse();
        assertThat(threads).singleElement().asString().startsWith("eazepay-backup-scheduler-");
        assertThat(storage.stat(SlotRecords.recordKey("backup-pg", SLOT))).isPresent();
        assertThatThrownBy(() -> engine.scheduler().start()).isInstanceOf(BackupException.class);
    }

    @Test
    void pruneVerifyAndCopyJobsRunOncePerSlotAndShowInStatus() {
        List<java.time.Instant> copies = new CopyOnWriteArrayList<>();
        BackupEngine engine = track(builder(small("pg")).schedule("pg", DAILY)
                .retention("pg", com.eazepay.backup.retention.RetentionPolicy.builder().keepLast(1).build())
                .pruneSchedule(Schedule.cron("30 2 * * *"))
                .verifySchedule(Schedule.cron("0 3 * * *"))
                .copySchedule(Schedule.cron("0 4 * * *"), (e, slot) -> copies.add(slot))
                .build());
        engine.backup("pg").run(); // 01:59: the backup's missed slot needs no catch-up...
        // ...but prune, verify and copy never succeeded: each catches up its previous slot once
        assertThat(engine.scheduler().runDue()).extracting(SlotRun::job, SlotRun::outcome, SlotRun::catchUp).containsExactly(
                org.assertj.core.groups.Tuple.tuple("backup-pg", Outcome.SKIPPED_RECENT_SUCCESS, true),
                org.assertj.core.groups.Tuple.tuple("prune", Outcome.SUCCEEDED, true),
                org.assertj.core.groups.Tuple.tuple("verify", Outcome.SUCCEEDED, true),
                org.assertj.core.groups.Tuple.tuple("copy", Outcome.SUCCEEDED, true));
        for (int day = 0; day < 2; day++) {
            for (int minutes : new int[] {0, 30, 60, 120}) { // 02:00 backup, 02:30 prune, 03:00 verify, 04:00 copy
                clock.set(SLOT.plus(Duration.ofDays(day)).plus(Duration.ofMinutes(minutes)));
                assertThat(engine.scheduler().runDue()).singleElement().extracting(SlotRun::outcome).isEqualTo(Outcome.SUCCEEDED);
            }
        }
        assertThat(copies).containsExactly(SLOT.minus(Duration.ofHours(22)), SLOT.plus(Duration.ofHours(2)), SLOT.plus(Duration.ofDays(1)).plus(Duration.ofHours(2)));
        // pruned to keepLast(1): the manual backup is gone; the prune's grace period spares the day-old backup
        assertThat(engine.list("pg")).extracting(Manifest::trigger).containsOnly(Trigger.SCHEDULED.id()).hasSize(2);
        EngineStatus status = engine.status();
        assertThat(status.jobs()).extracting(EngineStatus.JobStatus::job).containsExactly("prune", "verify", "copy");
        assertThat(status.jobs()).allSatisfy(j -> {
            assertThat(j.lastOutcome()).isEqualTo("succeeded");
            assertThat(j.running()).isFalse();
        });
        assertThat(status.jobs().get(1).lastRun()).isEqualTo(SLOT.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
        assertThat(status.jobs().get(1).nextRun()).isEqualTo(SLOT.plus(Duration.ofDays(2)).plus(Duration.ofHours(1)));
    }

    @Test
    void failingVerificationJobIsRecordedAsFailed() {
        BackupEngine engine = track(builder(small("pg")).verifySchedule(DAILY, (e, slot) -> {
            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "restore test of pg failed");
        }).build());
        clock.set(SLOT);
        List<SlotRun> runs = engine.scheduler().runDue();
        assertThat(runs).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.detail()).contains("CHECKSUM_MISMATCH");
        });
        assertThat(engine.status().jobs().get(0).lastOutcome()).startsWith("failed: CHECKSUM_MISMATCH");
        assertThat(engine.status().toTable()).contains("verify", "failed: CHECKSUM_MISMATCH");
    }

    @Test
    void backupCommittedByAHolderThatDiedBeforeWritingTheRecordIsNotTakenAgain() {
        BackupEngine engine = daily(small("pg"));
        clock.set(SLOT);
        assertThat(outcomes(engine.scheduler().runDue())).containsExactly(Outcome.SUCCEEDED);
        // the holder died between the commit point and the record: only the committed backup remains
        storage.delete(SlotRecords.recordKey("backup-pg", SLOT));
        BackupEngine other = daily(small("pg"));
        List<SlotRun> runs = other.scheduler().runDue();
        assertThat(outcomes(runs)).containsExactly(Outcome.DONE_ELSEWHERE);
        assertThat(runs.get(0).detail()).contains("record was missing");
        assertThat(engine.list("pg")).hasSize(1);
        assertThat(storage.stat(SlotRecords.recordKey("backup-pg", SLOT))).isPresent(); // written again
    }

    List<String> keys(String prefix) {
        return storage.listAll(prefix).stream().map(ObjectInfo::key).toList();
    }

    static BackupSource typed(String type, String name) {
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return type;
            }

            @Override
            public void backup(BackupContext context) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "not run in this test");
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "not restored");
            }
        };
    }

    /** Writes a stream, signals {@code inside} and waits (interruptibly) for {@code proceed}. */
    static final class Blocking implements BackupSource {
        final CountDownLatch inside = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        final String name;

        Blocking(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "test";
        }

        @Override
        public void backup(BackupContext context) {
            try (OutputStream out = context.newStream("data", "txt")) {
                out.write("partial".getBytes(StandardCharsets.UTF_8));
                inside.countDown();
                if (!proceed.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test did not release the source");
                }
                out.write(" and the rest".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while backing up", e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "not restored");
        }
    }
}
