package com.eazepay.backup.mongo;

import com.eazepay.backup.ErrorCode;

/** Error codes of the MongoDB source, in addition to {@link com.eazepay.backup.CoreErrorCode}. Never renamed. */
public enum MongoErrorCode implements ErrorCode {
    /**
     * The server refused the configured credentials. No longer thrown: bad credentials are now
     * {@link com.eazepay.backup.CoreErrorCode#AUTHENTICATION_FAILED} (same name, shared by every source).
     * Kept because code names are never removed or reused.
     *
     * @deprecated compare with {@code CoreErrorCode.AUTHENTICATION_FAILED}, or by {@code name()}
     */
    @Deprecated
    AUTHENTICATION_FAILED(false);

    private final boolean retryable;

    MongoErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    @Override
    public boolean retryableByDefault() {
        return retryable;
    }
}
