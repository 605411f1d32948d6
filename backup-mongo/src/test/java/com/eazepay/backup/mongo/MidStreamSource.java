package com.eazepay.backup.mongo;

import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** A source wrapper that acts mid-stream, for engine-level tests (the engine's context is passed through). */
final class MidStreamSource {

    private MidStreamSource() {
    }

    /** Wraps a source so that its stream runs {@code action} mid-backup. */
    static BackupSource of(BackupSource delegate, long afterBytes, Runnable action) {
        return new BackupSource() {
            @Override
            public String name() {
                return delegate.name();
            }

            @Override
            public String type() {
                return delegate.type();
            }

            @Override
            public boolean sensitive() {
                return delegate.sensitive();
            }

            @Override
            public void backup(BackupContext context) {
                delegate.backup(new BackupContext() {
                    @Override
                    public String backupId() {
                        return context.backupId();
                    }

                    @Override
                    public String sourceName() {
                        return context.sourceName();
                    }

                    @Override
                    public Clock clock() {
                        return context.clock();
                    }

                    @Override
                    public Set<String> tags() {
                        return context.tags();
                    }

                    @Override
                    public Map<String, String> labels() {
                        return context.labels();
                    }

                    @Override
                    public OutputStream newStream(String name, String extension) {
                        return new Trigger(context.newStream(name, extension), afterBytes, action);
                    }

                    @Override
                    public void fact(String key, Object value) {
                        context.fact(key, value);
                    }

                    @Override
                    public void consistentAt(Instant instant) {
                        context.consistentAt(instant);
                    }
                });
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                return delegate.restore(context, target);
            }
        };
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
