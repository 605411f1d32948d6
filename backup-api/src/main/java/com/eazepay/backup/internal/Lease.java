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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A repository lease: a JSON object created with {@link StorageTarget#putIfAbsent}, so that at most
 * one holder exists across processes and hosts that share the repository. The document names its
 * holder (a fresh owner id per acquisition, the host, the process id, the process start time and,
 * on Linux, the machine id of {@link ProcessIdentity}) and when it was acquired and expires, in the
 * engine's {@link Clock}.
 *
 * <p><b>Stale leases</b> are taken over: a lease whose expiry plus {@link #SKEW_MARGIN} has passed
 * on the taker's clock (a holder that died on another host), and at once a lease whose holder ran
 * on this host and whose process no longer exists, or whose pid now belongs to a process started at
 * another time (a holder killed with {@code kill -9}; restic does the same). The lease reports what
 * it took over ({@link #takenOver()}).
 *
 * <p><b>Clock skew.</b> Expiry is written with the holder's clock and compared with the taker's, so
 * clocks of hosts sharing a repository must agree within {@link #SKEW_MARGIN} (2 minutes; NTP keeps
 * them within milliseconds). A holder renews in the background every quarter of the lease duration
 * ({@link #keepRenewed}), so a live holder's lease always has at least three quarters of its duration
 * left and is never taken over while the holder renews, even with a skew up to the margin.
 *
 * <p>Takeover works without a conditional delete, which the storage SPI does not have: the taker
 * first creates {@code locks/prune-takeover/{ownerId}.json} with {@code putIfAbsent} for the stale
 * owner id, so each stale lease is taken over by exactly one process; the winner re-reads the lease,
 * and only if it is still the same stale lease deletes it and creates its own with {@code putIfAbsent}
 * (which fails cleanly if someone else got in between). Takeover tokens are kept (they are a few
 * hundred bytes, one per crashed prune) so a taker that stalled can never win a token twice; tokens
 * older than {@link #TOKEN_RETENTION} are removed on acquisition. The one residual race: between the
 * winner's re-read and its delete, the stale holder could come back, release and a third process
 * acquire a fresh lease, which the winner would then delete. That needs a dead holder to resume
 * within milliseconds of a takeover.
 *
 * <p><b>Lost responses.</b> A conditional create whose response was lost is retried by
 * {@code RetryingStorage} and then answers "exists" although the stored document is ours: every
 * create is therefore confirmed by reading the holder back, and a lease (or takeover token) that
 * names this owner id is ours.
 *
 * <p>{@link #close()} deletes the lease only if it still names this owner. Thread-safe.
 */
public final class Lease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    /** How long takeover tokens are kept. */
    public static final Duration TOKEN_RETENTION = Duration.ofDays(7);

    /**
     * The clock skew tolerated between hosts sharing a repository: a lease from another host is
     * taken over only when its expiry is this much in the taker's past.
     */
    public static final Duration SKEW_MARGIN = Duration.ofMinutes(2);

    private static final ScheduledExecutorService RENEWER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eazepay-backup-lease-renewer");
        t.setDaemon(true);
        return t;
    });

    /**
     * The lease document. {@code processStart} and {@code machine} are null in leases written by
     * older versions or where the platform does not say.
     */
    public record Holder(String owner, String host, long pid, String purpose, Instant acquiredAt, Instant expiresAt,
                         Instant processStart, String machine) {

        /** A holder for this process. */
        static Holder forThisProcess(String owner, String purpose, Instant acquiredAt, Instant expiresAt) {
            return new Holder(owner, ProcessIdentity.host(), ProcessIdentity.pid(), purpose, acquiredAt, expiresAt,
                    ProcessIdentity.processStart(), ProcessIdentity.machine());
        }

        /** E.g. {@code 3f2a... on host ops-1 (pid 4242), acquired 2026-11-26T02:00:00Z, expires 2026-11-26T03:00:00Z}. */
        public String describe() {
            return owner + " on host " + host + " (pid " + pid + "), acquired " + acquiredAt + ", expires " + expiresAt;
        }

        /** Whether the holder ran on this host and its process is gone (or the pid was reused). */
        public boolean processIsGone() {
            return ProcessIdentity.isDeadHolder(host, machine, pid, processStart);
        }

        /** Whether the expiry plus {@link #SKEW_MARGIN} is before {@code now}. */
        public boolean expiredAt(Instant now) {
            return expiresAt == null || now.isAfter(expiresAt.plus(SKEW_MARGIN));
        }

        Holder withExpiry(Instant expiry) {
            return new Holder(owner, host, pid, purpose, acquiredAt, expiry, processStart, machine);
        }
    }

    /**
     * A stale lease that was taken over.
     *
     * @param previous the stale holder
     * @param reason   why it was stale, e.g. {@code "its process 4242 on this host no longer exists"}
     */
    public record Takeover(Holder previous, String reason) {
        /** One line for reports and logs. */
        public String describe() {
            return "took over the stale lease of " + previous.describe() + ": " + reason;
        }
    }

    private final StorageTarget storage;
    private final String key;
    private final Takeover takenOver;
    private volatile Holder holder;
    private volatile boolean released;
    private volatile boolean lost;
    private ScheduledFuture<?> renewal;

    private Lease(StorageTarget storage, String key, Holder holder, Takeover takenOver) {
        this.storage = storage;
        this.key = key;
        this.holder = holder;
        this.takenOver = takenOver;
    }

    /**
     * Acquires the lease at {@code key}, taking over a stale one.
     *
     * @param tokenPrefix where takeover tokens live, e.g. {@code locks/prune-takeover/}
     * @throws BackupException {@code ALREADY_RUNNING} naming the holder and expiry if the lease is
     *                         held; storage codes if the storage fails
     */
    public static Lease acquire(StorageTarget storage, String key, String tokenPrefix, String purpose, Duration duration,
                                Clock clock) {
        Objects.requireNonNull(storage, "storage");
        Instant now = clock.instant();
        Holder me = Holder.forThisProcess(UUID.randomUUID().toString(), purpose, now, now.plus(duration));
        if (createOrOwn(storage, key, me)) {
            return acquired(storage, key, me, tokenPrefix, clock, null);
        }
        Optional<Holder> existing = read(storage, key);
        if (existing.isEmpty()) {
            // released between our attempt and the read: one more try
            if (createOrOwn(storage, key, me)) {
                return acquired(storage, key, me, tokenPrefix, clock, null);
            }
            existing = read(storage, key);
        }
        if (existing.isEmpty()) {
            throw busy(key, storage, null, purpose);
        }
        Holder current = existing.get();
        String reason;
        if (current.processIsGone()) {
            reason = "its process " + current.pid() + " on this host (" + current.host() + ") no longer exists"
                    + " or its pid now belongs to another process";
        } else if (current.expiredAt(now)) {
            reason = "it expired at " + current.expiresAt() + " (now " + now + ", skew margin " + SKEW_MARGIN + ")";
        } else {
            throw busy(key, storage, current, purpose);
        }
        // stale: exactly one taker wins the token for this owner id
        String token = tokenPrefix + current.owner() + ".json";
        if (!createOrOwn(storage, token, me)) {
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
        LOG.warn("{} lease {} on {} is stale ({}; held by {}): taking it over", purpose, key, storage.describe(), reason,
                current.describe());
        storage.delete(key);
        if (!createOrOwn(storage, key, me)) {
            throw busy(key, storage, read(storage, key).orElse(null), purpose);
        }
        return acquired(storage, key, me, tokenPrefix, clock, new Takeover(current, reason));
    }

    /** What this acquisition took over, if the lease was stale. */
    public Optional<Takeover> takenOver() {
        return Optional.ofNullable(takenOver);
    }

    private static Lease acquired(StorageTarget storage, String key, Holder me, String tokenPrefix, Clock clock,
                                  Takeover takeover) {
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
        return new Lease(storage, key, me, takeover);
    }

    private static BackupException busy(String key, StorageTarget storage, Holder holder, String purpose) {
        String who = holder == null ? "another process (the lease changed while it was read)" : holder.describe();
        return new BackupException(CoreErrorCode.ALREADY_RUNNING, "a " + purpose + " is already running on "
                + storage.describe() + ": lease " + key + " is held by " + who + "; wait for it to finish"
                + (holder == null ? "" : ", or until " + holder.expiresAt() + " plus the clock-skew margin of " + SKEW_MARGIN
                + " when an abandoned lease may be taken over (at once if its process on this host has ended)"));
    }

    /**
     * Creates {@code key} naming {@code h}; true also when the create "failed" because the object
     * already names {@code h}'s owner (our own create whose response was lost and was retried).
     */
    private static boolean createOrOwn(StorageTarget storage, String key, Holder h) {
        byte[] json = Json.write(h);
        if (storage.putIfAbsent(key, new ByteArrayInputStream(json),
                PutOptions.defaults().withContentLength(json.length).withContentType("application/json"))) {
            return true;
        }
        Optional<Holder> stored = read(storage, key);
        if (stored.isPresent() && h.owner().equals(stored.get().owner())) {
            LOG.info("{} on {} already names this process's owner id {}: a lost response to our own create; it is ours",
                    key, storage.describe(), h.owner());
            return true;
        }
        return false;
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
        if (lost) {
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "the " + holder.purpose() + " lease " + key + " on "
                    + storage.describe() + " was lost (found taken over or gone at a renewal): stopped");
        }
        if (released) {
            return;
        }
        Optional<Holder> current = read(storage, key);
        if (current.isEmpty() || !current.get().owner().equals(holder.owner())) {
            released = true; // not ours to delete any more
            lost = true;
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "the " + holder.purpose() + " lease " + key + " on "
                    + storage.describe() + " was lost (it expired at " + holder.expiresAt() + " and is now "
                    + current.map(h -> "held by " + h.describe()).orElse("gone") + "): stopped; use a longer lease duration");
        }
        Holder renewed = holder.withExpiry(clock.instant().plus(duration));
        byte[] json = Json.write(renewed);
        storage.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                .withContentType("application/json"));
        holder = renewed;
        LOG.debug("renewed lease {} on {} until {}", key, storage.describe(), renewed.expiresAt());
    }

    /**
     * Renews the lease in the background every quarter of {@code duration} (real time, at least
     * every second) until {@link #close()}, so it never comes near its expiry while this process
     * lives. A renewal that finds the lease lost stops renewing ({@link #renew} then throws); a
     * renewal that fails on storage errors is logged and tried again at the next period.
     */
    public synchronized void keepRenewed(Duration duration, Clock clock) {
        if (renewal != null || released) {
            return;
        }
        long period = Math.max(1000, duration.toMillis() / 4);
        renewal = RENEWER.scheduleWithFixedDelay(() -> {
            try {
                renew(duration, clock);
            } catch (BackupException e) {
                if (lost) {
                    LOG.warn("{}; background renewal stopped", e.getMessage());
                    cancelRenewal();
                } else {
                    LOG.warn("renewing lease {} on {} failed ({}): {}; trying again in {} ms", key, storage.describe(),
                            e.errorCode().name(), e.getMessage(), period);
                }
            } catch (RuntimeException e) {
                LOG.warn("renewing lease {} on {} failed: {}; trying again in {} ms", key, storage.describe(), e, period);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private synchronized void cancelRenewal() {
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
    }

    /** Deletes the lease if it still names this owner (it may have expired and been taken over). Idempotent. */
    @Override
    public void close() {
        cancelRenewal();
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
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
