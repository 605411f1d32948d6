package com.eazepay.backup;

import java.util.Objects;

/**
 * The one exception type of this library: unchecked, with an {@link ErrorCode} and a retryable flag.
 *
 * <p>Messages say what failed, on which (redacted) resource, and what to do. They never contain
 * passwords, keys or connection strings with credentials.
 */
public class BackupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient ErrorCode errorCode;
    private final boolean retryable;

    public BackupException(ErrorCode errorCode, String message) {
        this(errorCode, message, null, errorCode.retryableByDefault());
    }

    public BackupException(ErrorCode errorCode, String message, Throwable cause) {
        this(errorCode, message, cause, errorCode.retryableByDefault());
    }

    public BackupException(ErrorCode errorCode, String message, Throwable cause, boolean retryable) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
        this.retryable = retryable;
    }

    /** The stable reason code. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Whether the same operation may succeed when tried again unchanged. */
    public boolean isRetryable() {
        return retryable;
    }

    @Override
    public String toString() {
        return "BackupException[" + errorCode.name() + "]: " + getMessage();
    }
}
