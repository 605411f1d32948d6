package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.internal.BackupIds;
import com.eazepay.backup.internal.DefaultBackupContext;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.Replicator;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.internal.RunningMarker;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Takes backups: runs the source into the pipeline, writes the manifest last (the commit point),
 * deletes what was stored of a failed backup, guards the upload with a running marker, and copies a
 * committed backup to the replicas. Backups of one source never interleave within an engine.
 * Thread-safe.
 */
public final class BackupOperation {

    private static final Logger LOG = LoggerFactory.getLogger(BackupOperation.class);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final StorageTarget repository;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    public BackupOperation(EngineConfig config, RepositoryCatalog catalog) {
        this.config = config;
        this.catalog = catalog;
        this.repository = config.repository();
    }

    /**
     * One backup of one source.
     *
     * @throws BackupException {@code ALREADY_RUNNING} if a backup of the source runs in this engine;
     *                         any failure of the backup, after its stored objects were deleted
     */
    public BackupResult run(BackupSource source, Trigger trigger, Set<String> tags, Map<String, String> labels, String setId) {
        config.checkOpen();
        if (!running.add(source.name())) {
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "a backup of '" + source.name()
                    + "' is already running in this engine; wait for it to finish (backups of one source never interleave)");
        }
        try {
            return doBackup(source, trigger, tags, labels, setId);
        } finally {
            running.remove(source.name());
        }
    }

    /** A backup of every configured source, one after the other, under one set id; never throws for one source. */
    public BackupSetResult runAll(Trigger trigger, Set<String> tags, Map<String, String> labels) {
        config.checkOpen();
        String setId = "set-" + BackupIds.generate(config.clock().instant());
        Map<String, BackupResult> ok = new LinkedHashMap<>();
        Map<String, BackupException> failed = new LinkedHashMap<>();
        for (BackupSource s : config.sources().values()) {
            try {
                ok.put(s.name(), run(s, trigger, tags, labels, setId));
            } catch (BackupException e) {
                failed.put(s.name(), e);
            }
        }
        LOG.info("backup set {}: {} succeeded, {} failed{}", setId, ok.size(), failed.size(),
                failed.isEmpty() ? "" : " " + failed.keySet());
        return new BackupSetResult(setId, ok, failed);
    }

    private BackupResult doBackup(BackupSource source, Trigger trigger, Set<String> tags, Map<String, String> labels, String setId) {
        Instant startedAt = config.clock().instant();
        long t0 = System.nanoTime();
        String id = BackupIds.generate(startedAt);
        config.publish(new BackupEvent.BackupStarted(source.name(), source.type(), id, trigger.id(), startedAt));
        Optional<Instant> lockUntil = config.objectLock().map(startedAt::plus);
        PutOptions dataOptions = lockUntil.map(PutOptions.forData()::withRetainUntil).orElse(PutOptions.forData());
        DefaultBackupContext ctx = new DefaultBackupContext(id, source.name(), config.clock(), tags, labels, repository,
                config.compression(), config.encryption(), config.executor(), dataOptions).events(config::publish);
        RunningMarker marker = null; // locks/running/{source}/{id}.json: prune spares the objects while it lives
        BackupResult result;
        try {
            catalog.ensureRepository();
            marker = RunningMarker.start(repository, source.name(), id, config.clock());
            source.backup(ctx);
            List<Manifest.StreamInfo> streams = ctx.finish();
            Manifest manifest = manifest(source, id, trigger, tags, labels, setId, startedAt, ctx, streams, lockUntil);
            byte[] json = Json.write(manifest);
            marker.checkBeforeCommit(streams); // every stream object still there, or no commit
            repository.put(RepositoryLayout.manifestKey(source.name(), id), new ByteArrayInputStream(json),
                    new PutOptions(json.length, "application/json", dataOptions.retainUntil())); // bookkeeping, locked alike
            Duration duration = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("backup {} of '{}' committed to {}: {} streams, {} bytes stored ({} plaintext) in {} ms", id, source.name(),
                    repository.describe(), streams.size(), manifest.storedBytes(), manifest.plaintextBytes(), duration.toMillis());
            config.publish(new BackupEvent.BackupSucceeded(source.name(), source.type(), id, duration, manifest.storedBytes(),
                    manifest.plaintextBytes(), config.clock().instant()));
            result = new BackupResult(manifest, duration);
        } catch (RuntimeException | Error e) {
            BackupException failure = toFailure(source, id, ctx, e);
            for (String key : ctx.abort(failure)) {
                try {
                    repository.delete(key);
                } catch (RuntimeException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("backup {} of '{}' FAILED after {} ms ({}): {}", id, source.name(), duration.toMillis(),
                    failure.errorCode().name(), failure.getMessage());
            config.publish(new BackupEvent.BackupFailed(source.name(), source.type(), id, duration, failure.errorCode(),
                    failure.getMessage(), config.clock().instant()));
            if (marker != null) {
                marker.close();
            }
            throw failure;
        }
        try {
            // after the commit point: a replica failure never rolls back the committed backup; the marker
            // lives until the replicas hold their copies, so a prune of a replica spares them meanwhile
            new Replicator(repository, config.replicas(), config.clock(), config::publish)
                    .replicate(result.manifest(), lockUntil, config.replicaFailureFailsBackup());
            return result;
        } finally {
            marker.close();
        }
    }

    private Manifest manifest(BackupSource source, String id, Trigger trigger, Set<String> tags, Map<String, String> labels,
                              String setId, Instant startedAt, DefaultBackupContext ctx, List<Manifest.StreamInfo> streams,
                              Optional<Instant> lockUntil) {
        Instant completedAt = config.clock().instant();
        Map<String, Object> facts = ctx.facts();
        lockUntil.ifPresent(until -> facts.put(Manifest.OBJECT_LOCK_UNTIL_FACT, until.toString()));
        return new Manifest(Manifest.FORMAT_VERSION, id, source.name(), source.type(), trigger.id(), tags, labels,
                setId, startedAt, completedAt, Optional.ofNullable(ctx.consistentAtOrNull()).orElse(startedAt),
                EngineConfig.LIBRARY_VERSION, new Manifest.Codec(config.compression().id(), config.compression().parameters()),
                new Manifest.Codec(config.encryption().id(), config.encryption().parameters()), streams, facts);
    }

    private static BackupException toFailure(BackupSource source, String id, DefaultBackupContext ctx, Throwable e) {
        BackupException storage = ctx.storageFailure();
        if (storage != null && storage != e) {
            BackupException f = new BackupException(storage.errorCode(), "backup " + id + " of '" + source.name()
                    + "' failed: storing it failed: " + storage.getMessage(), storage, storage.isRetryable());
            f.addSuppressed(e);
            return f;
        }
        if (e instanceof BackupException be) {
            return new BackupException(be.errorCode(), "backup " + id + " of '" + source.name() + "' failed: " + be.getMessage(),
                    be, be.isRetryable());
        }
        return new BackupException(CoreErrorCode.INTERNAL, "backup " + id + " of '" + source.name() + "' failed unexpectedly: " + e, e);
    }
}
