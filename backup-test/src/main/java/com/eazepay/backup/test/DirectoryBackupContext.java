package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link BackupContext} over a plain directory, to test a {@link com.eazepay.backup.spi.BackupSource}
 * through its SPI alone, without the engine, compression, encryption or storage.
 *
 * <p>{@link #newStream} writes {@code <dir>/<name>.<extension>.partial} and, on {@code close()}, renames it to
 * {@code <dir>/<name>.<extension>}: only a closed stream is <em>committed</em> ({@link #streamFile},
 * {@link #committedStreams()}), as the engine stores only closed streams. Facts and the consistency instant
 * are collected; {@link #restoreContext()} then reads the committed files back with a manifest built from them.
 * <pre>{@code
 * DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp).sourceName("redis");
 * source.backup(ctx);
 * assertThat(ctx.facts()).containsEntry("format", "rdb");
 * assertThat(ctx.streamFile("dump")).exists();
 * source.restore(ctx.restoreContext(), target);
 * }</pre>
 *
 * <p>Defaults: source name {@value #DEFAULT_SOURCE_NAME}, backup id {@value #DEFAULT_BACKUP_ID}, clock
 * {@link Clock#systemUTC()}, no tags or labels, no listeners. The directory is created on the first
 * {@code newStream}; nothing is deleted: use a JUnit {@code @TempDir}.
 *
 * <p>Thread-safe: streams may be opened and written from several threads, as the SPI allows. The settings
 * ({@link #sourceName(String)}, {@link #backupId(String)}, {@link #clock(Clock)}, listeners) are meant to be
 * made before the backup starts.
 */
public final class DirectoryBackupContext implements BackupContext {

    /** The default source name, also used as the manifest's source type. */
    public static final String DEFAULT_SOURCE_NAME = "test";
    /** The default backup id. */
    public static final String DEFAULT_BACKUP_ID = "20261126T000000Z-test01";

    /** Called after each write to a stream of this context, on the writing thread. */
    @FunctionalInterface
    public interface WriteListener {

        /**
         * Called after bytes were written.
         *
         * @param stream  the stream's name, as passed to {@code newStream}
         * @param written bytes written to that stream so far, including this write
         */
        void written(String stream, long written);

        /**
         * A listener that runs {@code action} once, on the writing thread, after the first write that takes a
         * stream past {@code afterBytes} bytes: "while the source is mid-stream".
         */
        static WriteListener onceAfter(long afterBytes, Runnable action) {
            Objects.requireNonNull(action, "action");
            boolean[] fired = {false};
            return (stream, written) -> {
                boolean run;
                synchronized (fired) {
                    run = !fired[0] && written > afterBytes;
                    fired[0] |= run;
                }
                if (run) {
                    action.run();
                }
            };
        }
    }

    /** Called for each {@link #fact(String, Object)} the source records, after it is recorded. */
    @FunctionalInterface
    public interface FactListener {

        /** Called with the recorded fact, on the source's thread. */
        void recorded(String key, Object value);
    }

    private final Path dir;
    private final Map<String, Object> facts = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, Stream> committed = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> opened = new CopyOnWriteArrayList<>();
    private volatile String sourceName = DEFAULT_SOURCE_NAME;
    private volatile String backupId = DEFAULT_BACKUP_ID;
    private volatile Clock clock = Clock.systemUTC();
    private volatile WriteListener writeListener = (stream, written) -> { };
    private volatile FactListener factListener = (key, value) -> { };
    private volatile Instant consistentAt;

    private record Stream(Path file, String extension) {
    }

    private DirectoryBackupContext(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** A context writing its streams into {@code dir} (created when the first stream is opened). */
    public static DirectoryBackupContext in(Path dir) {
        return new DirectoryBackupContext(dir);
    }

    /** Sets the source name, also the manifest's source type. Default {@value #DEFAULT_SOURCE_NAME}. */
    public DirectoryBackupContext sourceName(String name) {
        this.sourceName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Sets the backup id. Default {@value #DEFAULT_BACKUP_ID}. */
    public DirectoryBackupContext backupId(String id) {
        this.backupId = Objects.requireNonNull(id, "id");
        return this;
    }

    /** Sets the clock given to the source, here and in the restore context. Default {@link Clock#systemUTC()}. */
    public DirectoryBackupContext clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Sets what runs after each write to any stream (e.g. to act while the source is mid-stream). Default none. */
    public DirectoryBackupContext onWrite(WriteListener listener) {
        this.writeListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Sets what runs after each fact is recorded. Default none. */
    public DirectoryBackupContext onFact(FactListener listener) {
        this.factListener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    @Override
    public String backupId() {
        return backupId;
    }

    @Override
    public String sourceName() {
        return sourceName;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Set<String> tags() {
        return Set.of();
    }

    @Override
    public Map<String, String> labels() {
        return Map.of();
    }

    /**
     * Opens {@code <dir>/<name>.<extension>.partial}; closing the returned stream renames it to
     * {@code <name>.<extension>} and commits it. {@code close()} is idempotent.
     *
     * @throws BackupException {@code STORAGE_FAILED} (not retryable) if the file cannot be created
     */
    @Override
    public OutputStream newStream(String name, String extension) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(extension, "extension");
        opened.add(name + "." + extension);
        Path fin = dir.resolve(name + "." + extension);
        Path partial = dir.resolve(name + "." + extension + ".partial");
        OutputStream file;
        try {
            Files.createDirectories(dir);
            file = Files.newOutputStream(partial);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot create test stream file " + partial, e);
        }
        return new FilterOutputStream(file) {
            private long written;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                written++;
                writeListener.written(name, written);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
                writeListener.written(name, written);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                super.close();
                Files.move(partial, fin);
                committed.put(name, new Stream(fin, extension));
            }
        };
    }

    /**
     * Registers a file written elsewhere (by a child JVM, or a test vector) as a committed stream, as if
     * {@link #newStream} had written it. The file is read in place by the restore context, never copied.
     */
    public DirectoryBackupContext adoptStream(String name, String extension, Path file) {
        committed.put(Objects.requireNonNull(name, "name"),
                new Stream(Objects.requireNonNull(file, "file"), Objects.requireNonNull(extension, "extension")));
        return this;
    }

    /** Records the fact (replacing an earlier value), then calls the {@link #onFact} listener. */
    @Override
    public void fact(String key, Object value) {
        facts.put(key, value);
        factListener.recorded(key, value);
    }

    @Override
    public void consistentAt(Instant instant) {
        consistentAt = instant;
    }

    /** The instant the source said its data is consistent at, or null if it said none. */
    public Instant consistentAt() {
        return consistentAt;
    }

    /** A snapshot of the facts recorded so far, in recording order. */
    public Map<String, Object> facts() {
        synchronized (facts) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        }
    }

    /**
     * The file of a committed (closed) stream.
     *
     * @throws AssertionError naming the committed streams if {@code name} was not committed
     */
    public Path streamFile(String name) {
        Stream s = committed.get(name);
        if (s == null) {
            throw new AssertionError("stream '" + name + "' was not committed (closed); committed: " + committedStreams().keySet());
        }
        return s.file();
    }

    /** A snapshot of the committed streams: name to file, in commit order. */
    public Map<String, Path> committedStreams() {
        Map<String, Path> files = new LinkedHashMap<>();
        synchronized (committed) {
            committed.forEach((name, s) -> files.put(name, s.file()));
        }
        return Collections.unmodifiableMap(files);
    }

    /** The streams opened so far, committed or not, as {@code <name>.<extension>}, in opening order. */
    public List<String> openedStreams() {
        return List.copyOf(opened);
    }

    /**
     * A restore context over the streams committed so far, with checks requested. Its manifest is built now
     * from this context's id, source name, facts, consistency instant (or {@link Instant#EPOCH} if none) and
     * committed files (stored and plaintext size: the file's size; SHA-256: {@code "0"}, as no integrity layer
     * is in between); later facts or streams are not seen by it.
     */
    public DirectoryRestoreContext restoreContext() {
        Map<String, Stream> streams;
        synchronized (committed) {
            streams = new LinkedHashMap<>(committed);
        }
        List<Manifest.StreamInfo> infos = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        streams.forEach((name, s) -> {
            long size = size(s.file());
            infos.add(new Manifest.StreamInfo(name, s.file().getFileName().toString(), s.extension(), size, "0", size));
            files.put(name, s.file());
        });
        Instant consistent = consistentAt == null ? Instant.EPOCH : consistentAt;
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, backupId, sourceName, sourceName, "manual", Set.of(),
                Map.of(), null, Instant.EPOCH, Instant.EPOCH, consistent, "test", null, null, infos, facts());
        return new DirectoryRestoreContext(manifest, files, clock, true);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "test stream file " + file + " is gone", e);
        }
    }

    @Override
    public String toString() {
        return "DirectoryBackupContext[" + dir + ", " + sourceName + "/" + backupId + "]";
    }
}
