package com.eazepay.backup.internal;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;

import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** The engine's {@link BackupContext}: opens pipeline streams and collects facts for the manifest. */
public final class DefaultBackupContext implements BackupContext {

    private final String backupId;
    private final String sourceName;
    private final Clock clock;
    private final Set<String> tags;
    private final Map<String, String> labels;
    private final StorageTarget storage;
    private final Compression compression;
    private final Encryption encryption;
    private final PipelineThreads threads;
    private final PutOptions putOptions;
    /** Every stream name the source asked for, in order, whether or not it could be opened. */
    private final Set<String> requested = new java.util.LinkedHashSet<>();
    private final List<PipelineStream> opened = new ArrayList<>();
    private final List<Manifest.StreamInfo> committed = new ArrayList<>();
    private final Map<String, Object> facts = new TreeMap<>();
    private volatile Instant consistentAt;
    private volatile Consumer<BackupEvent> events = e -> { };

    public DefaultBackupContext(String backupId, String sourceName, Clock clock, Set<String> tags, Map<String, String> labels,
                                StorageTarget storage, Compression compression, Encryption encryption, PipelineThreads threads,
                                PutOptions putOptions) {
        this.backupId = backupId;
        this.sourceName = sourceName;
        this.clock = clock;
        this.tags = Set.copyOf(tags);
        this.labels = Map.copyOf(labels);
        this.storage = storage;
        this.compression = compression;
        this.encryption = encryption;
        this.threads = threads;
        this.putOptions = putOptions;
    }

    @Override
    public String backupId() {
        return backupId;
    }

    @Override
    public String sourceName() {
        return sourceName;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Set<String> tags() {
        return tags;
    }

    @Override
    public Map<String, String> labels() {
        return labels;
    }

    /** The object name of a stream: {@code name.ext[.zst][.age]}. */
    public static String objectName(String name, String extension, Compression compression, Encryption encryption) {
        StringBuilder sb = new StringBuilder(name).append('.').append(extension);
        if (!compression.extension().isEmpty()) {
            sb.append('.').append(compression.extension());
        }
        if (!encryption.extension().isEmpty()) {
            sb.append('.').append(encryption.extension());
        }
        return sb.toString();
    }

    @Override
    public OutputStream newStream(String name, String extension) {
        Keys.requireName("stream name", name);
        Keys.requireName("stream extension", extension);
        if (RepositoryLayout.MANIFEST_FILE.startsWith(name + ".")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "stream name '" + name + "' is reserved");
        }
        synchronized (this) {
            if (!requested.add(name)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "stream '" + name
                        + "' was already opened in backup " + backupId + ": stream names must be unique");
            }
        }
        String object = objectName(name, extension, compression, encryption);
        // outside the lock: opening may wait for other streams, possibly of this backup, to end and commit
        PipelineStream stream = new PipelineStream(name, object, extension, RepositoryLayout.streamKey(sourceName, backupId, object),
                storage, compression, encryption, threads, putOptions, this::commit);
        synchronized (this) {
            opened.add(stream);
        }
        return stream;
    }

    private synchronized void commit(Manifest.StreamInfo info) {
        committed.add(info);
    }

    /** Where {@link #publish} hands events: the engine's listeners ({@code EngineConfig::publish}). Returns this. */
    public DefaultBackupContext events(Consumer<BackupEvent> sink) {
        this.events = Objects.requireNonNull(sink, "sink");
        return this;
    }

    @Override
    public void publish(BackupEvent event) {
        BackupContext.checkSourceEvent(event, sourceName);
        events.accept(event);
    }

    @Override
    public void fact(String key, Object value) {
        Objects.requireNonNull(key, "key");
        synchronized (facts) {
            facts.put(key, value);
        }
    }

    @Override
    public void consistentAt(Instant instant) {
        this.consistentAt = Objects.requireNonNull(instant, "instant");
    }

    public Instant consistentAtOrNull() {
        return consistentAt;
    }

    public Map<String, Object> facts() {
        synchronized (facts) {
            return new TreeMap<>(facts);
        }
    }

    /**
     * Called after the source returned normally: every stream the source asked for must have been
     * opened, closed and committed, and at least one. A source that swallowed a stream's failure
     * (in {@code newStream} or {@code close()}) and returned normally does not commit.
     *
     * @return the committed streams in the order opened
     */
    public synchronized List<Manifest.StreamInfo> finish() {
        List<String> unclosed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<Manifest.StreamInfo> inOrder = new ArrayList<>();
        for (String name : requested) {
            Optional<Manifest.StreamInfo> done = committed.stream().filter(c -> c.name().equals(name)).findFirst();
            if (done.isPresent()) {
                inOrder.add(done.get());
            } else if (opened.stream().anyMatch(s -> s.name().equals(name) && !s.finished())) {
                unclosed.add(name);
            } else {
                failed.add(name);
            }
        }
        if (!failed.isEmpty()) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "source '" + sourceName + "' returned normally but streams "
                    + failed + " failed to open or to close and were not stored; the backup is incomplete (a bug in the "
                    + "source: it must let the stream's exception propagate)");
        }
        if (!unclosed.isEmpty()) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "source '" + sourceName + "' returned without closing streams "
                    + unclosed + "; the backup is incomplete (a bug in the source)");
        }
        if (inOrder.isEmpty()) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "source '" + sourceName
                    + "' produced no data stream; an empty backup is never reported as a success");
        }
        return inOrder;
    }

    /** The first upload failure of any stream, if one failed on its own (storage error). */
    public synchronized BackupException storageFailure() {
        for (PipelineStream s : opened) {
            BackupException e = s.uploadFailure();
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** Aborts open streams and returns the keys of streams that were already stored (to clean up). */
    public synchronized List<String> abort(Throwable cause) {
        List<String> stored = new ArrayList<>();
        for (PipelineStream s : opened) {
            boolean wasCommitted = committed.stream().anyMatch(c -> c.name().equals(s.name()));
            if (wasCommitted) {
                stored.add(s.key());
            } else {
                s.abort(cause);
            }
        }
        return stored;
    }
}
