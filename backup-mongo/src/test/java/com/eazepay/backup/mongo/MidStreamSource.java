package com.eazepay.backup.mongo;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.test.StreamFilteringSource;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** A source wrapper that acts mid-stream, for engine-level tests (the engine's context is passed through). */
final class MidStreamSource {

    private MidStreamSource() {
    }

    /** Wraps a source so that its stream runs {@code action} mid-backup. */
    static BackupSource of(BackupSource delegate, long afterBytes, Runnable action) {
        return StreamFilteringSource.of(delegate, out -> new Trigger(out, afterBytes, action));
    }

    /** Runs {@code action} once, on the writing thread, when more than {@code after} bytes were written. */
    private static final class Trigger extends FilterOutputStream {
        private final long after;
        private final Runnable action;
        private long written;
        private boolean fired;

        Trigger(OutputStream out, long after, Runnable action) {
            super(out);
            this.after = after;
            this.action = action;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written += len;
            if (!fired && written > after) {
                fired = true;
                action.run();
            }
        }
    }
}
