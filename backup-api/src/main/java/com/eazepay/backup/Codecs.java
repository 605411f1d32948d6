package com.eazepay.backup;

import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;

/**
 * The built-in codecs, for applications that configure an engine without importing the SPI:
 * {@code Backup.engine().compression(Codecs.zstd(3)).encryption(Codecs.noEncryption())}. Every method
 * returns an immutable, thread-safe codec; age encryption is {@link com.eazepay.backup.age.AgeEncryption}.
 */
public final class Codecs {

    private Codecs() {
    }

    /** Zstandard at the default level (1, chosen from measurements: see backup-benchmarks). The engine's default. */
    public static Compression zstd() {
        return Compression.zstd();
    }

    /**
     * Zstandard at {@code level} (1 to 19; negative fast levels down to -7).
     *
     * @throws IllegalArgumentException for a level outside that range
     */
    public static Compression zstd(int level) {
        return Compression.zstd(level);
    }

    /** gzip at level 6, for consumers that only read gzip. */
    public static Compression gzip() {
        return Compression.gzip();
    }

    /** No compression (for data that is already compressed). */
    public static Compression noCompression() {
        return Compression.none();
    }

    /**
     * No encryption: an explicit opt-out. Sensitive sources (database dumps, env files, keys) are still
     * refused unless the engine builder is told {@code allowUnencryptedSensitiveData()}.
     */
    public static Encryption noEncryption() {
        return Encryption.none();
    }
}
