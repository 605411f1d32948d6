package com.eazepay.backup;

import com.eazepay.backup.internal.engine.RestoreTestOperation;
import com.eazepay.backup.internal.engine.Selection;
import com.eazepay.backup.spi.RestoreTarget;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A restore test of one source ({@code engine.verify(source).restoreTest()}): restores a backup into a
 * throw-away target the source supplies (a temporary database {@code restoretest_<id>} on the source's
 * PostgreSQL server, a temporary directory, an RDB file in a temporary directory), runs the source's checks
 * (manifest counts) and the user's, and always drops the target, also when a check fails. A cleanup journal
 * under {@code locks/cleanup/} in the repository records the target before the restore starts; a journal left
 * by a killed JVM is replayed by the next restore test. The result is recorded under {@code reports/verify/}
 * and published as {@link BackupEvent.RestoreSucceeded}/{@link BackupEvent.RestoreFailed} and
 * {@link BackupEvent.BackupVerified}.
 *
 * <p>Which backup: {@link #latest()} (the default), {@link #random()}, {@link #id}, {@link #set}. For a
 * scheduler: {@code engine.verify("db").restoreTest().random()::run} is a {@link Runnable} whose failures
 * are in the report and the events (it does not throw on a failed check). Not thread-safe; each {@link #run()}
 * is one test.
 */
public final class RestoreTestRequest {

    private final RestoreTestOperation operation;
    private final String source;
    private final Selection selection;
    private boolean random;
    private UnaryOperator<RestoreTarget> adjust = UnaryOperator.identity();

    RestoreTestRequest(RestoreTestOperation operation, String source) {
        this.operation = operation;
        this.source = source;
        this.selection = new Selection("restore test of '" + source + "'");
    }

    /** The newest backup (the default). */
    public RestoreTestRequest latest() {
        selection.latest();
        return this;
    }

    /** A backup chosen at random among the committed ones (the plan's weekly test). */
    public RestoreTestRequest random() {
        if (selection.byId().isPresent() || selection.setId().isPresent()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore test of '" + source
                    + "': random() cannot be combined with id(..) or set(..)");
        }
        random = true;
        return this;
    }

    /** Exactly this backup. */
    public RestoreTestRequest id(String backupId) {
        checkNotRandom();
        selection.id(backupId);
        return this;
    }

    /** The backup of this source in backup set {@code setId}. */
    public RestoreTestRequest set(String setId) {
        checkNotRandom();
        selection.set(setId);
        return this;
    }

    /**
     * Adds the user's checks to the scratch target, as that target type accepts them, e.g.
     * {@code .check(t -> ((PostgresTarget) t).check(Check.sql("select count(*) from users").atLeast(1)))}.
     * Called once per test with the source's scratch target; must return a target restoring into the same place.
     */
    public RestoreTestRequest check(UnaryOperator<RestoreTarget> addChecks) {
        Objects.requireNonNull(addChecks, "addChecks");
        UnaryOperator<RestoreTarget> before = adjust;
        adjust = t -> addChecks.apply(before.apply(t));
        return this;
    }

    private void checkNotRandom() {
        if (random) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore test of '" + source
                    + "': random() cannot be combined with id(..) or set(..)");
        }
    }

    /**
     * Runs the test. A failed restore or check is in the report (and the events), not thrown: call
     * {@link RestoreTestReport#orThrow()} to fail on it.
     *
     * @throws BackupException {@code NOT_FOUND} if no backup matches; {@code INVALID_CONFIGURATION} if the source
     *                         supplies no scratch target (configure a source that does, or restore by hand)
     */
    public RestoreTestReport run() {
        return operation.run(source, selection, random, adjust);
    }
}
