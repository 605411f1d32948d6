package com.eazepay.backup;

import com.eazepay.backup.spi.RestoreTarget;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory to restore a {@link FilesSource} backup into. By default existing files are never
 * overwritten: the restore fails with {@code TARGET_NOT_EMPTY} naming the first conflict, before
 * anything is written. Data is extracted into a hidden staging directory next to the target and
 * moved into place only after the stored stream was fully verified.
 */
public final class FilesTarget implements RestoreTarget {

    private final Path directory;
    private final boolean overwrite;

    private FilesTarget(Path directory, boolean overwrite) {
        this.directory = directory;
        this.overwrite = overwrite;
    }

    /** Restore into {@code directory} (created if missing), never overwriting existing files. */
    public static FilesTarget directory(Path directory) {
        return new FilesTarget(Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize(), false);
    }

    /** Allows replacing files that already exist in the target. */
    public FilesTarget overwriteExisting() {
        return new FilesTarget(directory, true);
    }

    /** The target directory. */
    public Path directory() {
        return directory;
    }

    /** Whether existing files may be replaced. */
    public boolean overwrites() {
        return overwrite;
    }

    @Override
    public String describe() {
        return directory.toString();
    }

    @Override
    public String toString() {
        return "FilesTarget[" + directory + (overwrite ? ", overwrite" : "") + "]";
    }
}
