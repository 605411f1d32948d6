package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupListener;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An engine-internal listener: backups running in this process and the last failure seen per source. */
public final class StatusTracker implements BackupListener {

    /** A failure. */
    public record Failure(Instant at, String code, String message) {
    }

    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    @Override
    public void onEvent(BackupEvent event) {
        if (event instanceof BackupEvent.BackupStarted e) {
            running.computeIfAbsent(e.source(), s -> new AtomicInteger()).incrementAndGet();
        } else if (event instanceof BackupEvent.BackupSucceeded e) {
            running.computeIfAbsent(e.source(), s -> new AtomicInteger()).updateAndGet(n -> Math.max(0, n - 1));
        } else if (event instanceof BackupEvent.BackupFailed e) {
            running.computeIfAbsent(e.source(), s -> new AtomicInteger()).updateAndGet(n -> Math.max(0, n - 1));
            failures.merge(e.source(), new Failure(e.at(), e.errorCode().name(), e.message()),
                    (a, b) -> b.at().isBefore(a.at()) ? a : b);
        }
    }

    /** Whether a backup of {@code source} runs in this process. */
    public boolean running(String source) {
        AtomicInteger n = running.get(source);
        return n != null && n.get() > 0;
    }

    /** The newest failure of {@code source} seen by this process, or null. */
    public Failure lastFailure(String source) {
        return failures.get(source);
    }

    @Override
    public String toString() {
        return "StatusTracker";
    }
}
