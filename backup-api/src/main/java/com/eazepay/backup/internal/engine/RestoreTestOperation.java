package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.RunningMarker;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.ScratchSwap;
import com.eazepay.backup.spi.ScratchTarget;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Restore tests: a backup restored into the source's {@link ScratchTarget}, checked, and the target always
 * dropped. Before restoring, a cleanup journal {@code locks/cleanup/{source}/{testId}.json} naming the scratch
 * resource is written to the repository, as a lease renewed while the test runs (holder host, pid, process start,
 * expiry: {@link RunningMarker}); it is deleted once the target is dropped, and a journal left by a
 * killed JVM (its holder provably dead, or its lease expired) is replayed (the source's {@link BackupSource#dropScratch}) on the first operation of the next engine
 * (no I/O at build time) and again at the start of every restore test.
 * Thread-safe.
 */
public final class RestoreTestOperation {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreTestOperation.class);
    public static final String CLEANUP_PREFIX = RepositoryLayout.LOCKS + "/cleanup/";
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final RestoreOperation restores;
    private final StorageTarget repository;

    public RestoreTestOperation(EngineConfig config, RepositoryCatalog catalog, RestoreOperation restores) {
        this.config = config;
        this.catalog = catalog;
        this.restores = restores;
        this.repository = config.repository();
        config.onFirstUse(this::replayCleanup); // "replayed at the next start": on the engine's first operation
    }

    public RestoreTestReport run(String sourceName, Selection selection, boolean random, UnaryOperator<RestoreTarget> adjust) {
        config.checkOpen();
        replayCleanup();
        Manifest m = random ? pickRandom(sourceName) : catalog.select(sourceName, selection);
        BackupSource source = config.sourceFor(sourceName, m);
        String testId = newTestId();
        ScratchTarget scratch = source.scratchTarget(testId).orElseThrow(() -> new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                "source '" + sourceName + "' (" + m.sourceType() + ") supplies no scratch target for restore tests: configure the "
                        + "source itself (a host that knows only the repository cannot choose where to restore), or restore by hand"));
        return test(source, m, testId, scratch, adjust);
    }

    /** Restores {@code m} into {@code scratch}, checks, drops; journaled. For restore tests and drills. */
    public RestoreTestReport test(BackupSource source, Manifest m, String testId, ScratchTarget scratch,
                                  UnaryOperator<RestoreTarget> adjust) {
        return test(source, m, testId, scratch, adjust, repository, false);
    }

    /**
     * As above, reading the backup from {@code from} and keeping the cleanup journal there (a full-loss drill from a
     * replica when the repository is unreachable); with {@code swap}, a scratch restore whose checks passed is swapped
     * into place ({@link ScratchTarget#swap()}) before the scratch target is dropped (it then holds nothing).
     */
    public RestoreTestReport test(BackupSource source, Manifest m, String testId, ScratchTarget scratch,
                                  UnaryOperator<RestoreTarget> adjust, StorageTarget from, boolean swap) {
        Instant started = config.clock().instant();
        String journal = CLEANUP_PREFIX + m.source() + "/" + testId + ".json";
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("source", m.source());
        entry.put("sourceType", m.sourceType());
        entry.put("testId", testId);
        entry.put("backupId", m.id());
        entry.put("resource", scratch.resource());
        entry.put("at", started.toString());
        // before anything is created (a failure here stops the test); renewed while the test runs, so a replay by an
        // engine on another host leaves this scratch target alone
        RunningMarker lease = RunningMarker.start(from, journal, "restore test", entry, config.clock());
        Map<String, Duration> stages = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        List<CheckResult> checks = List.of();
        Map<String, Object> facts = Map.of();
        String failure = null;
        String location = scratch.resource();
        RestoreTestReport.Swap swapped = null;
        try {
            RestoreResult r = restores.restore(source, m, adjust.apply(scratch.target()), true, false, from);
            checks = r.checks();
            facts = r.facts();
            location = r.location();
            stages.putAll(r.stages());
            if (swap) {
                swapped = swap(scratch, m, r, stages);
            }
        } catch (BackupException e) {
            failure = e.errorCode().name() + ": " + e.getMessage();
        } catch (RuntimeException e) {
            failure = "INTERNAL: " + e;
        }
        if (swap && swapped == null) {
            swapped = new RestoreTestReport.Swap(false, null, null, "the restore failed: nothing was swapped");
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - t0);
        if (stages.isEmpty()) {
            stages.put("restore", duration); // failed before the source finished
        }
        long c0 = System.nanoTime();
        boolean dropped = false;
        String cleanupFailure = null;
        try {
            scratch.drop();
            dropped = true;
            lease.close(); // deletes the journal
        } catch (BackupException e) {
            cleanupFailure = e.errorCode().name() + ": " + e.getMessage();
            LOG.warn("restore test {} of backup {} of '{}': dropping {} failed ({}); the cleanup journal {} stays and the next "
                    + "restore test retries", testId, m.id(), m.source(), scratch.resource(), cleanupFailure, journal);
        } catch (RuntimeException e) {
            cleanupFailure = "INTERNAL: " + e;
            LOG.warn("restore test {}: dropping {} failed: {}; the cleanup journal {} stays", testId, scratch.resource(), e.toString(), journal);
        } finally {
            if (!dropped) {
                lease.abandon(); // the next replay retries at once
            }
        }
        stages.put("cleanup", Duration.ofNanos(System.nanoTime() - c0));
        RestoreTestReport report = new RestoreTestReport(testId, m, location, checks, failure, dropped, cleanupFailure, started,
                duration, stages, swapped, facts);
        String detail = "restore test " + testId + " into " + location + (failure != null ? " failed: " + failure
                : ": " + checks.stream().map(c -> c.name() + (c.passed() ? " passed" : " FAILED (" + c.detail() + ")")).toList())
                + (swapped != null ? "; " + swapped.describe() : "")
                + "; " + String.join(", ", stages.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().toMillis() + " ms").toList())
                + (dropped ? swapped != null && swapped.swapped() ? "; nothing left to drop" : "; scratch target dropped"
                : "; scratch target NOT dropped: " + cleanupFailure);
        LOG.info("{} of backup {} of '{}': {}", report.passed() ? "passed" : "FAILED", m.id(), m.source(), detail);
        catalog.writeVerifyReport(m, "restore-test", report.passed(), detail);
        config.publish(new BackupEvent.BackupVerified(m.source(), m.id(), report.passed(), detail, config.clock().instant()));
        return report;
    }

    /** The swap into place of a checked scratch restore; never throws: a swap not done says why. */
    private static RestoreTestReport.Swap swap(ScratchTarget scratch, Manifest m, RestoreResult r, Map<String, Duration> stages) {
        if (!r.checksPassed()) {
            return new RestoreTestReport.Swap(false, null, null, "checks failed: the live data was not touched");
        }
        Optional<ScratchSwap> swap = scratch.swap();
        if (swap.isEmpty()) {
            return new RestoreTestReport.Swap(false, null, null, "source '" + m.source() + "' (" + m.sourceType()
                    + ") cannot swap a scratch restore into place: restore it into the live target by hand (see its README)");
        }
        long s0 = System.nanoTime();
        try {
            ScratchSwap.Result done = swap.get().swapIntoPlace(m);
            LOG.warn("drill swapped backup {} of '{}' into place: {} is live; previous data kept as {}", m.id(), m.source(),
                    done.live(), done.previous());
            return new RestoreTestReport.Swap(true, done.live(), done.previous(), null);
        } catch (BackupException e) {
            return new RestoreTestReport.Swap(false, null, null, "the swap failed (" + e.errorCode().name() + "): " + e.getMessage());
        } catch (RuntimeException e) {
            return new RestoreTestReport.Swap(false, null, null, "the swap failed: " + e);
        } finally {
            stages.put("swap", Duration.ofNanos(System.nanoTime() - s0));
        }
    }

    private Manifest pickRandom(String sourceName) {
        List<Manifest> all = catalog.list(sourceName, BackupFilter.all());
        if (all.isEmpty()) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no committed backup of '" + sourceName + "' in "
                    + repository.describe() + " to test");
        }
        return all.get(ThreadLocalRandom.current().nextInt(all.size()));
    }

    public String newTestId() {
        StringBuilder b = new StringBuilder(ID_TIME.format(config.clock().instant()).toLowerCase(Locale.ROOT)).append('_');
        for (int i = 0; i < 4; i++) {
            b.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(ThreadLocalRandom.current().nextInt(36)));
        }
        return b.toString();
    }

    /**
     * Drops the scratch targets of restore tests that did not finish (journals under {@code locks/cleanup/}), through
     * the configured source of each. A journal is a renewed lease ({@link RunningMarker}): it is replayed only when
     * its holder is provably gone: a dead process on this host (at once), a lease expired by more than
     * {@link Lease#SKEW_MARGIN} (a holder that stopped renewing: killed on another host), or a test that gave up
     * dropping its target. The scratch target of a restore test running elsewhere is left alone. A journal of an
     * older version (no lease) is replayed once its start is {@link #LEGACY_JOURNAL_AGE} old. A journal whose source
     * is not configured here is left for an engine that has it.
     *
     * @return how many were dropped
     */
    public int replayCleanup() {
        int dropped = 0;
        Instant now = config.clock().instant();
        for (ObjectInfo o : repository.listAll(CLEANUP_PREFIX)) {
            Map<?, ?> entry;
            try (InputStream in = repository.get(o.key())) {
                entry = Json.read(in, Map.class, o.key());
            } catch (IOException | BackupException e) {
                LOG.warn("cannot read cleanup journal {}: {}", o.key(), e.toString());
                continue;
            }
            Object name = entry.get("source");
            Object resource = entry.get("resource");
            BackupSource source = name == null ? null : config.sources().get(name.toString());
            if (source == null || resource == null) {
                LOG.info("cleanup journal {} names source '{}', not configured in this engine: left for an engine that has it", o.key(), name);
                continue;
            }
            Optional<String> stale = staleReason(entry, now);
            if (stale.isEmpty()) {
                LOG.info("cleanup journal {}: restore test {} of '{}' is still running ({}): {} left alone", o.key(),
                        entry.get("testId"), name, holder(entry).map(Lease.Holder::describe).orElse("lease unreadable"), resource);
                continue;
            }
            try {
                source.dropScratch(resource.toString());
                repository.delete(o.key());
                dropped++;
                LOG.info("dropped {} left by interrupted restore test {} of '{}' ({})", resource, entry.get("testId"), name, stale.get());
            } catch (RuntimeException e) {
                LOG.warn("dropping {} left by restore test {} failed: {}; journal {} kept", resource, entry.get("testId"), e.toString(), o.key());
            }
        }
        return dropped;
    }

    /** How old a cleanup journal of an older version (no lease) must be to be replayed. */
    public static final Duration LEGACY_JOURNAL_AGE = Duration.ofHours(1);

    /** Why the restore test of a cleanup journal is no longer running, or empty if it may be. */
    private static Optional<String> staleReason(Map<?, ?> entry, Instant now) {
        if (Boolean.TRUE.equals(entry.get(RunningMarker.ABANDONED))) {
            return Optional.of("its restore test could not drop it and gave up");
        }
        Optional<Lease.Holder> holder = holder(entry);
        if (holder.isPresent() && holder.get().host() != null) {
            return RunningMarker.staleReason(holder.get(), now);
        }
        Object at = entry.get("at");
        Instant started;
        try {
            started = at == null ? Instant.EPOCH : Instant.parse(at.toString());
        } catch (java.time.format.DateTimeParseException e) {
            started = Instant.EPOCH;
        }
        return now.isAfter(started.plus(LEGACY_JOURNAL_AGE)) ? Optional.of("a journal without a lease, started at " + started)
                : Optional.empty();
    }

    private static Optional<Lease.Holder> holder(Map<?, ?> entry) {
        try {
            return Optional.of(Json.mapper().convertValue(entry, Lease.Holder.class));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
