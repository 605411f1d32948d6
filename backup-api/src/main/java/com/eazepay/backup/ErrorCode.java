package com.eazepay.backup;

/**
 * A stable, machine-readable reason carried by every {@link BackupException}.
 *
 * <p>Core codes live in {@link CoreErrorCode}; plug-ins add their own enums implementing this
 * interface. Code names are a public contract: they are added, never renamed or reused.
 */
public interface ErrorCode {

    /** The stable name of the code, e.g. {@code CHECKSUM_MISMATCH}. */
    String name();

    /** Whether an operation failing with this code may succeed when tried again unchanged. */
    boolean retryableByDefault();
}
