package com.eazepay.backup.internal;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Copies a committed backup from the repository to each replica: the stream objects, then the
 * manifest (so a replica's copy is committed only when whole). It runs after the commit point, so it
 * never touches the repository's copy: a replica failure is logged, published as
 * {@link BackupEvent.ReplicaFailed} and, when replica failures fail backups, thrown as
 * {@code REPLICA_FAILED} once every replica was tried, with a message saying the backup is committed.
 */
public final class Replicator {

    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final StorageTarget repository;
    private final List<StorageTarget> replicas;
    private final Clock clock;
    private final Consumer<BackupEvent> publish;

    public Replicator(StorageTarget repository, List<StorageTarget> replicas, Clock clock, Consumer<BackupEvent> publish) {
        this.repository = repository;
        this.replicas = replicas;
        this.clock = clock;
        this.publish = publish;
    }

    /**
     * Replicates {@code manifest}'s backup.
     *
     * @param lockUntil the backup's object-lock date, applied on replicas that support object lock
     * @param failsBackup whether to throw when a replica failed
     * @throws BackupException {@code REPLICA_FAILED} (retryable if every replica failure was) when
     *                         {@code failsBackup} and a replica failed; the backup stays committed
     */
    public void replicate(Manifest manifest, Optional<Instant> lockUntil, boolean failsBackup) {
        Map<String, BackupException> failures = new LinkedHashMap<>();
        byte[] manifestJson = null;
        for (StorageTarget replica : replicas) {
            // a replica that cannot lock still gets the copy; build() logged that it is not locked
            PutOptions options = lockUntil.isPresent() && replica.supportsObjectLock()
                    ? PutOptions.forData().withRetainUntil(lockUntil.get()) : PutOptions.forData();
            try {
                for (Manifest.StreamInfo s : manifest.streams()) {
                    String key = RepositoryLayout.streamKey(manifest.source(), manifest.id(), s.object());
                    try (InputStream in = repository.get(key)) {
                        replica.put(key, in, options.withContentLength(s.storedSize()));
                    } catch (IOException e) {
                        throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "copying " + key + " to " + replica.describe()
                                + " failed: " + e, e);
                    }
                }
                if (manifestJson == null) {
                    manifestJson = Json.write(manifest);
                }
                replica.put(RepositoryLayout.manifestKey(manifest.source(), manifest.id()), new ByteArrayInputStream(manifestJson),
                        new PutOptions(manifestJson.length, "application/json", options.retainUntil())); // bookkeeping
                LOG.info("backup {} of '{}' replicated to {}", manifest.id(), manifest.source(), replica.describe());
            } catch (BackupException e) {
                LOG.warn("backup {} of '{}' is committed to {} but replicating it to {} failed ({}): {}", manifest.id(),
                        manifest.source(), repository.describe(), replica.describe(), e.errorCode().name(), e.getMessage());
                publish.accept(new BackupEvent.ReplicaFailed(manifest.source(), manifest.id(), replica.describe(), e.errorCode(),
                        e.getMessage(), clock.instant()));
                failures.put(replica.describe(), e);
            }
        }
        if (failsBackup && !failures.isEmpty()) {
            StringBuilder detail = new StringBuilder();
            failures.forEach((replica, e) -> detail.append(detail.length() == 0 ? "" : "; ").append(replica).append(": ")
                    .append(e.errorCode().name()).append(' ').append(e.getMessage()));
            BackupException first = failures.values().iterator().next();
            BackupException thrown = new BackupException(CoreErrorCode.REPLICA_FAILED, "backup " + manifest.id() + " of '"
                    + manifest.source() + "' is committed to " + repository.describe() + " and stays there (restorable), but "
                    + "replicating it failed on " + failures.keySet() + " (" + detail + "); those replicas lack this backup "
                    + "until the next backup succeeds there", first,
                    failures.values().stream().allMatch(BackupException::isRetryable));
            failures.values().stream().skip(1).forEach(thrown::addSuppressed);
            throw thrown;
        }
    }
}
