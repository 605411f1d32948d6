package com.eazepay.backup.spi;

import java.util.List;
import java.util.Objects;

/**
 * What {@link BackupSource#afterPrune} removed beside a source's backups (or, on a dry run, would remove), for the
 * prune report: e.g. the WAL files no kept PostgreSQL base backup needs. Immutable.
 *
 * @param kind  what the files are, plural, for the report's text (e.g. {@code "WAL files"})
 * @param files the files removed, by the source's own names (e.g. WAL file names), oldest first
 * @param keys  every storage key deleted for them (e.g. a commit record and a data object per WAL file)
 * @param bytes the bytes of those objects as the storage listed them
 */
public record PrunedBeside(String kind, List<String> files, List<String> keys, long bytes) {

    public PrunedBeside {
        Objects.requireNonNull(kind, "kind");
        files = List.copyOf(files);
        keys = List.copyOf(keys);
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0, was " + bytes);
        }
    }

    /** Nothing removed. */
    public static PrunedBeside none() {
        return new PrunedBeside("files", List.of(), List.of(), 0);
    }

    /** Whether nothing was removed. */
    public boolean isEmpty() {
        return files.isEmpty() && keys.isEmpty();
    }
}
