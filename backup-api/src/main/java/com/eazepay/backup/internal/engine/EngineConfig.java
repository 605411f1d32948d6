package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupListener;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.PipelineThreads;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.internal.codec.CompressionCodecs;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.SourceProvider;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a {@link com.eazepay.backup.BackupEngine} was built with (immutable values copied from the
 * builder), plus the engine's two pieces of shared state: its upload threads and whether it is
 * closed. Every operation reads its settings from here. Thread-safe.
 */
public final class EngineConfig {

    private static final Logger LOG = LoggerFactory.getLogger(EngineConfig.class);

    /** The library version recorded in manifests and in {@code repository.json}. */
    public static final String LIBRARY_VERSION = libraryVersion();

    private final StorageTarget repository;
    private final List<StorageTarget> replicas;
    private final Compression compression;
    private final Encryption encryption;
    private final Map<String, BackupSource> sources;
    private final List<BackupListener> listeners;
    private final Clock clock;
    private final boolean replicaFailureFailsBackup;
    private final Duration objectLock;
    private final Map<String, RetentionPolicy> retention;
    private final Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention;
    private final boolean allowPlaintextSensitive;
    private final CompressionCodecs codecs;
    private final PipelineThreads executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Runnable firstUse = () -> { };
    private volatile Map<String, SourceProvider> providers;

    /** Copies every collection; {@code objectLock} may be null (no lock). Starts the upload threads. */
    public EngineConfig(StorageTarget repository, List<StorageTarget> replicas, Compression compression,
                        CompressionCodecs codecs, Encryption encryption,
                        Map<String, BackupSource> sources, List<BackupListener> listeners, Clock clock,
                        boolean replicaFailureFailsBackup, Duration objectLock, Map<String, RetentionPolicy> retention,
                        Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention, boolean allowPlaintextSensitive) {
        this.repository = repository;
        this.replicas = List.copyOf(replicas);
        this.compression = compression;
        this.codecs = codecs;
        this.encryption = encryption;
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
        this.replicaFailureFailsBackup = replicaFailureFailsBackup;
        this.objectLock = objectLock;
        this.retention = Map.copyOf(retention);
        IdentityHashMap<StorageTarget, Map<String, RetentionPolicy>> rr = new IdentityHashMap<>();
        replicaRetention.forEach((t, m) -> rr.put(t, Map.copyOf(m)));
        this.replicaRetention = Collections.unmodifiableMap(rr);
        this.allowPlaintextSensitive = allowPlaintextSensitive;
        this.executor = PipelineThreads.create(PipelineThreads.DEFAULT_MAX_STREAMS, "eazepay-backup-upload-");
    }

    private static String libraryVersion() {
        try (InputStream in = com.eazepay.backup.BackupEngine.class.getResourceAsStream("version.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    public StorageTarget repository() {
        return repository;
    }

    public List<StorageTarget> replicas() {
        return replicas;
    }

    /** The repository followed by every replica. */
    public List<StorageTarget> allTargets() {
        List<StorageTarget> all = new java.util.ArrayList<>();
        all.add(repository);
        all.addAll(replicas);
        return all;
    }

    public Compression compression() {
        return compression;
    }

    public Encryption encryption() {
        return encryption;
    }

    public Map<String, BackupSource> sources() {
        return sources;
    }

    public Clock clock() {
        return clock;
    }

    public boolean replicaFailureFailsBackup() {
        return replicaFailureFailsBackup;
    }

    public Optional<Duration> objectLock() {
        return Optional.ofNullable(objectLock);
    }

    public Map<String, RetentionPolicy> retention() {
        return retention;
    }

    public Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention() {
        return replicaRetention;
    }

    public boolean allowPlaintextSensitive() {
        return allowPlaintextSensitive;
    }

    public PipelineThreads executor() {
        return executor;
    }

    /**
     * The configured source of that name.
     *
     * @throws BackupException {@code NOT_FOUND} listing the configured sources
     */
    public BackupSource source(String name) {
        BackupSource s = sources.get(name);
        if (s == null) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no source named '" + name + "'; configured sources: " + sources.keySet());
        }
        return s;
    }

    /**
     * The source that restores backup {@code m} of {@code name}: the configured source of that name,
     * else the {@link SourceProvider} (found by {@link ServiceLoader}, once per engine) of the backup's
     * source type.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} naming the artifact to add when no provider
     *                         knows the type
     */
    public BackupSource sourceFor(String name, Manifest m) {
        BackupSource configured = sources.get(name);
        if (configured != null) {
            return configured;
        }
        SourceProvider provider = providers().get(m.sourceType());
        if (provider == null) {
            String artifact = switch (String.valueOf(m.sourceType())) {
                case "postgres" -> "com.eazepay.backup:backup-postgres";
                case "mongo" -> "com.eazepay.backup:backup-mongo";
                case "redis" -> "com.eazepay.backup:backup-redis";
                case "kubernetes" -> "com.eazepay.backup:backup-kubernetes";
                default -> "the module that provides source type '" + m.sourceType() + "' (a SourceProvider in META-INF/services)";
            };
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "backup " + m.id() + " of '" + name + "' was taken by a '"
                    + m.sourceType() + "' source, which this engine neither configures nor can restore: add " + artifact
                    + " to the classpath, or configure the source (types found: " + providers().keySet() + ")");
        }
        return provider.forRestore(m);
    }

    private Map<String, SourceProvider> providers() {
        Map<String, SourceProvider> p = providers;
        if (p == null) {
            Map<String, SourceProvider> found = new java.util.TreeMap<>();
            for (SourceProvider sp : ServiceLoader.load(SourceProvider.class, EngineConfig.class.getClassLoader())) {
                found.putIfAbsent(sp.type(), sp);
            }
            providers = p = Collections.unmodifiableMap(found);
        }
        return p;
    }

    /** Hands an event to every listener; a listener that throws is logged at WARN and ignored. */
    public void publish(BackupEvent event) {
        for (BackupListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("listener {} threw on {}: {}", l, event.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /** The codec that decompresses a backup, from its manifest. */
    public Compression compressionFor(Manifest m) {
        return m.compression() == null ? Compression.none() : codecs.forId(m.compression().id(), m.compression().parameters());
    }

    /**
     * The encryption that decrypts a backup: none for a plaintext backup, else the engine's own.
     *
     * @throws BackupException {@code DECRYPTION_FAILED} if the backup used another encryption
     */
    public Encryption decryptionFor(Manifest m) {
        String id = m.encryption() == null ? "none" : m.encryption().id();
        if ("none".equals(id)) {
            return Encryption.none();
        }
        if (!id.equals(encryption.id())) {
            throw new BackupException(CoreErrorCode.DECRYPTION_FAILED, "backup " + m.id() + " is encrypted with '" + id
                    + "' but this engine is configured with '" + encryption.id() + "': configure encryption(..) for '" + id + "'");
        }
        return encryption;
    }

    /** @throws BackupException {@code INVALID_CONFIGURATION} once the engine is closed */
    public void checkOpen() {
        if (closed.get()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "this BackupEngine is closed");
        }
        firstUse();
    }

    /**
     * Sets the task run once, on the engine's first operation (no I/O at build time): the replay of cleanup journals
     * left by restore tests of a killed JVM. Its failure is logged and it is retried at the next operation.
     */
    public void onFirstUse(Runnable task) {
        this.firstUse = java.util.Objects.requireNonNull(task, "task");
    }

    /** Runs the first-use task if it has not run yet (only one thread runs it; the others do not wait). */
    public void firstUse() {
        if (started.compareAndSet(false, true)) {
            try {
                firstUse.run();
            } catch (RuntimeException e) {
                started.set(false);
                LOG.warn("engine start-up task failed ({}); retried at the next operation", e.toString());
            }
        }
    }

    /** Marks the engine closed and shuts down its upload threads. Idempotent. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            executor.shutdown();
        }
    }
}
