package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.StorageTarget;

import java.io.InputStream;
import java.time.Clock;

/** The engine's {@link RestoreContext}. */
public final class DefaultRestoreContext implements RestoreContext {

    private final Manifest manifest;
    private final Clock clock;
    private final StorageTarget storage;
    private final Compression compression;
    private final Encryption encryption;
    private final boolean checks;
    private final PipelineThreads threads;
    private volatile long checksStartedNanos;
    /** Every stream handed to the source, closed by {@link #closeOpenedStreams()} when the restore ends. */
    private final java.util.List<InputStream> opened = new java.util.ArrayList<>();

    /** {@code threads} decode each opened stream ahead of the source reading it ({@link DecodedStreams#openDecodingAhead}). */
    public DefaultRestoreContext(Manifest manifest, Clock clock, StorageTarget storage, Compression compression,
                                 Encryption encryption, boolean checks, PipelineThreads threads) {
        this.manifest = manifest;
        this.clock = clock;
        this.storage = storage;
        this.compression = compression;
        this.encryption = encryption;
        this.checks = checks;
        this.threads = java.util.Objects.requireNonNull(threads, "threads");
    }

    @Override
    public Manifest manifest() {
        return manifest;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public InputStream openStream(String name) {
        Manifest.StreamInfo info = manifest.stream(name).orElseThrow(() -> new BackupException(CoreErrorCode.NOT_FOUND,
                "backup " + manifest.id() + " of '" + manifest.source() + "' has no stream '" + name + "'; it has "
                        + manifest.streams().stream().map(Manifest.StreamInfo::name).toList()));
        // decoded (SHA-256, decryption, decompression) on a thread of its own while the source parses and loads
        InputStream in = DecodedStreams.openDecodingAhead(storage, manifest, info, compression, encryption, threads);
        synchronized (opened) {
            opened.add(in);
        }
        return in;
    }

    /**
     * Closes every stream the source opened (a no-op for those it closed): a source that returned or threw without
     * closing one would otherwise leave its decoding thread waiting for a reader and the stored object open.
     */
    public void closeOpenedStreams() {
        synchronized (opened) {
            for (InputStream in : opened) {
                try {
                    in.close();
                } catch (java.io.IOException | RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(DefaultRestoreContext.class).debug(
                            "closing a stream of backup {} the source left open failed: {}", manifest.id(), e.toString());
                }
            }
            opened.clear();
        }
    }

    @Override
    public boolean checksRequested() {
        return checks;
    }

    @Override
    public void checksStarted() {
        if (checksStartedNanos == 0) {
            checksStartedNanos = System.nanoTime();
        }
    }

    /** {@link System#nanoTime()} when the source marked its checks started, or 0 if it did not. */
    public long checksStartedNanos() {
        return checksStartedNanos;
    }

    @Override
    public java.util.Optional<StorageTarget> repository() {
        return java.util.Optional.of(storage);
    }

    @Override
    public java.util.Optional<Encryption> encryption() {
        return java.util.Optional.ofNullable(encryption);
    }
}
