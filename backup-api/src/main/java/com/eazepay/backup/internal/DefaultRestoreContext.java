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
    private volatile long checksStartedNanos;

    public DefaultRestoreContext(Manifest manifest, Clock clock, StorageTarget storage, Compression compression,
                                 Encryption encryption, boolean checks) {
        this.manifest = manifest;
        this.clock = clock;
        this.storage = storage;
        this.compression = compression;
        this.encryption = encryption;
        this.checks = checks;
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
        return DecodedStreams.open(storage, manifest, info, compression, encryption);
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
