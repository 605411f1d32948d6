package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Scheduler;
import com.eazepay.backup.ShutdownPolicy;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.internal.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's {@link Scheduler}: see its Javadoc for the protocol. Per job it remembers the newest
 * slot it handled (ran, or found run elsewhere) and the slot it is waiting for (held elsewhere);
 * only the newest due slot of a job is ever considered, so missed slots never run in a burst.
 */
public final class DefaultScheduler implements Scheduler {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultScheduler.class);
    /** How often the started scheduler re-checks at most (slots held by another replica). */
    static final Duration POLL = Duration.ofMinutes(1);
    /** The label of a scheduled backup naming its slot ({@code yyyyMMdd'T'HHmmss'Z'}). */
    public static final String SLOT_LABEL = "schedule-slot";

    private final BackupEngine engine;
    private final ScheduleConfig sc;
    private final Clock clock;
    private final com.eazepay.backup.spi.StorageTarget repository;
    private final SlotRecords records;
    private final ThreadPoolExecutor executor;
    private final Map<String, JobState> states = new LinkedHashMap<>();
    private final Object wake = new Object();
    private volatile boolean closed;
    private volatile boolean aborting;
    private Thread loop;

    private static final class JobState {
        Instant handled;
        Instant pending;
        Future<SlotRun> running;
    }

    public DefaultScheduler(BackupEngine engine, com.eazepay.backup.spi.StorageTarget repository, Clock clock, ScheduleConfig sc) {
        this.engine = engine;
        this.repository = repository;
        this.clock = clock;
        this.sc = sc;
        this.records = new SlotRecords(repository);
        for (ScheduledJobSpec j : sc.jobs()) {
            states.put(j.name(), new JobState());
        }
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(sc.threads(), sc.threads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, sc.jobs().size())), r -> {
                    Thread t = new Thread(r, "eazepay-backup-scheduler-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    public ScheduleConfig config() {
        return sc;
    }

    public SlotRecords records() {
        return records;
    }

    @Override
    public synchronized Scheduler start() {
        checkOpen();
        if (loop == null) {
            loop = new Thread(this::loop, "eazepay-backup-scheduler");
            loop.setDaemon(true);
            loop.start();
            LOG.info("scheduler started: {} jobs {}", sc.jobs().size(), sc.jobs().stream().map(j -> j.name() + " " + j.schedule()).toList());
        }
        return this;
    }

    @Override
    public synchronized boolean isRunning() {
        return loop != null && !closed;
    }

    @Override
    public List<SlotRun> runDue() {
        checkOpen();
        List<Future<SlotRun>> futures = dispatch(clock.instant());
        List<SlotRun> out = new ArrayList<>();
        for (Future<SlotRun> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while waiting for scheduled jobs", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("scheduled job threw outside its handler", e.getCause());
            }
        }
        return out;
    }

    private void checkOpen() {
        if (closed) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "this scheduler is closed (a closed scheduler cannot restart)");
        }
    }

    /** Submits every due job that is not running; returns their futures. */
    private List<Future<SlotRun>> dispatch(Instant now) {
        List<Future<SlotRun>> out = new ArrayList<>();
        synchronized (states) {
            for (ScheduledJobSpec spec : sc.jobs()) {
                JobState st = states.get(spec.name());
                if (st.running != null && !st.running.isDone()) {
                    continue;
                }
                Instant slot = latestDueSlot(spec, now);
                if (slot == null || (st.handled != null && !slot.isAfter(st.handled))) {
                    continue;
                }
                boolean catchUp = !slot.equals(st.pending)
                        && now.isAfter(spec.schedule().dueAt(spec.name(), slot).plus(sc.grace()));
                st.pending = slot;
                try {
                    st.running = executor.submit(() -> runSlot(spec, slot, catchUp));
                    out.add(st.running);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    out.add(CompletableFuture.completedFuture(new SlotRun(spec.name(), slot, catchUp, Outcome.ABORTED,
                            "scheduler is closing")));
                }
            }
        }
        return out;
    }

    private static Instant latestDueSlot(ScheduledJobSpec spec, Instant now) {
        Optional<Instant> s = spec.schedule().slotAtOrBefore(now);
        if (s.isPresent() && spec.schedule().dueAt(spec.name(), s.get()).isAfter(now)) {
            s = spec.schedule().slotAtOrBefore(s.get().minusMillis(1));
        }
        return s.orElse(null);
    }

    private void handled(String job, Instant slot) {
        synchronized (states) {
            JobState st = states.get(job);
            if (st.handled == null || slot.isAfter(st.handled)) {
                st.handled = slot;
            }
            if (slot.equals(st.pending)) {
                st.pending = null;
            }
        }
    }

    private SlotRun runSlot(ScheduledJobSpec spec, Instant slot, boolean catchUp) {
        String job = spec.name();
        try {
            Optional<SlotRecords.SlotRecord> rec = records.read(job, slot);
            if (rec.isPresent()) {
                handled(job, slot);
                return new SlotRun(job, slot, catchUp, Outcome.DONE_ELSEWHERE, describe(rec.get()));
            }
            if (catchUp) {
                Instant last = lastSuccess(spec);
                Instant limit = clock.instant().minus(spec.schedule().interval().plus(sc.grace()));
                if (last != null && last.isAfter(limit)) {
                    handled(job, slot);
                    LOG.info("{}: slot {} was missed; not caught up, the last success ({}) is newer than interval + grace", job, slot, last);
                    return new SlotRun(job, slot, true, Outcome.SKIPPED_RECENT_SUCCESS, "last success " + last);
                }
                LOG.warn("{}: slot {} was missed by every scheduler (last success {}): catching it up once now", job, slot,
                        last == null ? "never" : last);
            }
            Lease lease;
            try {
                lease = Lease.acquire(repository, SlotRecords.leaseKey(job, slot), SlotRecords.TAKEOVER_PREFIX,
                        "scheduled " + job + " of slot " + slot, sc.leaseDuration(), clock);
            } catch (BackupException e) {
                if (e.errorCode() == CoreErrorCode.ALREADY_RUNNING) {
                    LOG.debug("{}: slot {} is held elsewhere: {}", job, slot, e.getMessage());
                    return new SlotRun(job, slot, catchUp, Outcome.HELD_ELSEWHERE, e.getMessage());
                }
                throw e;
            }
            try (lease) {
                lease.keepRenewed(sc.leaseDuration(), clock);
                rec = records.read(job, slot);
                if (rec.isPresent()) {
                    handled(job, slot);
                    return new SlotRun(job, slot, catchUp, Outcome.DONE_ELSEWHERE, describe(rec.get()));
                }
                lease.takenOver().ifPresent(t -> LOG.warn("{}: slot {}: {}", job, slot, t.describe()));
                if (spec.source() != null) {
                    // committed by a holder that died (or failed to write the record) after the commit point
                    Optional<Manifest> newest = engine.latest(spec.source());
                    if (newest.isPresent() && SlotRecords.slotName(slot).equals(newest.get().labels().get(SLOT_LABEL))) {
                        handled(job, slot);
                        writeRecord(SlotRecords.record(job, slot, true, null, null, newest.get().id(), newest.get().startedAt(),
                                newest.get().completedAt()));
                        return new SlotRun(job, slot, catchUp, Outcome.DONE_ELSEWHERE, "backup " + newest.get().id()
                                + " of this slot is committed (its record was missing)");
                    }
                }
                return runJob(spec, slot, catchUp);
            }
        } catch (BackupException e) {
            if (aborting) {
                Thread.interrupted();
                return new SlotRun(job, slot, catchUp, Outcome.ABORTED, e.getMessage());
            }
            // storage trouble before the job ran: nothing recorded, the slot stays pending and is tried again
            LOG.warn("{}: slot {} could not be started ({}): {}; trying again at the next check", job, slot,
                    e.errorCode().name(), e.getMessage());
            return new SlotRun(job, slot, catchUp, Outcome.FAILED, "not started: " + e.errorCode().name() + " " + e.getMessage());
        }
    }

    private SlotRun runJob(ScheduledJobSpec spec, Instant slot, boolean catchUp) {
        String job = spec.name();
        Instant started = clock.instant();
        try {
            String detail;
            if (spec.source() != null) {
                BackupResult r = engine.backup(spec.source()).trigger(Trigger.SCHEDULED)
                        .label(SLOT_LABEL, SlotRecords.slotName(slot)).run();
                detail = r.id();
            } else {
                spec.action().run(engine, slot);
                detail = "";
            }
            handled(job, slot);
            writeRecord(SlotRecords.record(job, slot, true, null, null, detail, started, clock.instant()));
            LOG.info("{}: slot {} succeeded{}", job, slot, detail.isEmpty() ? "" : " (" + detail + ")");
            return new SlotRun(job, slot, catchUp, Outcome.SUCCEEDED, detail);
        } catch (RuntimeException e) {
            String code = e instanceof BackupException be ? be.errorCode().name() : e.getClass().getSimpleName();
            if (aborting && (Thread.interrupted() || CoreErrorCode.INTERRUPTED.name().equals(code))) {
                LOG.warn("{}: slot {} aborted by the scheduler's shutdown; not recorded, another scheduler may run it", job, slot);
                return new SlotRun(job, slot, catchUp, Outcome.ABORTED, code + " " + e.getMessage());
            }
            String message = String.valueOf(e.getMessage());
            handled(job, slot);
            writeRecord(SlotRecords.record(job, slot, false, code, message, null, started, clock.instant()));
            LOG.error("{}: slot {} failed ({}): {}", job, slot, code, message);
            return new SlotRun(job, slot, catchUp, Outcome.FAILED, code + " " + message);
        }
    }

    /**
     * Writes a slot's record; a storage failure is logged, never turned into a re-run: the slot is
     * handled in this process, and other replicas see its lease released with no record, which after a
     * success they take for unrun (at most one extra run, only when the record write failed).
     */
    private void writeRecord(SlotRecords.SlotRecord r) {
        try {
            records.write(r);
        } catch (BackupException e) {
            LOG.warn("{}: writing the record of slot {} failed ({}): {}", r.job(), r.slot(), e.errorCode().name(), e.getMessage());
        }
    }

    private static String describe(SlotRecords.SlotRecord r) {
        return r.outcome() + (r.code() == null ? "" : " " + r.code()) + " on host " + r.host() + " (pid " + r.pid() + ")"
                + (r.detail() == null || r.detail().isEmpty() ? "" : ": " + r.detail());
    }

    /** The newest success of a job: its newest success record, and for a backup the newest committed backup. */
    Instant lastSuccess(ScheduledJobSpec spec) {
        Instant last = null;
        for (SlotRecords.SlotRecord r : records.newest(spec.name(), 50)) {
            if (r.succeeded()) {
                last = r.finishedAt();
                break;
            }
        }
        if (spec.source() != null) {
            Optional<Manifest> m = engine.latest(spec.source());
            if (m.isPresent() && m.get().completedAt() != null && (last == null || m.get().completedAt().isAfter(last))) {
                last = m.get().completedAt();
            }
        }
        return last;
    }

    /** When a job next runs (slot plus jitter), or null once closed. */
    public Instant nextRun(ScheduledJobSpec spec, Instant now) {
        if (closed) {
            return null;
        }
        Instant handled;
        Instant pending;
        synchronized (states) {
            handled = states.get(spec.name()).handled;
            pending = states.get(spec.name()).pending;
        }
        if (pending != null) {
            return spec.schedule().dueAt(spec.name(), pending);
        }
        Optional<Instant> s = spec.schedule().slotAtOrBefore(now);
        if (s.isPresent() && (handled == null || s.get().isAfter(handled))) {
            Instant due = spec.schedule().dueAt(spec.name(), s.get());
            if (due.isAfter(now)) {
                return due;
            }
        }
        Instant next = spec.schedule().slotAfter(now);
        return spec.schedule().dueAt(spec.name(), next);
    }

    /** Whether a job runs in this process now. */
    public boolean running(String job) {
        synchronized (states) {
            Future<SlotRun> f = states.get(job).running;
            return f != null && !f.isDone();
        }
    }

    private void loop() {
        while (!closed) {
            try {
                dispatch(clock.instant());
            } catch (RuntimeException e) {
                LOG.warn("scheduler check failed: {}; trying again in {}", e.toString(), POLL);
            }
            Instant now = clock.instant();
            long waitMs = POLL.toMillis();
            for (ScheduledJobSpec spec : sc.jobs()) {
                Instant next = nextRun(spec, now);
                // a slot due already is running here or held elsewhere: re-checked at the poll, not in a busy loop
                if (next != null && next.isAfter(now)) {
                    waitMs = Math.min(waitMs, Math.max(1000, Duration.between(now, next).toMillis()));
                }
            }
            synchronized (wake) {
                try {
                    if (!closed) {
                        wake.wait(waitMs);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        Thread l;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = loop;
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        if (l != null) {
            l.interrupt();
        }
        long timeoutMs = sc.shutdownTimeout().toMillis();
        try {
            if (sc.shutdownPolicy() == ShutdownPolicy.FINISH) {
                executor.shutdown();
                if (!executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                    LOG.warn("scheduled jobs still running after the shutdown timeout {}: aborting them", sc.shutdownTimeout());
                    aborting = true;
                    executor.shutdownNow();
                    executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS);
                }
            } else {
                aborting = true;
                executor.shutdownNow();
                if (!executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                    LOG.warn("aborted scheduled jobs did not end within {}", sc.shutdownTimeout());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        if (l != null) {
            try {
                l.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.debug("scheduler closed");
    }
}
