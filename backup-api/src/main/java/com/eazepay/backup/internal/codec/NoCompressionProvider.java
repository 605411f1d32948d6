package com.eazepay.backup.internal.codec;

import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.CompressionProvider;

import java.util.Map;

/** The built-in {@code none} codec. */
public final class NoCompressionProvider implements CompressionProvider {

    @Override
    public String id() {
        return "none";
    }

    @Override
    public Compression create(Map<String, Object> parameters) {
        return NoCompression.INSTANCE;
    }
}
