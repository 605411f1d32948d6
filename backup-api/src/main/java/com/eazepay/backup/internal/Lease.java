package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A repository lease: a JSON object created with {@link StorageTarget#putIfAbsent}, so that at most
 * one holder exists across processes and hosts that share the repository. The document names its
 * holder (a fresh owner id per acquisition, the host and the process id) and when it was acquired
 * and expires, in the engine's {@link Clock}.
 *
 * <p><b>Expired leases</b> (a holder that died) are taken over without a conditional delete, which
 * the storage SPI does not have: the taker first creates {@code locks/prune-takeover/{ownerId}.json}
 * with {@code putIfAbsent} for the expired owner id, so each expired lease is taken over by exactly
 * one process; the winner re-reads the lease, and only if it is still the same expired lease deletes
 * it and creates its own with {@code putIfAbsent} (which fails cleanly if someone else got in
 * between). Takeover tokens are kept (they are a few hundred bytes, one per crashed prune) so a
 * taker that stalled can never win a token twice; tokens older than {@link #TOKEN_RETENTION} are
 * removed on acquisition. The one residual race: between the winner's re-read and its delete, the
 * expired holder could come back, release and a third process acquire a fresh lease, which the
 * winner would then delete. That needs a dead holder to resume within milliseconds of a takeover;
 * choose a lease duration well above the longest prune.
 *
 * <p>{@link #close()} deletes the lease only if it still names this owner. Thread-safe.
 */
public final class Lease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    /** How long takeover tokens are kept. */
    public static final Duration TOKEN_RETENTION = Duration.ofDays(7);

    /** The lease document. */
    public record Holder(String owner, String host, long pid, String purpose, Instant acquiredAt, Instant expiresAt) {
        /** E.g. {@code 3f2a... on host ops-1 (pid 4242), acquired 2026-11-26T02:00:00Z, expires 2026-11-26T03:00:00Z}. */
        public String describe() {
            return owner + " on host " + host + " (pid " + pid + "), acquired " + acquiredAt + ", expires " + expiresAt;
        }
    }

    private final StorageTarget storage;
    private final String key;
    private volatile Holder holder;
    private volatile boolean released;

    private Lease(StorageTarget storage, String key, Holder holder) {
        this.storage = storage;
        this.key = key;
        this.holder = holder;
    }

    /**
     * Acquires the lease at {@code key}, taking over an expired one.
     *
     * @param tokenPrefix where takeover tokens live, e.g. {@code locks/prune-takeover/}
     * @throws BackupException {@code ALREADY_RUNNING} naming the holder and expiry if the lease is
     *                         held; storage codes if the storage fails
     */
    public static Lease acquire(StorageTarget storage, String key, String tokenPrefix, String purpose, Duration duration,
                                Clock clock) {
        Objects.requireNonNull(storage, "storage");
        Instant now = clock.instant();
        Holder me = new Holder(UUID.randomUUID().toString(), hostName(), ProcessHandle.current().pid(), purpose, now,
                now.plus(duration));
        if (create(storage, key, me)) {
            return acquired(storage, key, me, tokenPrefix, clock);
        }
        Optional<Holder> existing = read(storage, key);
        if (existing.isEmpty()) {
            // released between our attempt and the read: one more try
            if (create(storage, key, me)) {
                return acquired(storage, key, me, tokenPrefix, clock);
            }
            existing = read(storage, key);
        }
        if (existing.isEmpty()) {
            throw busy(key, storage, null, purpose);
        }
        Holder current = existing.get();
        if (current.expiresAt().isAfter(now)) {
            throw busy(key, storage, current, purpose);
        }
        // expired: exactly one taker wins the token for this owner id
        String token = tokenPrefix + current.owner() + ".json";
        if (!create(storage, token, me)) {
            Optional<Holder> now2 = read(storage, key);
            if (now2.isPresent() && now2.get().owner().equals(current.owner())) {
                throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "a " + purpose + " is already running on "
                        + storage.describe() + ": another process is taking over lease " + key + " of " + current.describe()
                        + " (takeover token " + token + " exists); try again later");
            }
            throw busy(key, storage, now2.orElse(null), purpose);
        }
        Optional<Holder> again = read(storage, key);
        if (again.isPresent() && !again.get().owner().equals(current.owner())) {
            throw busy(key, storage, again.get(), purpose);
        }
        LOG.warn("{} lease {} on {} expired at {} (held by {}): taking it over", purpose, key, storage.describe(),
                current.expiresAt(), current.describe());
        storage.delete(key);
        if (!create(storage, key, me)) {
            throw busy(key, storage, read(storage, key).orElse(null), purpose);
        }
        return acquired(storage, key, me, tokenPrefix, clock);
    }

    private static Lease acquired(StorageTarget storage, String key, Holder me, String tokenPrefix, Clock clock) {
        LOG.debug("acquired lease {} on {}: {}", key, storage.describe(), me.describe());
        Instant old = clock.instant().minus(TOKEN_RETENTION);
        try {
            for (ObjectInfo o : storage.listAll(tokenPrefix)) {
                if (!Instant.EPOCH.equals(o.lastModified()) && o.lastModified().isBefore(old)) {
                    storage.delete(o.key());
                }
            }
        } catch (BackupException e) {
            LOG.warn("cleaning old lease takeover tokens under {} on {} failed ({}): {}", tokenPrefix, storage.describe(),
                    e.errorCode().name(), e.getMessage());
        }
        return new Lease(storage, key, me);
    }

    private static BackupException busy(String key, StorageTarget storage, Holder holder, String purpose) {
        String who = holder == null ? "another process (the lease changed while it was read)" : holder.describe();
        return new BackupException(CoreErrorCode.ALREADY_RUNNING, "a " + purpose + " is already running on "
                + storage.describe() + ": lease " + key + " is held by " + who + "; wait for it to finish"
                + (holder == null ? "" : ", or until " + holder.expiresAt() + " when an abandoned lease may be taken over"));
    }

    private static boolean create(StorageTarget storage, String key, Holder h) {
        byte[] json = Json.write(h);
        return storage.putIfAbsent(key, new ByteArrayInputStream(json),
                PutOptions.defaults().withContentLength(json.length).withContentType("application/json"));
    }

    /** The current holder of the lease at {@code key}, if any. */
    public static Optional<Holder> read(StorageTarget storage, String key) {
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.get(key)) {
            return Optional.of(Json.read(in, Holder.class, storage.describe() + "/" + key));
        } catch (BackupException e) {
            if (e.errorCode() == CoreErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading lease " + key + " failed: " + e, e);
        }
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** This lease's current document. */
    public Holder holder() {
        return holder;
    }

    /**
     * Extends the lease to {@code duration} from the clock's now, if it still names this owner
     * (plain put: the same residual race as a takeover applies).
     *
     * @throws BackupException {@code ALREADY_RUNNING} if the lease expired and was taken over, or
     *                         was deleted: the caller must stop
     */
    public synchronized void renew(Duration duration, Clock clock) {
        Optional<Holder> current = read(storage, key);
        if (current.isEmpty() || !current.get().owner().equals(holder.owner())) {
            released = true; // not ours to delete any more
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "the " + holder.purpose() + " lease " + key + " on "
                    + storage.describe() + " was lost (it expired at " + holder.expiresAt() + " and is now "
                    + current.map(h -> "held by " + h.describe()).orElse("gone") + "): stopped; use a longer lease duration");
        }
        Holder renewed = new Holder(holder.owner(), holder.host(), holder.pid(), holder.purpose(), holder.acquiredAt(),
                clock.instant().plus(duration));
        byte[] json = Json.write(renewed);
        storage.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                .withContentType("application/json"));
        holder = renewed;
        LOG.debug("renewed lease {} on {} until {}", key, storage.describe(), renewed.expiresAt());
    }

    /** Deletes the lease if it still names this owner (it may have expired and been taken over). Idempotent. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        Optional<Holder> current = read(storage, key);
        if (current.isPresent() && current.get().owner().equals(holder.owner())) {
            storage.delete(key);
            LOG.debug("released lease {} on {}", key, storage.describe());
        } else {
            LOG.warn("lease {} on {} was no longer ours at release (now {}): left alone", key, storage.describe(),
                    current.map(Holder::describe).orElse("absent"));
        }
    }
}
