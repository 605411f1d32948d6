package com.eazepay.backup.engine;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Random;

/** Small sources for engine tests: their backup is a lambda; they are never restored. */
final class TestSources {

    private TestSources() {
    }

    /** What a test source does with its context. */
    @FunctionalInterface
    interface Body {
        void backup(BackupContext context) throws IOException;
    }

    static BackupSource source(String name, Body body) {
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public void backup(BackupContext context) {
                try {
                    body.backup(context);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "test sources are not restored");
            }
        };
    }

    /** A source writing {@code size} incompressible bytes to one stream named {@code data}. */
    static BackupSource random(String name, long size) {
        return source(name, ctx -> {
            try (OutputStream out = ctx.newStream("data", "bin")) {
                writeRandom(out, size, name.hashCode());
            }
        });
    }

    static void writeRandom(OutputStream out, long size, long seed) throws IOException {
        byte[] buf = new byte[8192];
        Random random = new Random(seed);
        long left = size;
        while (left > 0) {
            random.nextBytes(buf);
            int n = (int) Math.min(buf.length, left);
            out.write(buf, 0, n);
            left -= n;
        }
    }
}
