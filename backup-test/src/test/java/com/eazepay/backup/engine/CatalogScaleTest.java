package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.BackupIds;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What list and latest cost over 10,000 backups (27 years of daily backups), on in-memory storage
 * (manifest GETs counted) and the filesystem (wall time). One backup is taken by the engine; the
 * other 9,999 are copies of its two objects under new time-sortable ids (same bytes, edited id).
 * Measured, not asserted (beyond the GET counts): written to {@code target/catalog-measurements.txt}.
 */
@Tag("slow")
class CatalogScaleTest {

    static final int BACKUPS = 10_000;

    @TempDir
    Path tmp;

    @Test
    void tenThousandBackupsInMemory() throws IOException {
        measure("in-memory", InMemoryStorage.create());
    }

    @Test
    void tenThousandBackupsOnTheFileSystem() throws IOException {
        measure("filesystem", FileSystemStorage.at(tmp.resolve("repo")));
    }

    private void measure(String what, StorageTarget raw) throws IOException {
        CountingStorage storage = new CountingStorage(raw);
        TestClock clock = TestClock.at(Instant.parse("2000-01-01T02:00:00Z"));
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .source(new PruneEngineTest.TinySource("x")).clock(clock).build()) {
            Manifest first = engine.backup("x").run().manifest();
            String manifestJson;
            try (InputStream in = raw.get("x/" + first.id() + "/manifest.json")) {
                manifestJson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            byte[] data;
            String object = first.streams().get(0).object();
            try (InputStream in = raw.get("x/" + first.id() + "/" + object)) {
                data = in.readAllBytes();
            }
            Instant t = first.startedAt();
            String newest = first.id();
            for (int i = 1; i < BACKUPS; i++) {
                t = t.plus(Duration.ofDays(1));
                String id = BackupIds.generate(t);
                String json = manifestJson.replace(first.id(), id).replace(first.startedAt().toString(), t.toString());
                byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
                raw.put("x/" + id + "/" + object, new ByteArrayInputStream(data), PutOptions.defaults().withContentLength(data.length));
                raw.put("x/" + id + "/manifest.json", new ByteArrayInputStream(bytes), PutOptions.defaults().withContentLength(bytes.length));
                newest = id;
            }
            StringBuilder out = new StringBuilder();
            for (int round = 0; round < 2; round++) { // the second round runs warm
                storage.reset();
                long t0 = System.nanoTime();
                int listed = engine.list("x").size();
                long listNanos = System.nanoTime() - t0;
                int listGets = storage.manifestGets.get();
                int listLists = storage.lists.get();
                storage.reset();
                long t1 = System.nanoTime();
                Manifest latest = engine.latest("x").orElseThrow();
                long latestNanos = System.nanoTime() - t1;
                int latestGets = storage.manifestGets.get();
                storage.reset();
                long t2 = System.nanoTime();
                Manifest before = engine.restore("x").before(t.minus(Duration.ofDays(365))).selected();
                long beforeNanos = System.nanoTime() - t2;
                int beforeGets = storage.manifestGets.get();

                assertThat(listed).isEqualTo(BACKUPS);
                assertThat(listGets).isEqualTo(BACKUPS);
                assertThat(latest.id()).isEqualTo(newest);
                assertThat(latestGets).isEqualTo(1);
                assertThat(beforeGets).isLessThanOrEqualTo(367);
                assertThat(before.startedAt()).isBefore(t.minus(Duration.ofDays(365)));
                out.append(String.format(Locale.ROOT, "%s (%s): %d backups; list %d ms (%d manifest GETs, %d LIST); latest %d ms "
                                + "(%d manifest GET); before(1 year ago) %d ms (%d manifest GETs)%n", what, round == 0 ? "cold" : "warm",
                        BACKUPS, listNanos / 1_000_000, listGets, listLists, latestNanos / 1_000_000, latestGets,
                        beforeNanos / 1_000_000, beforeGets));
            }
            Files.writeString(Path.of("target", "catalog-measurements.txt"), out, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
