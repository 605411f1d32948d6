package com.eazepay.backup;

/** The error codes of the core library. Names are persisted in events and metrics: never rename. */
public enum CoreErrorCode implements ErrorCode {
    /** The engine, a request or a plug-in was configured wrongly; the message says what to call. */
    INVALID_CONFIGURATION(false),
    /** The data store could not be reached (connection refused, timeout). */
    SOURCE_UNAVAILABLE(true),
    /** The data store or the tool reading it failed (non-zero exit, protocol error, bad path). */
    SOURCE_FAILED(false),
    /** The storage could not be reached or failed transiently. */
    STORAGE_UNAVAILABLE(true),
    /** The storage asked us to slow down. */
    STORAGE_THROTTLED(true),
    /** The storage refused the operation (permission, missing bucket, invalid request). */
    STORAGE_FAILED(false),
    /** An object, backup or source that was asked for does not exist. */
    NOT_FOUND(false),
    /** An object already exists where the operation needs none. */
    ALREADY_EXISTS(false),
    /** Stored bytes do not match the SHA-256 or size recorded in the manifest. */
    CHECKSUM_MISMATCH(false),
    /** Stored data is not in the format it claims (bad magic, truncated frame, malformed manifest). */
    CORRUPT_DATA(false),
    /** Decryption failed: wrong identity or passphrase, or tampered ciphertext. */
    DECRYPTION_FAILED(false),
    /**
     * The operation is already running: a backup of the same source in this engine, or a prune
     * holding the repository's lease (possibly in another process); the message names the holder.
     */
    ALREADY_RUNNING(false),
    /** The restore target is not in a state the restore may write into (not empty, exists). */
    TARGET_NOT_EMPTY(false),
    /** Post-restore checks did not hold. */
    CHECK_FAILED(false),
    /** A tool or server version cannot read or write the data (pg_dump older than the server, RDB version). */
    VERSION_MISMATCH(false),
    /** An operation took longer than its configured timeout. */
    TIMEOUT(true),
    /** The calling thread was interrupted; the interrupt flag has been restored. */
    INTERRUPTED(false),
    /**
     * A backup was committed to the repository, but copying it to a replica failed and the engine
     * was built with {@code replicaFailureFailsBackup(true)}. The committed backup is kept.
     */
    REPLICA_FAILED(false),
    /**
     * The data store rejected the configured credentials (wrong password, unknown user, no
     * {@code AUTH} given where one is required). Not retryable: fix the user or password the source or
     * target was built with. Every source and target reports this code for bad credentials.
     */
    AUTHENTICATION_FAILED(false),
    /** A bug in this library: please report it with the stack trace. */
    INTERNAL(false);

    private final boolean retryable;

    CoreErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    @Override
    public boolean retryableByDefault() {
        return retryable;
    }
}
