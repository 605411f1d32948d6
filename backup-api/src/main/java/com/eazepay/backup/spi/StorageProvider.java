package com.eazepay.backup.spi;

import com.eazepay.backup.config.ConfigNode;

/**
 * Creates a {@link StorageTarget} from the YAML configuration ({@code repository: {type: s3, ...}},
 * {@code replicas:}) or from a URL given on the command line ({@code s3://bucket/prefix}). Found through
 * {@link java.util.ServiceLoader}: each module lists its provider in
 * {@code META-INF/services/com.eazepay.backup.spi.StorageProvider}. Implementations are stateless and
 * thread-safe, with a public no-argument constructor.
 */
public interface StorageProvider {

    /** The {@code type:} this provider handles: {@code filesystem}, {@code s3}, {@code gcs}. */
    String type();

    /** URL schemes this provider accepts in {@link #fromUrl}, e.g. {@code s3}; empty for none. */
    java.util.Set<String> schemes();

    /**
     * Builds a storage target from its settings. The caller closes the target if it is
     * {@link AutoCloseable}. Does not connect.
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} naming the setting's line and column
     */
    StorageTarget fromConfig(ConfigNode settings);

    /**
     * Builds a storage target from a URL such as {@code s3://bucket/prefix} or {@code file:/mnt/offsite},
     * with default settings (credentials from the environment).
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} if the URL is malformed
     */
    StorageTarget fromUrl(java.net.URI url);
}
