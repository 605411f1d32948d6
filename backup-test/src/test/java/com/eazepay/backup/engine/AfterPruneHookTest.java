package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's prune tells a source what it kept, so data kept beside the backups (a WAL archive) can follow. */
class AfterPruneHookTest {

    /** Records every afterPrune call; backs up and restores through {@link PruneEngineTest.TinySource}. */
    static final class RecordingSource implements BackupSource {
        final PruneEngineTest.TinySource delegate = new PruneEngineTest.TinySource("db");
        final List<String> calls = new ArrayList<>();

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public String type() {
            return delegate.type();
        }

        @Override
        public void backup(BackupContext context) {
            delegate.backup(context);
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            return delegate.restore(context, target);
        }

        @Override
        public com.eazepay.backup.spi.PrunedBeside afterPrune(StorageTarget repository, List<Manifest> kept, boolean dryRun) {
            calls.add((dryRun ? "dry " : "run ") + repository.describe() + " "
                    + kept.stream().map(Manifest::id).sorted().toList());
            return com.eazepay.backup.spi.PrunedBeside.none();
        }
    }

    @Test
    void pruneHandsTheSourceTheBackupsItKeptOnEveryTargetAndOnADryRun() {
        TestClock clock = TestClock.at(Instant.parse("2026-11-06T02:00:00Z"));
        InMemoryStorage primary = InMemoryStorage.withClock(clock);
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        RecordingSource source = new RecordingSource();
        try (BackupEngine engine = Backup.engine().repository(primary).replica(offsite).compression(Compression.none())
                .encryption(Encryption.none()).source(source).clock(clock)
                .retention("db", RetentionPolicy.builder().keepLast(2).build())
                .build()) {
            List<String> ids = new ArrayList<>();
            for (int d = 0; d < 4; d++) {
                clock.set(Instant.parse("2026-11-06T02:00:00Z").plus(Duration.ofDays(d)));
                ids.add(engine.backup("db").run().id());
            }
            List<String> newest = ids.subList(2, 4).stream().sorted().toList();

            engine.prune().dryRun();
            assertThat(source.calls).containsExactly(
                    "dry " + primary.describe() + " " + newest,
                    "dry " + offsite.describe() + " " + newest);

            source.calls.clear();
            engine.prune().run();
            assertThat(source.calls).containsExactly(
                    "run " + primary.describe() + " " + newest,
                    "run " + offsite.describe() + " " + newest);
            assertThat(engine.list("db")).extracting(Manifest::id).containsExactlyInAnyOrderElementsOf(newest);
        }
    }
}
