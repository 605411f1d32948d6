package com.eazepay.backup.internal.codec;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.Compression;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** gzip (RFC 1952) at level 6; readable by {@code gzip -d}. */
public final class GzipCompression implements Compression {

    @Override
    public String id() {
        return "gzip";
    }

    @Override
    public String extension() {
        return "gz";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("level", 6);
    }

    @Override
    public OutputStream compress(OutputStream out) {
        try {
            return new GZIPOutputStream(out, 64 * 1024);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INTERNAL, "cannot start gzip compression: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream decompress(InputStream in) {
        try {
            return new GZIPInputStream(new BufferedInputStream(in, 64 * 1024), 64 * 1024);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, "not a gzip stream: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "gzip";
    }
}
