package com.eazepay.backup.mongo;

import com.eazepay.backup.ErrorCode;

/** Error codes of the MongoDB source, in addition to {@link com.eazepay.backup.CoreErrorCode}. Never renamed. */
public enum MongoErrorCode implements ErrorCode {
    /** The server refused the configured credentials (or does not support authentication). Not retryable. */
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
