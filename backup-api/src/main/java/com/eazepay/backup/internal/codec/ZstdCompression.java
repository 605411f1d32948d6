package com.eazepay.backup.internal.codec;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.Compression;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Zstandard frames via zstd-jni; readable by the {@code zstd -d} command. */
public final class ZstdCompression implements Compression {

    /**
     * Default level: 1. On a PostgreSQL custom-format dump, a mongodump archive and a Redis RDB of
     * payments-like data it compressed with 2.1–2.6× less CPU than level 3 and no larger output; only on
     * a small tar of configuration was level 3 about 6 % smaller (backup-benchmarks README, "zstd levels").
     * The level is not needed to decompress, so backups written at any level restore unchanged.
     */
    public static final int DEFAULT_LEVEL = 1;

    /**
     * zstd worker threads per compressed stream: 2 where the JVM sees at least 2 processors, else 0 (compression on
     * the writing thread). Same CPU per byte and the same output size; on a 2-core machine at load 12 a 94 MiB
     * pg_dump compressed at 115–150 MB/s with 2 workers against 83–128 MB/s without (backup-benchmarks README).
     * The output is one standard frame with its checksum, readable by {@code zstd -d} and by a single-threaded
     * decoder; memory: a few MiB of native buffers per stream.
     */
    static final int WORKERS = Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 0;

    private final int level;

    public ZstdCompression(int level) {
        if (level < -7 || level > 19) {
            throw new IllegalArgumentException("zstd level must be between -7 and 19, was " + level);
        }
        this.level = level;
    }

    @Override
    public String id() {
        return "zstd";
    }

    @Override
    public String extension() {
        return "zst";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("level", level);
    }

    @Override
    public OutputStream compress(OutputStream out) {
        try {
            ZstdOutputStream zstd = new ZstdOutputStream(out, level);
            zstd.setChecksum(true);
            if (WORKERS > 0) {
                // compression on zstd's own threads (one standard frame, as `zstd -T2` writes): the writing thread,
                // which also reads the source (e.g. pg_dump's stdout), no longer waits for it
                zstd.setWorkers(WORKERS);
            }
            // zstd-jni copies each write into native memory; batching small writes is much faster.
            return new BufferedOutputStream(zstd, 128 * 1024);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INTERNAL, "cannot start zstd compression: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream decompress(InputStream in) {
        try {
            ZstdInputStream zstd = new ZstdInputStream(in);
            zstd.setContinuous(false);
            return zstd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "zstd(level " + level + ")";
    }
}
