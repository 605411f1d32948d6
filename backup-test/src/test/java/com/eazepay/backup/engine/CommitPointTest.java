package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What commits a backup and what may happen after (issue 21 items 4, 13 and 16). */
class CommitPointTest {

    final TestClock clock = TestClock.create();
    final InMemoryStorage storage = InMemoryStorage.withClock(clock);

    @Test
    void aReplicaFailureThatFailsTheBackupLeavesTheCommittedBackupIntactAndSaysSo() {
        InMemoryStorage goodReplica = InMemoryStorage.create();
        FaultyStorage brokenReplica = FaultyStorage.wrap(InMemoryStorage.create()).failOnCall(FaultyStorage.Operation.PUT, 1)
                .retryableFaults(false);
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = Backup.engine().repository(storage).replica(brokenReplica).replica(goodReplica)
                .replicaFailureFailsBackup(true).encryption(Encryption.none()).clock(clock)
                .source(TestSources.random("db", 200_000)).listener(events::add).build()) {
            assertThatThrownBy(() -> engine.backup("db").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.REPLICA_FAILED))
                    .hasMessageContaining("is committed to " + storage.describe())
                    .hasMessageContaining(brokenReplica.describe());

            Manifest m = engine.latest("db").orElseThrow();
            assertThat(storage.keys()).containsExactlyInAnyOrder("repository.json", "db/" + m.id() + "/data.bin.zst",
                    "db/" + m.id() + "/manifest.json");
            assertThat(engine.verify("db").id(m.id()).run().passed()).isTrue();
            // the replica after the failing one still got its copy
            assertThat(goodReplica.keys()).contains("db/" + m.id() + "/manifest.json");
            assertThat(events).noneMatch(e -> e instanceof BackupEvent.BackupFailed);
            assertThat(events).anyMatch(e -> e instanceof BackupEvent.BackupSucceeded s && s.backupId().equals(m.id()));
            assertThat(events).anyMatch(e -> e instanceof BackupEvent.ReplicaFailed f && f.backupId().equals(m.id())
                    && f.replica().equals(brokenReplica.describe()));
        }
    }

    /** Encryption.none() whose second stream fails when closed, as a codec flushing to a full disk would. */
    static final class SecondCloseFails implements Encryption {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public String id() {
            return "none";
        }

        @Override
        public String extension() {
            return "";
        }

        @Override
        public Map<String, Object> parameters() {
            return Map.of();
        }

        @Override
        public OutputStream encrypt(OutputStream out) {
            if (calls.incrementAndGet() != 2) {
                return out;
            }
            return new FilterOutputStream(out) {
                @Override
                public void close() throws IOException {
                    throw new IOException("injected: closing the codec failed");
                }
            };
        }

        @Override
        public InputStream decrypt(InputStream in) {
            return in;
        }

        @Override
        public boolean canDecrypt() {
            return true;
        }
    }

    @Test
    void aSourceThatSwallowsAFailedStreamCloseDoesNotCommit() {
        List<BackupException> swallowed = new ArrayList<>();
        BackupSource careless = TestSources.source("careless", ctx -> {
            try (OutputStream first = ctx.newStream("first", "txt")) {
                first.write("one".getBytes(StandardCharsets.UTF_8));
            }
            try {
                OutputStream second = ctx.newStream("second", "txt");
                second.write("two".getBytes(StandardCharsets.UTF_8));
                second.close();
            } catch (BackupException e) {
                swallowed.add(e); // the bug under test: the source goes on as if the stream were stored
            }
        });
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(new SecondCloseFails()).clock(clock)
                .source(careless).build()) {
            assertThatThrownBy(() -> engine.backup("careless").run()).isInstanceOf(BackupException.class)
                    .hasMessageContaining("[second]");
            assertThat(swallowed).hasSize(1);
            assertThat(engine.list("careless")).isEmpty();
            assertThat(storage.keys()).containsExactly("repository.json");
        }
    }

    @Test
    void aSourceThatSwallowsAFailedStreamOpenDoesNotCommit() {
        BackupSource swallowsSetup = TestSources.source("setup", ctx -> {
            try (OutputStream a = ctx.newStream("a", "txt")) {
                a.write('a');
            }
            try {
                ctx.newStream("b", "txt");
            } catch (BackupException e) {
                // the bug under test: the source goes on without stream b
            }
        });
        Encryption failsSecond = new PipelineConcurrencyTest.FailingEncryption(Encryption.none(), call -> call == 2);
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(failsSecond).clock(clock)
                .source(swallowsSetup).build()) {
            assertThatThrownBy(() -> engine.backup("setup").run()).isInstanceOf(BackupException.class)
                    .hasMessageContaining("[b]");
            assertThat(engine.list("setup")).isEmpty();
            assertThat(storage.keys()).containsExactly("repository.json");
        }
    }

    @Test
    void latestIsTheNewestOfFortyBackupsTakenOneMillisecondApart() {
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(TestSources.random("quick", 100)).build()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = engine.backup("quick").run().id();
                ids.add(id);
                assertThat(engine.latest("quick")).map(Manifest::id).isEqualTo(Optional.of(id));
                clock.advance(Duration.ofMillis(1));
            }
            assertThat(engine.list("quick")).extracting(Manifest::id).containsExactlyElementsOf(ids);
            assertThat(ids).isSorted();
            assertThat(ids.get(1)).startsWith("20261124T020000.001Z-");
        }
    }

    @Test
    void idsOfEarlierVersionsStillListInStartTimeOrderAmongNewOnes() {
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(TestSources.random("mixed", 100)).build()) {
            String newer = engine.backup("mixed").run().id();
            // a backup with an id in the earlier format (second resolution) that started 1 s before
            String old = "20261124T015959Z-abcdef";
            String json = new String(storage.bytes("mixed/" + newer + "/manifest.json"), StandardCharsets.UTF_8)
                    .replace(newer, old).replace("2026-11-24T02:00:00Z", "2026-11-24T01:59:59Z");
            storage.put("mixed/" + old + "/manifest.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    PutOptions.defaults());

            assertThat(engine.list("mixed")).extracting(Manifest::id).containsExactly(old, newer);
            assertThat(engine.latest("mixed")).map(Manifest::id).isEqualTo(Optional.of(newer));
            engine.pin("mixed", old); // the earlier format is still a valid id
            assertThat(engine.pinned("mixed")).containsExactly(old);
        }
    }
}
