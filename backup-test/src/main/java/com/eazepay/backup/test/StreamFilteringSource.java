package com.eazepay.backup.test;

import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * For engine-level tests: a real source whose every stream passes through a filter on its way to the engine (the
 * engine's context is passed through otherwise), so a test can act mid-stream (stop a server after the first bytes)
 * or alter the bytes before the engine compresses, encrypts and hashes them (a corrupted data file whose stored
 * object still matches its manifest). Name, type, sensitivity, restore and validator are the delegate's.
 */
public final class StreamFilteringSource implements BackupSource {

    /** Wraps one stream the source opens; the returned stream must close the one it is given. */
    @FunctionalInterface
    public interface StreamFilter {
        OutputStream filter(String streamName, OutputStream toEngine);
    }

    private final BackupSource delegate;
    private final StreamFilter filter;

    private StreamFilteringSource(BackupSource delegate, StreamFilter filter) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /** {@code delegate} with each stream passed through {@code filter}. */
    public static StreamFilteringSource of(BackupSource delegate, StreamFilter filter) {
        return new StreamFilteringSource(delegate, filter);
    }

    /** {@code delegate} with each stream passed through {@code filter} (the stream name not needed). */
    public static StreamFilteringSource of(BackupSource delegate, UnaryOperator<OutputStream> filter) {
        Objects.requireNonNull(filter, "filter");
        return new StreamFilteringSource(delegate, (name, out) -> filter.apply(out));
    }

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
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return delegate.validator();
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
                return filter.filter(name, context.newStream(name, extension));
            }

            @Override
            public void fact(String key, Object value) {
                context.fact(key, value);
            }

            @Override
            public void consistentAt(Instant instant) {
                context.consistentAt(instant);
            }

            @Override
            public void publish(com.eazepay.backup.BackupEvent event) {
                context.publish(event);
            }
        });
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        return delegate.restore(context, target);
    }
}
