package com.eazepay.backup.codec;

import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.CompressionProvider;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * A third-party codec for tests: XORs every byte with a key recorded as a parameter, so a restore that
 * ignored the codec or its parameters would return garbage. Registered for {@link java.util.ServiceLoader}
 * in this module's test resources, by its {@link Provider}.
 */
public final class XorCompression implements Compression {

    public static final String ID = "test-xor";
    private final int key;

    public XorCompression(int key) {
        this.key = key & 0xff;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String extension() {
        return "xor";
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("key", key);
    }

    @Override
    public OutputStream compress(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b ^ key);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] x = new byte[len];
                for (int i = 0; i < len; i++) {
                    x[i] = (byte) (b[off + i] ^ key);
                }
                out.write(x);
            }
        };
    }

    @Override
    public InputStream decompress(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = in.read();
                return b < 0 ? b : (b ^ key);
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                for (int i = 0; i < n; i++) {
                    b[off + i] ^= (byte) key;
                }
                return n;
            }
        };
    }

    /** The provider listed in {@code META-INF/services/com.eazepay.backup.spi.CompressionProvider}. */
    public static final class Provider implements CompressionProvider {
        @Override
        public String id() {
            return ID;
        }

        @Override
        public Compression create(Map<String, Object> parameters) {
            return new XorCompression(((Number) parameters.getOrDefault("key", 0)).intValue());
        }
    }
}
