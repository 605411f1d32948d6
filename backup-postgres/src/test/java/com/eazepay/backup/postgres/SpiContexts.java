package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.RestoreContext;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Test-only SPI contexts: a backup context that writes streams to plain files and commits one only when it is
 * closed, and a restore context reading them back. They let the source be tested through its SPI alone.
 */
final class SpiContexts {

    private SpiContexts() {
    }

    static final class Backup implements BackupContext {
        final Path dir;
        final String id;
        final Map<String, Object> facts = new LinkedHashMap<>();
        final Map<String, Path> committed = new HashMap<>();
        final List<String> opened = new ArrayList<>();
        Instant consistentAt;
        BiConsumer<String, Object> onFact = (k, v) -> { };
        /** Called with the number of bytes written so far, after each write. */
        java.util.function.LongConsumer onWrite = n -> { };

        Backup(Path dir, String id) {
            this.dir = dir;
            this.id = id;
        }

        @Override
        public String backupId() {
            return id;
        }

        @Override
        public String sourceName() {
            return "postgres";
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
            opened.add(name + "." + extension);
            Path partial = dir.resolve(name + "." + extension + ".partial");
            try {
                OutputStream file = Files.newOutputStream(partial);
                return new FilterOutputStream(file) {
                    long written;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        written += len;
                        onWrite.accept(written);
                    }

                    @Override
                    public void close() throws IOException {
                        super.close();
                        Path fin = dir.resolve(name + "." + extension);
                        Files.move(partial, fin);
                        committed.put(name, fin);
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void fact(String key, Object value) {
            facts.put(key, value);
            onFact.accept(key, value);
        }

        @Override
        public void consistentAt(Instant instant) {
            consistentAt = instant;
        }

        Manifest manifest() {
            List<Manifest.StreamInfo> streams = new ArrayList<>();
            committed.forEach((name, path) -> {
                String file = path.getFileName().toString();
                try {
                    streams.add(new Manifest.StreamInfo(name, file, file.substring(file.indexOf('.') + 1),
                            Files.size(path), "0", Files.size(path)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return new Manifest(Manifest.FORMAT_VERSION, id, "postgres", "postgres", "manual", Set.of(), Map.of(), null,
                    Instant.EPOCH, Instant.EPOCH, consistentAt, "test", null, null, streams, facts);
        }

        Restore restoreContext() {
            return new Restore(manifest(), committed, true);
        }
    }

    record Restore(Manifest manifest, Map<String, Path> files, boolean checksRequested) implements RestoreContext {
        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public InputStream openStream(String name) {
            Path p = files.get(name);
            if (p == null) {
                throw new BackupException(CoreErrorCode.NOT_FOUND, "no stream " + name);
            }
            try {
                return Files.newInputStream(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
