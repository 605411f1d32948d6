package com.eazepay.backup.postgres;

import com.eazepay.backup.ErrorCode;

/** Error codes of PostgreSQL point-in-time recovery, in addition to {@link com.eazepay.backup.CoreErrorCode}. Never renamed. */
public enum PitrErrorCode implements ErrorCode {
    /**
     * A WAL file of the same name is already archived with different content (two servers archiving into one
     * source name, or a restored server that was not given a new timeline). Not retryable: fix the configuration.
     */
    WAL_CONFLICT(false),
    /** The WAL chain from the base backup to the recovery target has a gap, or the archive ends before the target. */
    WAL_MISSING(false),
    /** The restored server did not reach the recovery target (it stopped, or recovery ended elsewhere). */
    RECOVERY_FAILED(false);

    private final boolean retryable;

    PitrErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    @Override
    public boolean retryableByDefault() {
        return retryable;
    }
}
