package com.eazepay.backup.internal.codec;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.CompressionProvider;

import java.util.Map;

/** The built-in {@code zstd} codec; the level is only needed to compress, so a missing one means the default. */
public final class ZstdCompressionProvider implements CompressionProvider {

    @Override
    public String id() {
        return "zstd";
    }

    @Override
    public Compression create(Map<String, Object> parameters) {
        Object level = parameters.get("level");
        if (level == null) {
            return new ZstdCompression(ZstdCompression.DEFAULT_LEVEL);
        }
        if (!(level instanceof Number n)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "zstd level must be a number, was '" + level + "'");
        }
        try {
            return new ZstdCompression(n.intValue());
        } catch (IllegalArgumentException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, e.getMessage(), e);
        }
    }
}
