package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupListener;
import com.eazepay.backup.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest state of every source as this service saw it: the newest committed backup (read from the
 * repository at start-up, then from events), failures since then, whether one is running, and the latest
 * verification. Feeds the {@code backups} endpoint and the health indicator. Thread-safe.
 *
 * <p>Failures are not stored in the repository: after a restart a source shows no failure until one
 * happens again (as {@code backup_job_failure_count} starts at 0).
 */
public final class BackupStatus implements BackupListener {

    private static final Logger LOG = LoggerFactory.getLogger(BackupStatus.class);

    /**
     * One source's state.
     *
     * @param lastSuccessAt       completion time of the newest committed backup, or null
     * @param lastSuccessId       its id, or null
     * @param lastStoredBytes     its stored size
     * @param lastFailureAt       time of the newest failed backup, or null
     * @param lastFailureCode     its error code, or null
     * @param lastFailureMessage  its message (never a secret: the engine's messages hold none), or null
     * @param failuresSinceSuccess backups failed since the last success
     * @param running             whether a backup of the source is running
     * @param lastVerification    the latest verification result, or null
     */
    public record SourceStatus(Instant lastSuccessAt, String lastSuccessId, long lastStoredBytes, Instant lastFailureAt,
                               String lastFailureCode, String lastFailureMessage, int failuresSinceSuccess, boolean running,
                               Verification lastVerification) {

        static final SourceStatus NONE = new SourceStatus(null, null, 0, null, null, null, 0, false, null);

        /** Whether the newest backup attempt failed after the last success (or there was never one). */
        public boolean failing() {
            return lastFailureAt != null && (lastSuccessAt == null || lastFailureAt.isAfter(lastSuccessAt));
        }
    }

    /**
     * A verification result.
     *
     * @param backupId the backup verified
     * @param passed   whether it passed
     * @param detail   what was checked or what failed
     * @param at       when
     */
    public record Verification(String backupId, boolean passed, String detail, Instant at) {
    }

    private final Map<String, SourceStatus> sources = new ConcurrentHashMap<>();

    /** One source's state ({@link SourceStatus#NONE}-like, all empty, if nothing is known yet). */
    public SourceStatus source(String name) {
        return sources.getOrDefault(name, SourceStatus.NONE);
    }

    /**
     * Seeds the newest committed backup of each of the engine's sources from the repository.
     *
     * @throws BackupException if the repository cannot be read
     */
    public void readRepository(BackupEngine engine) {
        for (String name : engine.sourceNames()) {
            Optional<Manifest> latest = engine.latest(name);
            latest.ifPresent(m -> sources.compute(name, (k, s) -> {
                SourceStatus cur = s == null ? SourceStatus.NONE : s;
                if (m.completedAt() == null || (cur.lastSuccessAt() != null && !m.completedAt().isAfter(cur.lastSuccessAt()))) {
                    return cur;
                }
                return new SourceStatus(m.completedAt(), m.id(), m.storedBytes(), cur.lastFailureAt(), cur.lastFailureCode(),
                        cur.lastFailureMessage(), cur.failuresSinceSuccess(), cur.running(), cur.lastVerification());
            }));
        }
    }

    @Override
    public void onEvent(BackupEvent event) {
        if (event instanceof BackupEvent.BackupStarted e) {
            update(e.source(), s -> new SourceStatus(s.lastSuccessAt(), s.lastSuccessId(), s.lastStoredBytes(), s.lastFailureAt(),
                    s.lastFailureCode(), s.lastFailureMessage(), s.failuresSinceSuccess(), true, s.lastVerification()));
        } else if (event instanceof BackupEvent.BackupSucceeded e) {
            update(e.source(), s -> new SourceStatus(e.at(), e.backupId(), e.storedBytes(), s.lastFailureAt(),
                    s.lastFailureCode(), s.lastFailureMessage(), 0, false, s.lastVerification()));
        } else if (event instanceof BackupEvent.BackupFailed e) {
            update(e.source(), s -> new SourceStatus(s.lastSuccessAt(), s.lastSuccessId(), s.lastStoredBytes(), e.at(),
                    e.errorCode() == null ? null : e.errorCode().name(), e.message(), s.failuresSinceSuccess() + 1, false,
                    s.lastVerification()));
            LOG.debug("backup of {} failed ({})", e.source(), e.errorCode());
        } else if (event instanceof BackupEvent.BackupVerified e) {
            update(e.source(), s -> new SourceStatus(s.lastSuccessAt(), s.lastSuccessId(), s.lastStoredBytes(), s.lastFailureAt(),
                    s.lastFailureCode(), s.lastFailureMessage(), s.failuresSinceSuccess(), s.running(),
                    new Verification(e.backupId(), e.passed(), e.detail(), e.at())));
        }
    }

    private void update(String source, java.util.function.UnaryOperator<SourceStatus> change) {
        sources.compute(source, (k, s) -> change.apply(s == null ? SourceStatus.NONE : s));
    }
}
