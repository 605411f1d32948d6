package com.eazepay.backup.internal.codec;

import com.eazepay.backup.spi.Compression;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Identity codec. */
public final class NoCompression implements Compression {

    public static final NoCompression INSTANCE = new NoCompression();

    private NoCompression() {
    }

    @Override
    public String id() {
        return "none";
    }

    @Override
    public String extension() {
        return "";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of();
    }

    @Override
    public OutputStream compress(OutputStream out) {
        return out;
    }

    @Override
    public InputStream decompress(InputStream in) {
        return in;
    }

    @Override
    public String toString() {
        return "none";
    }
}
