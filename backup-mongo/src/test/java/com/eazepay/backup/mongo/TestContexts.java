package com.eazepay.backup.mongo;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test-only SPI contexts, to drive a source without the engine, and a source wrapper that acts mid-stream. */
final class TestContexts {

    private TestContexts() {
    }

    /** A backup context writing the single stream to {@code sink}; remembers whether it was closed (= committed). */
    static final class Backup implements BackupContext {
        final OutputStream sink;
        final Map<String, Object> facts = new LinkedHashMap<>();
        boolean closed;

        Backup(OutputStream sink) {
            this.sink = sink;
        }

        @Override
        public String backupId() {
            return "20261124T020000Z-test00";
        }

        @Override
        public String sourceName() {
            return "mongo";
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public Set<String> tags() {
            return Set.of();
        }

        @Override
        public Map<String, String> labels() {
            return Map.of();
        }

        @Override
        public OutputStream newStream(String name, String extension) {
            return new FilterOutputStream(sink) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    closed = true;
                    super.close();
                }
            };
        }

        @Override
        public void fact(String key, Object value) {
            facts.put(key, value);
        }

        @Override
        public void consistentAt(Instant instant) {
        }
    }

    /** A restore context serving {@code archive} as the stream (no storage checksum layer). */
    static RestoreContext restoreFrom(byte[] archive, Map<String, Object> facts) {
        Manifest m = new Manifest(1, "20261124T020000Z-test00", "mongo", "mongo", "manual", Set.of(), Map.of(), null,
                Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, "test", null, null,
                List.of(new Manifest.StreamInfo("archive", "archive.archive", "archive", archive.length, "00", archive.length)),
                facts);
        return new RestoreContext() {
            @Override
            public Manifest manifest() {
                return m;
            }

            @Override
            public Clock clock() {
                return Clock.systemUTC();
            }

            @Override
            public InputStream openStream(String name) {
                return new ByteArrayInputStream(archive);
            }

            @Override
            public boolean checksRequested() {
                return true;
            }
        };
    }

    /** Runs {@code action} once, on the writing thread, when more than {@code after} bytes were written. */
    static final class Trigger extends FilterOutputStream {
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

    /** Wraps a source so that its stream runs {@code action} mid-backup. */
    static BackupSource midStream(BackupSource delegate, long afterBytes, Runnable action) {
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
}
