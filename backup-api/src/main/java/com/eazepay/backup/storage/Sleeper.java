package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import java.time.Duration;

/** Waits. Injected so tests record delays instead of waiting. */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits for {@code duration}.
     *
     * @throws BackupException {@code INTERRUPTED} (interrupt flag restored) if the thread is interrupted
     */
    void sleep(Duration duration);

    /** The real sleeper, using {@link Thread#sleep}. */
    static Sleeper system() {
        return duration -> {
            try {
                Thread.sleep(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while waiting to retry", e);
            }
        };
    }
}
