package com.eazepay.backup.redis;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.RestoreContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** SPI contexts over a plain directory, to test the plug-in without the engine. */
final class TestContexts {

    private TestContexts() {
    }

    static final class Backup implements BackupContext {
        final Path dir;
        final Map<String, Object> facts = new TreeMap<>();
        final Map<String, Path> streams = new TreeMap<>();
        Instant consistentAt;

        Backup(Path dir) {
            this.dir = dir;
        }

        @Override
        public String backupId() {
            return "20261126T000000Z-test01";
        }

        @Override
        public String sourceName() {
            return "redis";
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
            try {
                Files.createDirectories(dir);
                Path p = dir.resolve(name + "." + extension);
                streams.put(name, p);
                return Files.newOutputStream(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void fact(String key, Object value) {
            facts.put(key, value);
        }

        @Override
        public void consistentAt(Instant instant) {
            consistentAt = instant;
        }

        Path stream() {
            return streams.get("dump");
        }

        Restore restoreContext() {
            return new Restore(this, stream());
        }
    }

    static final class Restore implements RestoreContext {
        private final Manifest manifest;
        private final Path file;

        Restore(Backup b, Path file) {
            this.file = file;
            this.manifest = new Manifest(Manifest.FORMAT_VERSION, b.backupId(), "redis", "redis", "manual", Set.of(), Map.of(),
                    null, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, "test", null, null, List.of(), b.facts);
        }

        @Override
        public Manifest manifest() {
            return manifest;
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public InputStream openStream(String name) {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean checksRequested() {
            return true;
        }
    }
}
