package com.eazepay.backup.internal.codec;

import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.CompressionProvider;

import java.util.Map;

/** The built-in {@code gzip} codec. */
public final class GzipCompressionProvider implements CompressionProvider {

    @Override
    public String id() {
        return "gzip";
    }

    @Override
    public Compression create(Map<String, Object> parameters) {
        return new GzipCompression();
    }
}
