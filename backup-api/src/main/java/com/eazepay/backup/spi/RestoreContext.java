package com.eazepay.backup.spi;

import com.eazepay.backup.Manifest;

import java.io.InputStream;
import java.time.Clock;

/** What a {@link BackupSource} gets for one restore. */
public interface RestoreContext {

    /** The manifest of the backup being restored. */
    Manifest manifest();

    /** The engine's clock. */
    Clock clock();

    /**
     * Opens a stream of the backup, decrypted and decompressed: the bytes the source wrote. The
     * stored bytes are verified against the manifest's SHA-256 and size while streaming; on a
     * mismatch, a read throws {@code BackupException(CHECKSUM_MISMATCH)} naming the object and
     * offset, at the latest when the end of the stream is reached. Sources must therefore read
     * to the end before committing anything to the target. The caller closes the stream.
     *
     * <p>A stream may be opened more than once (e.g. a first pass that validates the whole
     * stream, then a second that loads it); each opening reads and verifies the stored object again.
     *
     * @throws com.eazepay.backup.BackupException {@code NOT_FOUND} if the manifest has no such stream
     */
    InputStream openStream(String name);

    /** Whether the restore request asked for post-restore checks. */
    boolean checksRequested();

    /**
     * Marks the moment the data is restored and the post-restore checks begin, so restore tests and drills report the
     * restore time and the checks time apart (stages {@code restore} and {@code checks}). Call it at most once, right
     * before the first check; a restore that runs no checks need not call it. A source that never calls it has its
     * checks counted in the restore time (the reports then say {@code restore+checks}). Default: nothing.
     */
    default void checksStarted() {
    }

    /**
     * The repository the backup is restored from, for sources that keep data beside their backups (a PostgreSQL
     * WAL archive under {@code wal/{source}/}). Empty where the context has none. Do not close it.
     */
    default java.util.Optional<StorageTarget> repository() {
        return java.util.Optional.empty();
    }

    /** The engine's encryption (with the identities it decrypts with), beside {@link #repository()}. */
    default java.util.Optional<Encryption> encryption() {
        return java.util.Optional.empty();
    }
}
