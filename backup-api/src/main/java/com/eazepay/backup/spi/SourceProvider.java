package com.eazepay.backup.spi;

import com.eazepay.backup.Manifest;

/**
 * Restores backups of one source type without the original source being configured (disaster
 * recovery on another host: only the repository, the key and where to restore are known). Found
 * through {@link java.util.ServiceLoader}: each plug-in module lists its provider in
 * {@code META-INF/services/com.eazepay.backup.spi.SourceProvider}; the engine loads them once, on the
 * first restore of a source it does not configure, and matches {@link #type()} against the
 * manifest's {@link Manifest#sourceType()}. A configured source of the backup's name always wins.
 * Implementations are stateless and thread-safe.
 */
public interface SourceProvider {

    /** The source type this provider restores, as recorded in manifests ({@code postgres}, {@code files}). */
    String type();

    /**
     * A source able to restore the backup described by {@code manifest} into a target of its type.
     * It need not be able to take backups (its {@code backup(..)} may throw {@code INVALID_CONFIGURATION}),
     * and it has no connection settings of its own: a target that would default to "the source's server"
     * must name its server, or the restore fails with {@code INVALID_CONFIGURATION}.
     */
    BackupSource forRestore(Manifest manifest);
}
