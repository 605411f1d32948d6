package com.eazepay.backup.spi;

import com.eazepay.backup.BackupEvent;

import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What a {@link BackupSource} gets for one backup. Not thread-safe unless stated; one backup at a time.
 */
public interface BackupContext {

    /** The id of the backup being taken, e.g. {@code 20261124T020000Z-k3f9qa}. */
    String backupId();

    /** The source's name. */
    String sourceName();

    /** The engine's clock; use it instead of {@code Instant.now()}. */
    Clock clock();

    /** Tags requested for this backup. */
    Set<String> tags();

    /** Labels requested for this backup. */
    Map<String, String> labels();

    /**
     * Opens a new stream of this backup. Bytes written go through compression, encryption and
     * hashing to storage, with bounded memory. The caller must close the stream: {@code close()}
     * returns once the stream is durably stored, and throws a {@code BackupException} if storing
     * failed. A stream that was not closed when {@link BackupSource#backup} returns or throws is
     * aborted and nothing of it stays visible. This method may be called from any thread, and the
     * returned streams may be written concurrently from different threads.
     *
     * <p>Close a stream only when it is complete. A source whose tool may fail half-way (a dump
     * process exiting non-zero) should close the stream only after checking success, and on
     * failure throw without closing it: the engine then aborts the upload. (If a
     * try-with-resources block closes a stream while an exception propagates, the engine still
     * fails the backup and deletes the stored object; no manifest ever refers to it.)
     * <pre>{@code
     * OutputStream out = context.newStream("db", "pgdump");
     * process.run(stdout -> stdout.transferTo(out));   // throws on a non-zero exit: out stays open, is aborted
     * out.close();                                     // commit this stream
     * }</pre>
     *
     * @param name      stream name, {@code [a-z0-9][a-z0-9._-]*}, unique within the backup (e.g. {@code db})
     * @param extension the format's file extension without dot (e.g. {@code pgdump}, {@code tar},
     *                  {@code rdb}, {@code archive}); codec extensions are appended
     */
    OutputStream newStream(String name, String extension);

    /**
     * Records a fact about this backup in the manifest (server version, row counts, oplog window).
     * Values must be JSON-representable: strings, numbers, booleans, lists and maps of those.
     * Never pass secrets or connection strings with credentials.
     */
    void fact(String key, Object value);

    /** Records the instant the data is consistent at (snapshot time). Defaults to the start time. */
    void consistentAt(Instant instant);

    /**
     * Raises an event to the engine's {@link com.eazepay.backup.BackupListener}s (the ones given to the engine
     * builder: metrics, alerting), while the backup runs; the backup's outcome is not affected. Only events a
     * source can tell and the engine cannot are accepted: {@link #SOURCE_EVENTS}, today
     * {@link BackupEvent.CertificateExpiring}. The event's {@code source()} must be {@link #sourceName()}.
     * A listener that throws is logged by the engine and ignored. Safe to call from any thread.
     *
     * <p>The default implementation (a context built outside the engine, e.g. in a source's own tests)
     * checks the event and drops it.
     *
     * @throws IllegalArgumentException for an event type not in {@link #SOURCE_EVENTS}, or an event about another source
     */
    default void publish(BackupEvent event) {
        checkSourceEvent(event, sourceName());
    }

    /** The event types a source may {@linkplain #publish publish}; the engine raises every other type itself. */
    Set<Class<? extends BackupEvent>> SOURCE_EVENTS = Set.of(BackupEvent.CertificateExpiring.class);

    /**
     * Checks that {@code event} may be published by the source named {@code sourceName}.
     *
     * @throws IllegalArgumentException if not (the message says why)
     */
    static void checkSourceEvent(BackupEvent event, String sourceName) {
        java.util.Objects.requireNonNull(event, "event");
        if (!SOURCE_EVENTS.contains(event.getClass())) {
            throw new IllegalArgumentException("a source may publish only " + SOURCE_EVENTS.stream().map(Class::getSimpleName)
                    .sorted().toList() + ", not " + event.getClass().getSimpleName() + " (the engine raises it)");
        }
        if (!event.source().equals(sourceName)) {
            throw new IllegalArgumentException("source '" + sourceName + "' may publish events about itself only, not about '"
                    + event.source() + "'");
        }
    }
}
