package com.eazepay.backup.internal.codec;

import com.eazepay.backup.spi.Encryption;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Plaintext: chosen only explicitly with {@code Encryption.none()}. */
public final class NoEncryption implements Encryption {

    public static final NoEncryption INSTANCE = new NoEncryption();

    private NoEncryption() {
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
    public OutputStream encrypt(OutputStream out) {
        return out;
    }

    @Override
    public InputStream decrypt(InputStream in) {
        return in;
    }

    @Override
    public boolean canDecrypt() {
        return true;
    }

    @Override
    public String toString() {
        return "none";
    }
}
