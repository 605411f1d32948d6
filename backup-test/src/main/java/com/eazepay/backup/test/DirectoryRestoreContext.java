package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.RestoreContext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link RestoreContext} reading plain files, usually made by {@link DirectoryBackupContext#restoreContext()}.
 * No decompression, decryption or checksum layer is in between: a test may change a file on disk (flip a byte,
 * truncate it) to feed the source corrupt data.
 *
 * <p>{@link #openStream} may be called any number of times; each call opens the file anew.
 * {@link DirectoryBackupContext#restoreContext()} requests checks; {@link #checksRequested(boolean)} gives a copy
 * that does not. Immutable and thread-safe.
 *
 * @param manifest        the manifest of the backup being restored
 * @param files           stream name to the file holding the bytes the source wrote
 * @param clock           the clock given to the source
 * @param checksRequested whether the restore asks for post-restore checks
 */
public record DirectoryRestoreContext(Manifest manifest, Map<String, Path> files, Clock clock, boolean checksRequested)
        implements RestoreContext {

    /** Checks the components are not null and copies {@code files}. */
    public DirectoryRestoreContext {
        Objects.requireNonNull(manifest, "manifest");
        files = Map.copyOf(files);
        Objects.requireNonNull(clock, "clock");
    }

    /** A copy of this context that answers {@code requested} from {@link #checksRequested()}. */
    public DirectoryRestoreContext checksRequested(boolean requested) {
        return new DirectoryRestoreContext(manifest, files, clock, requested);
    }

    /**
     * Opens the committed file of stream {@code name}; the caller closes it.
     *
     * @throws BackupException {@code NOT_FOUND} (not retryable) if there is no such stream or its file is gone,
     *                         {@code STORAGE_FAILED} (not retryable) if it cannot be opened
     */
    @Override
    public InputStream openStream(String name) {
        Path file = files.get(name);
        if (file == null) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "backup " + manifest.id() + " has no stream '" + name
                    + "'; streams: " + files.keySet());
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "file " + file + " of stream '" + name + "' is gone", e);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot open " + file + " of stream '" + name + "'", e);
        }
    }
}
