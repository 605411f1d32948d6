package com.eazepay.backup.spi;

import com.eazepay.backup.internal.codec.GzipCompression;
import com.eazepay.backup.internal.codec.NoCompression;
import com.eazepay.backup.internal.codec.ZstdCompression;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A stream compression codec. Implementations are immutable and thread-safe; each call returns a
 * new stream. Closing a returned stream finishes the format and closes the wrapped stream.
 */
public interface Compression {

    /**
     * Persisted codec id: {@code zstd}, {@code gzip}, {@code none}, or a third-party id. Never renamed. A
     * backup written with an id can only be restored where a {@link CompressionProvider} answers that id.
     */
    String id();

    /** File extension appended to stream names, without dot, or empty for none ({@code zst}, {@code gz}). */
    String extension();

    /** Parameters recorded in the manifest (e.g. level). */
    Map<String, Object> parameters();

    /** Wraps {@code out}: bytes written to the result are compressed into {@code out}. */
    OutputStream compress(OutputStream out);

    /** Wraps {@code in}: reading the result yields the decompressed bytes. */
    InputStream decompress(InputStream in);

    /**
     * Zstandard at level 1 (the default codec and level, chosen from measurements on PostgreSQL dumps, Mongo
     * archives, RDB files and tar: see backup-benchmarks). Any level stays selectable with {@link #zstd(int)};
     * backups written at another level restore unchanged, decompression does not need the level.
     */
    static Compression zstd() {
        return new ZstdCompression(ZstdCompression.DEFAULT_LEVEL);
    }

    /** Zstandard at {@code level} (1 to 19; negative fast levels down to -7). */
    static Compression zstd(int level) {
        return new ZstdCompression(level);
    }

    /** gzip at level 6. */
    static Compression gzip() {
        return new GzipCompression();
    }

    /** No compression. */
    static Compression none() {
        return NoCompression.INSTANCE;
    }

    /**
     * The codec for a persisted id, looked up among the {@link CompressionProvider}s on the class path (the
     * built-ins and any third-party codec jar). Each call loads the providers afresh; engines load them once.
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} for an id no provider answers,
     *                                            naming the id and saying a provider jar must be on the class path
     */
    static Compression forId(String id) {
        return com.eazepay.backup.internal.codec.CompressionCodecs.load().forId(id, Map.of());
    }
}
