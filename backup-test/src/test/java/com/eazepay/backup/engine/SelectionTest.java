package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.RestoreSetResult;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One selection vocabulary for restore and verify; newest-first reads; restore of a whole set; restore failure style. */
class SelectionTest {

    @TempDir
    Path tmp;

    TestClock clock;
    CountingStorage storage;
    final List<BackupEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        clock = TestClock.at(Instant.parse("2026-11-01T02:00:00Z"));
        storage = new CountingStorage(InMemoryStorage.withClock(clock));
    }

    /** Writes its name into one stream; restores by reading it back (or by running {@code onRestore}). */
    static final class NamedSource implements BackupSource {
        final String name;
        final Supplier<RestoreOutcome> onRestore;

        NamedSource(String name, Supplier<RestoreOutcome> onRestore) {
            this.name = name;
            this.onRestore = onRestore;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "test";
        }

        @Override
        public void backup(BackupContext context) {
            try (OutputStream out = context.newStream("data", "txt")) {
                out.write(name.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            if (onRestore != null) {
                return onRestore.get();
            }
            try (InputStream in = context.openStream("data")) {
                String content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return new RestoreOutcome(target.describe(), List.of(name.equals(content) ? CheckResult.passed("content", content)
                        : CheckResult.failed("content", content)), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private BackupEngine engine(BackupSource... sources) {
        var b = Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none()).clock(clock)
                .listener(events::add);
        for (BackupSource s : sources) {
            b.source(s);
        }
        return b.build();
    }

    private List<String> daily(BackupEngine engine, String source, int days) {
        List<String> ids = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            var req = engine.backup(source).label("day", Integer.toString(d));
            if (d % 7 == 0) {
                req.tag("weekly");
            }
            ids.add(req.run().id());
            clock.advance(Duration.ofDays(1));
        }
        return ids;
    }

    @Test
    void latestAndRestoreOfTheLatestReadOnlyTheNewestManifest() {
        try (BackupEngine engine = engine(new NamedSource("x", null))) {
            List<String> ids = daily(engine, "x", 60);
            storage.reset();
            assertThat(engine.latest("x")).map(Manifest::id).contains(ids.get(59));
            assertThat(storage.manifestGets.get()).isEqualTo(1);
            storage.reset();
            RestoreResult r = engine.restore("x").latest().into(() -> "memory").checked().run();
            assertThat(r.manifest().id()).isEqualTo(ids.get(59));
            assertThat(storage.manifestGets.get()).isEqualTo(1);
            storage.reset();
            assertThat(engine.list("x")).hasSize(60);
            assertThat(storage.manifestGets.get()).isEqualTo(60);
        }
    }

    @Test
    void beforeTaggedLabelAndSetChooseWhatListWouldChooseReadingNewestFirstAndStoppingAtTheMatch() {
        try (BackupEngine engine = engine(new NamedSource("x", null))) {
            List<String> ids = daily(engine, "x", 30);
            Instant before = Instant.parse("2026-11-10T12:00:00Z");
            List<Manifest> all = engine.list("x");

            storage.reset();
            Manifest m = engine.restore("x").before(before).tagged("weekly").selected();
            List<Manifest> expected = engine.list("x", BackupFilter.all().before(before).tagged("weekly"));
            assertThat(m.id()).isEqualTo(expected.get(expected.size() - 1).id()).isEqualTo(ids.get(7));
            assertThat(engine.verify("x").label("day", "12").run().manifest().id()).isEqualTo(ids.get(12));
            assertThat(engine.verify("x").id(ids.get(3)).run().manifest().id()).isEqualTo(ids.get(3));
            assertThat(all).extracting(Manifest::id).containsExactlyElementsOf(ids);
            assertThatThrownBy(() -> engine.restore("x").label("day", "99").selected())
                    .isInstanceOf(BackupException.class).hasMessageContaining("label(day, 99)")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
        }
    }

    @Test
    void conflictingSelectionsAreRefusedInsteadOfOverridingEachOther() {
        try (BackupEngine engine = engine(new NamedSource("x", null))) {
            String id = daily(engine, "x", 1).get(0);
            Instant t = clock.instant();
            List<Runnable> conflicts = List.of(
                    () -> engine.restore("x").id(id).before(t),
                    () -> engine.restore("x").before(t).id(id),
                    () -> engine.restore("x").id(id).latest(),
                    () -> engine.restore("x").tagged("a").id(id),
                    () -> engine.restore("x").before(t).before(t.minusSeconds(1)),
                    () -> engine.restore("x").set("set-a").set("set-b"),
                    () -> engine.restore("x").label("release", "1").label("release", "2"),
                    () -> engine.verify("x").id(id).tagged("a"),
                    () -> engine.verify("x").latest().id(id));
            for (Runnable conflict : conflicts) {
                assertThatThrownBy(conflict::run).isInstanceOf(BackupException.class).hasMessageContaining("conflicts with")
                        .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            }
            // combinations that mean one backup are fine
            assertThat(engine.restore("x").latest().tagged("weekly").label("day", "0").selected().id()).isEqualTo(id);
            assertThat(engine.restore("x").id(id).id(id).selected().id()).isEqualTo(id);
        }
    }

    @Test
    void restoreWrapsAnErrorIntoABackupExceptionAndPublishesRestoreFailed() {
        NamedSource exploding = new NamedSource("x", () -> {
            throw new OutOfMemoryError("Java heap space (simulated)");
        });
        try (BackupEngine engine = engine(exploding)) {
            String id = daily(engine, "x", 1).get(0);
            events.clear();
            assertThatThrownBy(() -> engine.restore("x").into(() -> "memory").run())
                    .isInstanceOf(BackupException.class)
                    .hasMessageContaining("restore of backup " + id).hasMessageContaining("OutOfMemoryError")
                    .hasCauseInstanceOf(OutOfMemoryError.class)
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INTERNAL);
            assertThat(events).hasSize(1).first().isInstanceOfSatisfying(BackupEvent.RestoreFailed.class,
                    f -> assertThat(f.errorCode()).isEqualTo(CoreErrorCode.INTERNAL));
        }
    }

    @Test
    void verificationReportOrThrowFailsNamingTheStreamWhenAStoredByteIsFlipped() {
        InMemoryStorage memory = InMemoryStorage.withClock(clock);
        storage = new CountingStorage(memory);
        try (BackupEngine engine = engine(new NamedSource("x", null))) {
            Manifest m = engine.backup("x").run().manifest();
            VerificationReport ok = engine.verify("x").run();
            assertThat(ok.orThrow()).isSameAs(ok);
            String key = "x/" + m.id() + "/" + m.streams().get(0).object();
            byte[] bytes = memory.bytes(key);
            bytes[0] ^= 1;
            memory.overwrite(key, bytes);
            VerificationReport bad = engine.verify("x").run();
            assertThat(bad.passed()).isFalse();
            assertThatThrownBy(bad::orThrow).isInstanceOf(BackupException.class)
                    .hasMessageContaining("verification of backup " + m.id()).hasMessageContaining("data")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH);
        }
    }

    @Test
    void restoreSetRestoresEveryBackupOfTheSetIntoItsOwnTarget() throws IOException {
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("release.txt"), "1.4.2");
        try (BackupEngine engine = engine(new NamedSource("db", null), FilesSource.builder("config").directory(config).build())) {
            BackupSetResult set = engine.backupAll().label("release", "1.4.2").run().orThrow();
            clock.advance(Duration.ofHours(1));
            Files.writeString(config.resolve("release.txt"), "1.4.3");
            engine.backupAll().label("release", "1.4.3").run().orThrow();
            clock.advance(Duration.ofHours(1));

            storage.reset();
            Path restored = tmp.resolve("restored");
            RestoreSetResult r = engine.restoreSet(set.setId()).into("db", () -> "memory")
                    .into("config", FilesTarget.directory(restored)).checked().run().orThrow();
            assertThat(r.restored()).containsOnlyKeys("db", "config");
            assertThat(r.restored().get("db").manifest().id()).isEqualTo(set.succeeded().get("db").id());
            assertThat(Files.readString(restored.resolve("config/release.txt"))).isEqualTo("1.4.2");
            // newest first, stopping at the set's start: the later set and the set's own backup, per source
            assertThat(storage.manifestGets.get()).isLessThanOrEqualTo(4);
            assertThat(engine.list("db", BackupFilter.all().inSet(set.setId()))).extracting(Manifest::id)
                    .containsExactly(set.succeeded().get("db").id());

            assertThatThrownBy(() -> engine.restoreSet(set.setId()).into("db", () -> "memory").run())
                    .isInstanceOf(BackupException.class).hasMessageContaining("'config' has no target")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThatThrownBy(() -> engine.restoreSet("set-20200101T000000.000Z-aaaaaa").into("db", () -> "memory").run())
                    .isInstanceOf(BackupException.class)
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND);
        }
    }

    @Test
    void engineBuilderRefusesEverySingleValueSettingGivenTwice() {
        List<Runnable> twice = List.of(
                () -> Backup.engine().repository(storage).repository(storage),
                () -> Backup.engine().compression(Compression.none()).compression(Compression.gzip()),
                () -> Backup.engine().encryption(Encryption.none()).encryption(Encryption.none()),
                () -> Backup.engine().clock(clock).clock(clock),
                () -> Backup.engine().objectLock(Duration.ofDays(1)).objectLock(Duration.ofDays(2)),
                () -> Backup.engine().replicaFailureFailsBackup(false).replicaFailureFailsBackup(true),
                () -> Backup.engine().allowUnencryptedSensitiveData().allowUnencryptedSensitiveData(),
                () -> Backup.engine().retention("x", com.eazepay.backup.retention.RetentionPolicy.builder().keepLast(1).build())
                        .retention("x", com.eazepay.backup.retention.RetentionPolicy.builder().keepLast(2).build()));
        for (Runnable r : twice) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
        }
    }

    @Test
    void restoreResultOrThrowFailsWithCheckFailedWhenAnUncheckedRestoresChecksFailed() {
        NamedSource failing = new NamedSource("x", () -> new RestoreOutcome("memory",
                List.of(CheckResult.passed("rows", "3"), CheckResult.failed("keys", "expected 5, found 4")), Map.of()));
        try (BackupEngine engine = engine(failing)) {
            daily(engine, "x", 1);
            RestoreResult r = engine.restore("x").into(() -> "memory").run();
            assertThat(r.checksPassed()).isFalse();
            assertThatThrownBy(r::orThrow).isInstanceOf(BackupException.class).hasMessageContaining("keys (expected 5, found 4)")
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
            assertThatThrownBy(() -> engine.restore("x").into(() -> "memory").checked().run())
                    .isInstanceOf(BackupException.class)
                    .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
        }
    }
}
