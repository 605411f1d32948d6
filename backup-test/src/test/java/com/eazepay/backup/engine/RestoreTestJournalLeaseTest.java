package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.ProcessIdentity;
import com.eazepay.backup.internal.RunningMarker;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.ScratchTargets;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cleanup journal of a restore test is a lease: a replay at engine start drops only the scratch targets of
 * restore tests whose holder is provably gone (a dead process on this host, an expired lease), never one running
 * on another host.
 */
class RestoreTestJournalLeaseTest {

    @TempDir
    Path tmp;

    private final TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
    private final InMemoryStorage storage = InMemoryStorage.withClock(clock);

    /** A scratch directory of test {@code id} and its journal, held by {@code holder}. */
    private Path journal(String id, Lease.Holder holder) throws Exception {
        Path dir = Files.createDirectories(ScratchTargets.directory(id));
        Files.writeString(dir.resolve("restored.txt"), "scratch\n");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", "config");
        doc.put("sourceType", "files");
        doc.put("testId", id);
        doc.put("backupId", "20261031T000000Z-abcdef");
        doc.put("resource", dir.toString());
        doc.put("at", holder.acquiredAt().toString());
        doc.putAll(Json.mapper().convertValue(holder, Map.class));
        byte[] json = Json.write(doc);
        storage.put("locks/cleanup/config/" + id + ".json", new ByteArrayInputStream(json),
                PutOptions.defaults().withContentLength(json.length));
        return dir;
    }

    @Test
    void replayLeavesALiveHolderOnAnotherHostAloneDropsAnExpiredLeaseAndADeadPidOnThisHostAtOnce() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        Instant now = clock.instant();
        long[] dead = RunningBackupAndLeaseTest.deadProcess();
        // a restore test running right now on another host, its lease renewed a minute ago
        Path live = journal("20261101t000000_live", new Lease.Holder("t-live", "ops-9", 42, "restore test",
                now.minus(Duration.ofHours(3)), now.plus(RunningMarker.EXPIRY).minus(Duration.ofMinutes(1)), null, null));
        // one on another host that stopped renewing: expired more than the skew margin ago
        Path expired = journal("20261101t000000_expd", new Lease.Holder("t-expired", "ops-9", 43, "restore test",
                now.minus(Duration.ofHours(2)), now.minus(Lease.SKEW_MARGIN).minusSeconds(1), null, null));
        // one of a process on this host that is gone, though its lease still had an hour to run
        Path killed = journal("20261101t000000_kill", new Lease.Holder("t-killed", ProcessIdentity.host(), dead[0],
                "restore test", now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofHours(1)),
                Instant.ofEpochMilli(dead[1]), ProcessIdentity.machine()));
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build()).build()) {

            assertThat(engine.list("config")).isEmpty(); // the engine's first operation replays the journals

            assertThat(live).exists();
            assertThat(storage.keys()).contains("locks/cleanup/config/20261101t000000_live.json")
                    .doesNotContain("locks/cleanup/config/20261101t000000_expd.json", "locks/cleanup/config/20261101t000000_kill.json");
            assertThat(expired).doesNotExist();
            assertThat(killed).doesNotExist();

            // the holder elsewhere stops renewing: once its lease is past expiry plus the skew margin, the next
            // restore test (which replays first) drops its scratch directory
            engine.backup("config").run();
            clock.advance(RunningMarker.EXPIRY.plus(Lease.SKEW_MARGIN));
            engine.verify("config").restoreTest().latest().run().orThrow();

            assertThat(live).doesNotExist();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
        } finally {
            ScratchTargets.deleteDirectory(live.toString());
        }
    }

    @Test
    void aRestoreTestsOwnJournalIsALeaseNamingThisProcessSoAConcurrentReplayLeavesItAlone() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config2"));
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        @SuppressWarnings("unchecked")
        Map<String, Object>[] seen = new Map[1];
        boolean[] survived = new boolean[1];
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            engine.backup("config").run();
            // the user's check runs while the restore test runs: the journal is there, as a lease of this process,
            // and another restore test started meanwhile (which replays journals first) leaves it alone
            var report = engine.verify("config").restoreTest().latest().check(t -> {
                String key = storage.keys().stream().filter(k -> k.startsWith("locks/cleanup/config/")).findFirst().orElseThrow();
                try (var in = storage.get(key)) {
                    seen[0] = Json.read(in, Map.class, key);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                engine.verify("config").restoreTest().latest().run().orThrow();
                survived[0] = storage.keys().contains(key);
                return t;
            }).run().orThrow();

            assertThat(seen[0]).containsEntry("host", ProcessIdentity.host()).containsEntry("pid", (int) ProcessIdentity.pid())
                    .containsEntry("purpose", "restore test").containsKeys("expiresAt", "owner", "resource");
            assertThat(Instant.parse(seen[0].get("expiresAt").toString())).isEqualTo(clock.instant().plus(RunningMarker.EXPIRY));
            assertThat(survived[0]).as("the running test's journal survived the other test's replay").isTrue();
            assertThat(report.dropped()).isTrue();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
        }
    }
}
