package com.eazepay.backup.files;

import com.eazepay.backup.spi.RestoreTarget;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A directory to restore a {@link FilesSource} backup into. By default existing files are never
 * overwritten: the restore fails with {@code TARGET_NOT_EMPTY} naming the first conflict, before
 * anything is written. Data is extracted into a hidden staging directory next to the target and
 * moved into place only after the stored stream was fully verified.
 *
 * <p>A restore never follows a symbolic link below the target: the staging directory is {@code 0700} and
 * files in it {@code 0600} until the commit; links are created last; archived modes (permission bits only)
 * and times are applied after the move without following links. Absolute names, {@code ..} components,
 * entries below a symbolic link, repeated entries, hard links, devices and fifos fail the restore with
 * {@code CORRUPT_DATA} naming the entry, before anything reaches the target. A link or file in the target
 * where the backup has a directory is a {@code TARGET_NOT_EMPTY} conflict even with {@link #replaceExisting()}.
 * The target directory itself may be a link the caller chose. A failed restore removes the target directory
 * and the parents it created (when still empty).
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
    public FilesTarget replaceExisting() {
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
