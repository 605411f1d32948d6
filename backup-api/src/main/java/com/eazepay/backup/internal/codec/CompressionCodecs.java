package com.eazepay.backup.internal.codec;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.CompressionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The compression codecs an engine can read, by persisted id: the {@link CompressionProvider}s found by
 * {@link ServiceLoader}, loaded once per engine. Built-in ids ({@code zstd}, {@code gzip}, {@code none})
 * always resolve to the built-in codecs, even when a repackaged jar lost the service file or a third-party
 * provider claims the same id. Immutable and thread-safe once loaded.
 */
public final class CompressionCodecs {

    private static final Logger LOG = LoggerFactory.getLogger(CompressionCodecs.class);
    private static final List<CompressionProvider> BUILT_IN = List.of(
            new ZstdCompressionProvider(), new GzipCompressionProvider(), new NoCompressionProvider());

    private final Map<String, CompressionProvider> providers;

    private CompressionCodecs(Map<String, CompressionProvider> providers) {
        this.providers = providers;
    }

    /** Loads providers from the thread context class loader, or backup-api's own loader when there is none. */
    public static CompressionCodecs load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : CompressionCodecs.class.getClassLoader());
    }

    /** Loads providers from {@code loader}. A provider that cannot be instantiated fails with {@code INVALID_CONFIGURATION}. */
    public static CompressionCodecs load(ClassLoader loader) {
        Map<String, CompressionProvider> found = new TreeMap<>();
        for (CompressionProvider p : BUILT_IN) {
            found.put(p.id(), p);
        }
        try {
            for (CompressionProvider p : ServiceLoader.load(CompressionProvider.class, loader)) {
                CompressionProvider earlier = found.putIfAbsent(p.id(), p);
                if (earlier != null && earlier.getClass() != p.getClass()) {
                    LOG.warn("compression provider {} claims id '{}', already provided by {}: ignored",
                            p.getClass().getName(), p.id(), earlier.getClass().getName());
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a compression provider on the class path "
                    + "cannot be loaded: " + e.getMessage() + "; fix or remove the jar that lists it in "
                    + "META-INF/services/" + CompressionProvider.class.getName(), e);
        }
        return new CompressionCodecs(Map.copyOf(found));
    }

    /** The ids that resolve, sorted. */
    public List<String> ids() {
        return providers.keySet().stream().sorted().toList();
    }

    /** Whether backups written with {@code compression} can be read back by this set of codecs. */
    public Optional<String> problemWriting(Compression compression) {
        if (providers.containsKey(compression.id())) {
            return Optional.empty();
        }
        return Optional.of("compression '" + compression.id() + "' (" + compression.getClass().getName() + ") has no "
                + CompressionProvider.class.getSimpleName() + " on the class path, so its backups could not be restored: "
                + "register one in META-INF/services/" + CompressionProvider.class.getName());
    }

    /**
     * The codec for a persisted id and its recorded parameters.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) for an id no provider answers,
     *                         naming the id and the jar to add
     */
    public Compression forId(String id, Map<String, Object> parameters) {
        CompressionProvider p = providers.get(id);
        if (p == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "unknown compression '" + id
                    + "': no " + CompressionProvider.class.getSimpleName() + " for id '" + id + "' on the class path "
                    + "(found " + ids() + "); add the jar that provides the '" + id + "' codec to the class path "
                    + "(it registers itself in META-INF/services/" + CompressionProvider.class.getName() + ")");
        }
        return p.create(parameters == null ? Map.of() : parameters);
    }
}
