package com.eazepay.backup.spi;

import java.util.Map;

/**
 * Makes a {@link Compression} codec from its persisted id and parameters, so that backups written with
 * a codec stay restorable by any engine that has the codec's jar on its class path.
 *
 * <p>Found through {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/com.eazepay.backup.spi.CompressionProvider} of the codec's jar. The built-in
 * codecs ({@code zstd}, {@code gzip}, {@code none}) are registered the same way by backup-api. Each engine
 * loads the providers once, when it is built, from the thread context class loader (or backup-api's own
 * loader when there is none). An engine refuses to be built with a compression whose id no provider
 * answers (its backups could never be read back), and a restore of a backup whose codec id no provider
 * answers fails with {@code INVALID_CONFIGURATION} naming the id and the jar to add.
 *
 * <p>Implementations need a public no-argument constructor, are stateless and thread-safe.
 */
public interface CompressionProvider {

    /**
     * The persisted codec id this provider reads and writes, equal to {@link Compression#id()} of what
     * {@link #create} returns. Ids are lower case and never renamed; a provider claiming a built-in id is
     * ignored (with a warning).
     */
    String id();

    /**
     * A codec for {@code parameters}, as recorded in a manifest by {@link Compression#parameters()} (possibly
     * empty, when a manifest recorded none). Parameters that only matter when compressing (a level) may be
     * ignored; unknown parameters must be ignored so newer writers stay readable.
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} (not retryable) for a parameter
     *                                            value the codec cannot use
     */
    Compression create(Map<String, Object> parameters);
}
