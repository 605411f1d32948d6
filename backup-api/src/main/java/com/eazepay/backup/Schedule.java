package com.eazepay.backup;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When a recurring job runs: a Unix cron expression ({@link #cron}, evaluated in UTC unless
 * {@link #inZone} says otherwise) or a fixed interval ({@link #every}, slots aligned to the epoch in
 * UTC), optionally with a jitter ({@link #withJitter}). Immutable and thread-safe.
 *
 * <p>A schedule defines <em>slots</em>: the instants the cron expression or interval names. A job
 * runs once per slot; with a jitter it runs at the slot plus an offset in {@code [0, jitter)} that
 * depends only on the job and the slot, so every replica of a service computes the same offset and
 * the replicas still agree on which slot they are running (one lease per slot, see
 * {@link Scheduler}).
 *
 * <pre>{@code
 * Schedule.cron("0 2 * * *")                                   // 02:00 UTC every day
 * Schedule.cron("0 3 * * *").inZone(ZoneId.of("Europe/Berlin")) // 03:00 Berlin time
 * Schedule.every(Duration.ofHours(6)).withJitter(Duration.ofMinutes(10))
 * }</pre>
 */
public final class Schedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** The shortest interval accepted by {@link #every}. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    private static final int INTERVAL_SAMPLES = 400;

    private final String expression;   // null for every(..)
    private final ExecutionTime execution;
    private final Duration every;
    private final ZoneId zone;
    private final Duration jitter;
    private final Duration interval;

    private Schedule(String expression, ExecutionTime execution, Duration every, ZoneId zone, Duration jitter) {
        this.expression = expression;
        this.execution = execution;
        this.every = every;
        this.zone = zone;
        this.jitter = jitter;
        this.interval = every != null ? every : longestGap(execution, zone);
    }

    /**
     * A schedule from a Unix cron expression (5 fields: minute hour day-of-month month day-of-week),
     * evaluated in UTC.
     *
     * @throws IllegalArgumentException naming the expression and what is wrong with it
     */
    public static Schedule cron(String expression) {
        Objects.requireNonNull(expression, "expression");
        Cron cron;
        try {
            cron = PARSER.parse(expression.trim()).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron expression '" + expression + "' (Unix format: minute hour "
                    + "day-of-month month day-of-week, e.g. \"0 2 * * *\"): " + e.getMessage(), e);
        }
        ExecutionTime execution = ExecutionTime.forCron(cron);
        if (execution.nextExecution(ZonedDateTime.ofInstant(Instant.EPOCH, ZoneOffset.UTC)).isEmpty()) {
            throw new IllegalArgumentException("cron expression '" + expression + "' never fires");
        }
        return new Schedule(expression.trim(), execution, null, ZoneOffset.UTC, Duration.ZERO);
    }

    /**
     * A schedule every {@code interval}, its slots aligned to the epoch in UTC (every 6 hours: 00:00,
     * 06:00, 12:00, 18:00 UTC), so that every replica computes the same slots.
     *
     * @throws IllegalArgumentException if {@code interval} is shorter than {@link #MIN_INTERVAL}
     */
    public static Schedule every(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("schedule interval must be at least " + MIN_INTERVAL + ", was " + interval);
        }
        return new Schedule(null, null, interval, ZoneOffset.UTC, Duration.ZERO);
    }

    /**
     * Evaluates the cron expression in {@code zone} (default UTC).
     *
     * @throws IllegalStateException on an {@link #every} schedule, whose slots do not depend on a zone
     */
    public Schedule inZone(ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (expression == null) {
            throw new IllegalStateException("inZone(..) applies to cron schedules; every(" + every + ") is aligned to the epoch");
        }
        return new Schedule(expression, execution, null, zone, jitter);
    }

    /**
     * Runs each slot at an offset in {@code [0, jitter)} after it, the same on every replica for a
     * given job and slot. Default none. Must be shorter than the schedule's shortest gap.
     *
     * @throws IllegalArgumentException if negative or not shorter than the interval
     */
    public Schedule withJitter(Duration jitter) {
        Objects.requireNonNull(jitter, "jitter");
        if (jitter.isNegative() || jitter.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("jitter must be between 0 and the schedule's interval " + interval + ", was " + jitter);
        }
        return new Schedule(expression, execution, every, zone, jitter);
    }

    /** The cron expression, if this is a cron schedule. */
    public Optional<String> cronExpression() {
        return Optional.ofNullable(expression);
    }

    /** The zone the cron expression is evaluated in (UTC for {@link #every}). */
    public ZoneId zone() {
        return zone;
    }

    /** The jitter ({@link Duration#ZERO} if none). */
    public Duration jitter() {
        return jitter;
    }

    /**
     * The longest time between two consecutive slots: the interval of {@link #every}; for a cron
     * schedule, the longest gap among its next 400 slots from 2026-01-01 (a daily schedule: 24 hours,
     * 25 across a daylight-saving change in a zone that has one).
     */
    public Duration interval() {
        return interval;
    }

    /**
     * The recovery point this schedule implies: the longest gap between slots plus the jitter (the
     * data lost when the source fails just before a backup would have run).
     */
    public Duration impliedRpo() {
        return interval.plus(jitter);
    }

    /** The latest slot at or before {@code t}, if there is one. */
    public Optional<Instant> slotAtOrBefore(Instant t) {
        Objects.requireNonNull(t, "t");
        if (every != null) {
            long step = every.toMillis();
            long ms = Math.floorDiv(t.toEpochMilli(), step) * step;
            return Optional.of(Instant.ofEpochMilli(ms));
        }
        ZonedDateTime probe = ZonedDateTime.ofInstant(t.plusSeconds(1), zone);
        for (int i = 0; i < 3; i++) {
            Optional<ZonedDateTime> last = execution.lastExecution(probe);
            if (last.isEmpty()) {
                return Optional.empty();
            }
            Instant s = last.get().toInstant();
            if (!s.isAfter(t)) {
                return Optional.of(s);
            }
            probe = last.get();
        }
        return Optional.empty();
    }

    /** The first slot strictly after {@code t}. */
    public Instant slotAfter(Instant t) {
        Objects.requireNonNull(t, "t");
        if (every != null) {
            long step = every.toMillis();
            long ms = (Math.floorDiv(t.toEpochMilli(), step) + 1) * step;
            return Instant.ofEpochMilli(ms);
        }
        ZonedDateTime probe = ZonedDateTime.ofInstant(t, zone);
        return execution.nextExecution(probe).map(ZonedDateTime::toInstant)
                .orElseThrow(() -> new IllegalStateException("cron expression '" + expression + "' has no slot after " + t));
    }

    /**
     * When {@code job} runs for {@code slot}: the slot plus this schedule's jitter offset for the job
     * and slot (the first 8 bytes of SHA-256 of {@code job@slot}, modulo the jitter), identical in
     * every process.
     */
    public Instant dueAt(String job, Instant slot) {
        if (jitter.isZero()) {
            return slot;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((job + "@" + slot).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return slot.plusMillis(Math.floorMod(v, Math.max(1, jitter.toMillis())));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static Duration longestGap(ExecutionTime execution, ZoneId zone) {
        ZonedDateTime t = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, zone);
        Optional<ZonedDateTime> prev = execution.nextExecution(t);
        Duration longest = Duration.ZERO;
        for (int i = 0; i < INTERVAL_SAMPLES && prev.isPresent(); i++) {
            Optional<ZonedDateTime> next = execution.nextExecution(prev.get());
            if (next.isEmpty()) {
                break;
            }
            Duration gap = Duration.between(prev.get().toInstant(), next.get().toInstant());
            if (gap.compareTo(longest) > 0) {
                longest = gap;
            }
            prev = next;
        }
        return longest.isZero() ? Duration.ofDays(366) : longest;
    }

    /** E.g. {@code cron "0 2 * * *" UTC} or {@code every PT6H}, plus the jitter if any. */
    @Override
    public String toString() {
        String s = expression != null ? "cron \"" + expression + "\" " + zone : "every " + every;
        return jitter.isZero() ? s : s + " jitter " + jitter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schedule other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
