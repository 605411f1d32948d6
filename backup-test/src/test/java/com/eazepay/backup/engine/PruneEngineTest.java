package com.eazepay.backup.engine;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention and prune through the real engine: backups taken by the engine with a {@link TestClock}. */
class PruneEngineTest {

    static final Instant YEAR_START = Instant.parse("2026-01-01T02:00:00Z");
    static final RetentionPolicy GFS = RetentionPolicy.builder().keepDaily(7).keepWeekly(4).keepMonthly(6).build();

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;
    List<BackupEvent> events;

    @BeforeEach
    void setUp() {
        clock = TestClock.at(YEAR_START);
        storage = InMemoryStorage.withClock(clock);
        events = new CopyOnWriteArrayList<>();
    }

    /** A tiny source: one stream "data" holding "a"; restore reads it back and checks it. */
    static final class TinySource implements BackupSource {
        private final String name;

        TinySource(String name) {
            this.name = name;
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
                out.write('a');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            try (InputStream in = context.openStream("data")) {
                String content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                CheckResult check = "a".equals(content) ? CheckResult.passed("content", "a") : CheckResult.failed("content", content);
                return new RestoreOutcome(target.describe(), List.of(check), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private BackupEngineBuilder builder(StorageTarget repository) {
        return Backup.engine().repository(repository).compression(Compression.none()).encryption(Encryption.none())
                .source(new TinySource("x")).clock(clock).listener(events::add);
    }

    /** One backup a day at 02:00 from {@code start}; leaves the clock at 03:00 on the last day. */
    private List<String> daily(BackupEngine engine, Instant start, int days) {
        List<String> ids = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            clock.set(start.plus(Duration.ofDays(d)));
            ids.add(engine.backup("x").run().id());
        }
        clock.set(start.plus(Duration.ofDays(days - 1)).plus(Duration.ofHours(1)));
        return ids;
    }

    private static List<String> ids(List<Manifest> manifests) {
        return manifests.stream().map(Manifest::id).toList();
    }

    private List<String> backupDirs(InMemoryStorage s) {
        return s.keys().stream().filter(k -> k.startsWith("x/")).map(k -> k.split("/")[1]).distinct().sorted().toList();
    }

    private static String dayOf(String id) {
        return id.substring(0, 8);
    }

    // ------------------------------------------------------------------ a year of daily backups

    @Test
    void dryRunOverAYearOfDailyBackupsExplainsEveryDecisionAndDeletesNothing() throws IOException {
        try (BackupEngine engine = builder(storage).retention("x", GFS).build()) {
            daily(engine, YEAR_START, 365);
            List<String> before = storage.keys();

            PruneReport report = engine.prune().dryRun();

            assertThat(report.dryRun()).isTrue();
            assertThat(storage.keys()).isEqualTo(before);
            assertThat(report.entries()).hasSize(1);
            PruneReport.Entry e = report.primary("x").orElseThrow();
            // 7 daily (Dec 25-31) + weekly W51, W50 + monthly Nov, Oct, Sep, Aug, Jul
            assertThat(e.plan().kept()).hasSize(14);
            assertThat(e.plan().removed()).hasSize(351);
            assertThat(e.backupsRemoved()).hasSize(351);
            assertThat(e.objectsDeleted()).isEqualTo(2 * 351);
            assertThat(e.bytesFreed()).isPositive().isEqualTo(report.bytesFreed()).isEqualTo(e.plan().bytesFreed());
            assertThat(e.plan().kept().stream().map(b -> dayOf(b.id())))
                    .containsExactly("20261231", "20261230", "20261229", "20261228", "20261227", "20261226", "20261225",
                            "20261220", "20261213", "20261130", "20261031", "20260930", "20260831", "20260731");
            String table = report.toTable();
            assertThat(table).contains("== x on " + storage.describe() + " (primary) [dry run]")
                    .contains("daily 2026-12-31, weekly 2026-W53, monthly 2026-12, newest backup")
                    .contains("weekly 2026-W51").contains("monthly 2026-07")
                    .contains("14 kept, 351 removed")
                    .contains("would delete 351 backups, 0 unfinished uploads older than the grace period, 702 objects");
            assertThat(table.lines().filter(l -> l.contains(" remove ")).count()).isEqualTo(351);
            assertThat(events).noneMatch(ev -> ev instanceof BackupEvent.Pruned);
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("locks/"));
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/prune-dry-run-year.txt"), table);
        }
    }

    @Test
    void runDeletesWhatThePlanRemovesAndKeepsTheRest() {
        try (BackupEngine engine = builder(storage).retention("x", GFS).build()) {
            List<String> all = daily(engine, YEAR_START, 365);
            List<String> planned = engine.prune().dryRun().primary("x").orElseThrow().plan().kept().stream()
                    .map(b -> b.id()).sorted().toList();

            PruneReport report = engine.prune().run().orThrow();

            assertThat(report.dryRun()).isFalse();
            assertThat(ids(engine.list("x"))).isEqualTo(planned).hasSize(14).contains(all.get(364));
            assertThat(backupDirs(storage)).isEqualTo(planned);
            assertThat(report.backupsRemoved()).isEqualTo(351);
            assertThat(storage.keys()).doesNotContain("locks/prune.json");
            assertThat(events).filteredOn(ev -> ev instanceof BackupEvent.Pruned).singleElement()
                    .isEqualTo(new BackupEvent.Pruned("x", storage.describe(), 351, report.bytesFreed(), clock.instant()));
            // idempotent: nothing left to do
            assertThat(engine.prune().run().backupsRemoved()).isZero();
        }
    }

    @Test
    void theNewestBackupSurvivesEvenAPolicyThatKeepsNothingElse() {
        RetentionPolicy tagsOnly = RetentionPolicy.builder().keepTagged("never-used").build();
        try (BackupEngine engine = builder(storage).retention("x", tagsOnly).build()) {
            List<String> ids = daily(engine, YEAR_START, 5);
            engine.prune().run().orThrow();
            assertThat(ids(engine.list("x"))).containsExactly(ids.get(4));
        }
    }

    // ------------------------------------------------------------------ safety flags fed by the engine

    @Test
    void pinsLegalHoldsAndTheNewestVerifiedBackupSurvive() {
        RetentionPolicy last3 = RetentionPolicy.builder().keepLast(3).build();
        try (BackupEngine engine = builder(storage).retention("x", last3).build()) {
            List<String> ids = daily(engine, YEAR_START, 30);
            engine.pin("x", ids.get(4));
            engine.legalHold("x", ids.get(9), true);
            assertThat(engine.verify("x").id(ids.get(14)).run().passed()).isTrue();
            assertThat(engine.verify("x").id(ids.get(12)).run().passed()).isTrue();
            assertThat(storage.keys()).contains("pins/x/" + ids.get(4) + ".json", "holds/x/" + ids.get(9) + ".json")
                    .anyMatch(k -> k.startsWith("reports/verify/x-" + ids.get(14) + "-") && k.endsWith(".json"));
            assertThat(engine.pinned("x")).containsExactly(ids.get(4));
            assertThat(engine.legalHolds("x")).containsExactly(ids.get(9));

            PruneReport report = engine.prune().run().orThrow();

            assertThat(ids(engine.list("x"))).containsExactly(ids.get(4), ids.get(9), ids.get(14), ids.get(27), ids.get(28),
                    ids.get(29));
            String table = report.toTable();
            assertThat(table).contains(ids.get(4) + "  ").contains("pinned").contains("legal hold").contains("newest verified backup");
            assertThat(report.primary("x").orElseThrow().plan().reasons(ids.get(14))).containsExactly("newest verified backup");

            engine.unpin("x", ids.get(4));
            engine.legalHold("x", ids.get(9), false);
            engine.prune().run().orThrow();
            assertThat(ids(engine.list("x"))).containsExactly(ids.get(14), ids.get(27), ids.get(28), ids.get(29));
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("pins/") || k.startsWith("holds/"));
        }
    }

    @Test
    void aPassedRestoreTestMakesABackupVerifiedAndALaterFailedVerificationDoesNot() {
        RetentionPolicy last1 = RetentionPolicy.builder().keepLast(1).build();
        try (BackupEngine engine = builder(storage).retention("x", last1).build()) {
            List<String> ids = daily(engine, YEAR_START, 6);
            RestoreTarget memory = () -> "memory";
            assertThat(engine.restore("x").id(ids.get(1)).into(memory).checked().run().checksPassed()).isTrue();
            assertThat(engine.restore("x").id(ids.get(3)).into(memory).checked().run().checksPassed()).isTrue();
            // ids[3] is corrupted at rest afterwards: its newest verification fails, so ids[1] is the newest verified
            String data = "x/" + ids.get(3) + "/data.txt";
            storage.overwrite(data, "b".getBytes(StandardCharsets.UTF_8));
            clock.advance(Duration.ofSeconds(1));
            assertThat(engine.verify("x").id(ids.get(3)).run().passed()).isFalse();

            PruneReport report = engine.prune().run().orThrow();

            assertThat(ids(engine.list("x"))).containsExactly(ids.get(1), ids.get(5));
            assertThat(report.primary("x").orElseThrow().plan().reasons(ids.get(1))).containsExactly("newest verified backup");
        }
    }

    @Test
    void pinningABackupThatDoesNotExistFailsWithNotFound() {
        try (BackupEngine engine = builder(storage).retention("x", GFS).build()) {
            assertThatThrownBy(() -> engine.pin("x", "20260101T020000Z-zzzzzz"))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND));
            assertThatThrownBy(() -> engine.legalHold("x", "../../etc", true))
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND));
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("pins/") || k.startsWith("holds/"));
        }
    }

    // ------------------------------------------------------------------ failures and unfinished uploads

    @Test
    void manifestIsDeletedBeforeDataSoAFailedDataDeleteLeavesNothingListedAndTheNextPruneCleansUp() {
        // deletes go oldest backup first, manifest first: DELETE call 2 is the oldest backup's data
        FaultyStorage faulty = FaultyStorage.wrap(storage).onKeys(k -> k.endsWith("/data.txt")).retryableFaults(false);
        RetentionPolicy last2 = RetentionPolicy.builder().keepLast(2).build();
        try (BackupEngine engine = builder(faulty).retention("x", last2).build()) {
            List<String> ids = daily(engine, YEAR_START, 10);
            // (each backup deleted its running marker: count from here)
            faulty.failOnCall(FaultyStorage.Operation.DELETE, faulty.calls(FaultyStorage.Operation.DELETE) + 2);

            PruneReport report = engine.prune().run();

            assertThat(report.isComplete()).isFalse();
            assertThat(report.primary("x").orElseThrow().errors()).containsOnlyKeys(ids.get(0));
            assertThat(report.primary("x").orElseThrow().backupsRemoved()).hasSize(8).contains(ids.get(0));
            assertThat(ids(engine.list("x"))).containsExactly(ids.get(8), ids.get(9));
            assertThat(storage.keys()).contains("x/" + ids.get(0) + "/data.txt").doesNotContain("x/" + ids.get(0) + "/manifest.json");
            assertThatThrownBy(report::orThrow).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                assertThat(e.getMessage()).contains(ids.get(0)).contains("run prune again");
            });
            assertThat(storage.keys()).doesNotContain("locks/prune.json");

            PruneReport again = engine.prune().run().orThrow();

            assertThat(again.primary("x").orElseThrow().unfinishedRemoved()).containsExactly(ids.get(0));
            assertThat(backupDirs(storage)).containsExactly(ids.get(8), ids.get(9));
        }
    }

    @Test
    void unfinishedUploadsOlderThanTheGracePeriodAreRemovedAndYoungerOnesKept() {
        try (BackupEngine engine = builder(storage).retention("x", GFS).build()) {
            daily(engine, YEAR_START, 3);
            Instant now = clock.instant();
            String stale = "x/20260101T230000Z-stale1/data.txt";
            String young = "x/20260103T020000Z-young1/data.txt";
            putRaw(stale);
            putRaw(young);
            storage.touch(stale, now.minus(Duration.ofHours(25)));
            storage.touch(young, now.minus(Duration.ofHours(1)));

            PruneReport dry = engine.prune().dryRun();
            assertThat(dry.primary("x").orElseThrow().unfinishedRemoved()).containsExactly("20260101T230000Z-stale1");
            assertThat(dry.toTable()).contains("1 unfinished uploads older than the grace period [20260101T230000Z-stale1]");
            assertThat(storage.keys()).contains(stale, young);

            PruneReport report = engine.prune().run().orThrow();
            assertThat(report.primary("x").orElseThrow().unfinishedRemoved()).containsExactly("20260101T230000Z-stale1");
            assertThat(storage.keys()).doesNotContain(stale).contains(young);
            assertThat(engine.list("x")).hasSize(3);

            engine.prune().gracePeriod(Duration.ofMinutes(30)).run().orThrow();
            assertThat(storage.keys()).doesNotContain(young);
            assertThat(engine.list("x")).hasSize(3);
        }
    }

    private void putRaw(String key) {
        storage.put(key, new ByteArrayInputStream(new byte[]{'a'}), PutOptions.defaults().withContentLength(1));
    }

    // ------------------------------------------------------------------ the lease

    @Test
    void aSecondPruneWhileOneRunsIsRefusedNamingTheHolderAndExpiry() {
        AtomicReference<Throwable> second = new AtomicReference<>();
        AtomicReference<String> leaseDuringPrune = new AtomicReference<>();
        try (BackupEngine other = builder(storage).retention("x", GFS).build()) {
            Consumer<BackupEvent> onPruned = ev -> {
                if (ev instanceof BackupEvent.Pruned) {
                    // the first prune is still holding the lease while it publishes
                    leaseDuringPrune.set(new String(storage.bytes("locks/prune.json"), StandardCharsets.UTF_8));
                    try {
                        other.prune().run();
                    } catch (Throwable t) {
                        second.set(t);
                    }
                }
            };
            try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.none())
                    .encryption(Encryption.none()).source(new TinySource("x")).clock(clock).listener(onPruned::accept)
                    .retention("x", GFS).build()) {
                daily(engine, YEAR_START, 10);

                engine.prune().run().orThrow();

                assertThat(leaseDuringPrune.get()).contains("\"owner\"").contains("\"host\"").contains("\"pid\"")
                        .contains("\"acquiredAt\" : \"2026-01-10T03:00:00Z\"").contains("\"expiresAt\" : \"2026-01-10T04:00:00Z\"");
                assertThat(second.get()).isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING);
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.getMessage()).contains("a prune is already running").contains("locks/prune.json")
                            .contains("on host ").contains("expires 2026-01-10T04:00:00Z");
                });
                assertThat(storage.keys()).doesNotContain("locks/prune.json");
                // released: the other engine may prune now
                assertThat(other.prune().run().isComplete()).isTrue();
            }
        }
    }

    @Test
    void aLiveLeaseFromAnotherHostBlocksAndAnExpiredOneIsTakenOverOnce() {
        try (BackupEngine engine = builder(storage).retention("x", RetentionPolicy.builder().keepLast(1).build()).build()) {
            daily(engine, YEAR_START, 4);
            Instant now = clock.instant();
            writeLease("dead-owner", now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofMinutes(10)));

            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING);
                assertThat(e.getMessage()).contains("dead-owner on host ops-7 (pid 4242)").contains("expires " + now.plus(Duration.ofMinutes(10)));
            });
            assertThat(engine.list("x")).hasSize(4);
            assertThat(engine.prune().dryRun().backupsRemoved()).isEqualTo(3); // a dry run needs no lease

            // expired a minute ago: still within the clock-skew margin, so still held
            clock.advance(Duration.ofMinutes(11));
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING));
            clock.advance(Lease.SKEW_MARGIN);
            PruneReport report = engine.prune().run().orThrow();
            assertThat(report.staleLeaseTakenOver()).hasValueSatisfying(t -> assertThat(t)
                    .contains("dead-owner on host ops-7 (pid 4242)").contains("expired at " + now.plus(Duration.ofMinutes(10))));

            assertThat(report.backupsRemoved()).isEqualTo(3);
            assertThat(engine.list("x")).hasSize(1);
            assertThat(storage.keys()).doesNotContain("locks/prune.json").contains("locks/prune-takeover/dead-owner.json");

            // another process that read the same expired lease cannot take it over a second time
            writeLease("dead-owner", now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofMinutes(10)));
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING);
                assertThat(e.getMessage()).contains("another process is taking over lease locks/prune.json of dead-owner");
            });
            assertThat(storage.keys()).contains("locks/prune.json");
        }
    }

    @Test
    void theLeaseIsRenewedBeforeEachTargetAndALostLeaseStopsThePruneWithoutTouchingTheNewHolder() {
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        List<String> leaseSeen = new ArrayList<>();
        AtomicReference<Runnable> onPrimaryPruned = new AtomicReference<>(() -> { });
        try (BackupEngine engine = Backup.engine().repository(storage).replica(offsite).compression(Compression.none())
                .encryption(Encryption.none()).source(new TinySource("x")).clock(clock)
                .retention("x", RetentionPolicy.builder().keepLast(1).build())
                .listener(ev -> {
                    if (ev instanceof BackupEvent.Pruned p) {
                        leaseSeen.add(new String(storage.bytes("locks/prune.json"), StandardCharsets.UTF_8));
                        if (p.target().equals(storage.describe())) {
                            onPrimaryPruned.get().run();
                        }
                    }
                }).build()) {
            daily(engine, YEAR_START, 3);
            Instant start = clock.instant();
            // the primary's prune takes 40 of the 30 minutes: renewed before the replica, so not lost
            onPrimaryPruned.set(() -> clock.advance(Duration.ofMinutes(40)));

            engine.prune().leaseDuration(Duration.ofMinutes(30)).run().orThrow();

            assertThat(leaseSeen.get(0)).contains("\"expiresAt\" : \"" + start.plus(Duration.ofMinutes(30)) + "\"");
            assertThat(leaseSeen.get(1)).contains("\"expiresAt\" : \"" + start.plus(Duration.ofMinutes(70)) + "\"")
                    .contains("\"acquiredAt\" : \"" + start + "\"");
            assertThat(backupDirs(offsite)).hasSize(1);

            // now someone takes the lease over while the primary is pruned: the replica is not touched
            engine.backup("x").run();
            onPrimaryPruned.set(() -> writeLease("usurper", clock.instant(), clock.instant().plus(Duration.ofHours(1))));
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING);
                assertThat(e.getMessage()).contains("lease locks/prune.json").contains("was lost").contains("usurper on host ops-7");
            });
            assertThat(backupDirs(storage)).hasSize(1);
            assertThat(backupDirs(offsite)).hasSize(2);
            assertThat(new String(storage.bytes("locks/prune.json"), StandardCharsets.UTF_8)).contains("usurper");
        }
    }

    @Test
    void aListingFailureAbortsThePruneAndReleasesTheLease() {
        FaultyStorage faulty = FaultyStorage.wrap(storage).onKeys(k -> k.equals("x/")).retryableFaults(true);
        try (BackupEngine engine = builder(faulty).retention("x", RetentionPolicy.builder().keepLast(1).build()).build()) {
            daily(engine, YEAR_START, 3);
            int before = faulty.calls(FaultyStorage.Operation.LIST);
            // the run's lists: locks/prune-takeover/, pins/x/, holds/x/, reports/verify/x-, then x/ (the engine's)
            faulty.failOnCall(FaultyStorage.Operation.LIST, before + 5);
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                assertThat(e.isRetryable()).isTrue();
            });
            assertThat(engine.list("x")).hasSize(3);
            assertThat(storage.keys()).doesNotContain("locks/prune.json");
            assertThat(engine.prune().run().orThrow().backupsRemoved()).isEqualTo(2);
        }
    }

    @Test
    void aBackupInProgressDuringAPruneIsLeftAlone() {
        AtomicReference<BackupEngine> engineRef = new AtomicReference<>();
        AtomicReference<PruneReport> duringBackup = new AtomicReference<>();
        BackupSource pruningSource = TestSources.source("x", context -> {
            new TinySource("x").backup(context);   // stream stored, manifest not yet
            if (duringBackup.get() == null && engineRef.get().list("x").size() == 3) {
                duringBackup.set(engineRef.get().prune().gracePeriod(Duration.ZERO).run());
            }
        });
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.none())
                .encryption(Encryption.none()).source(pruningSource).clock(clock)
                .retention("x", RetentionPolicy.builder().keepLast(1).build()).build()) {
            engineRef.set(engine);
            List<String> ids = daily(engine, YEAR_START, 4);

            assertThat(duringBackup.get().primary("x").orElseThrow().unfinishedRemoved()).isEmpty();
            assertThat(duringBackup.get().primary("x").orElseThrow().backupsRemoved()).containsExactly(ids.get(0), ids.get(1));
            assertThat(ids(engine.list("x"))).containsExactly(ids.get(2), ids.get(3));
        }
    }

    private void writeLease(String owner, Instant acquired, Instant expires) {
        String json = "{\"owner\":\"" + owner + "\",\"host\":\"ops-7\",\"pid\":4242,\"purpose\":\"prune\",\"acquiredAt\":\""
                + acquired + "\",\"expiresAt\":\"" + expires + "\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        storage.put("locks/prune.json", new ByteArrayInputStream(b), PutOptions.defaults().withContentLength(b.length));
    }

    // ------------------------------------------------------------------ replicas

    @Test
    void replicasArePrunedWithTheirOwnPolicyOrThePrimarysPolicy() {
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        InMemoryStorage second = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = builder(storage).replica(offsite).replica(second)
                .retention("x", RetentionPolicy.builder().keepLast(3).build())
                .replicaRetention(offsite, "x", RetentionPolicy.builder().keepLast(10).build()).build()) {
            List<String> ids = daily(engine, YEAR_START, 15);
            engine.pin("x", ids.get(0));
            assertThat(offsite.keys()).contains("pins/x/" + ids.get(0) + ".json");

            PruneReport dry = engine.prune().dryRun();
            assertThat(dry.entries()).extracting(PruneReport.Entry::target)
                    .containsExactly(storage.describe(), offsite.describe(), second.describe());
            assertThat(dry.entries()).extracting(e -> e.plan().kept().size()).containsExactly(4, 11, 4);

            PruneReport report = engine.prune().run().orThrow();

            assertThat(backupDirs(storage)).containsExactlyElementsOf(sorted(ids.get(0), ids.subList(12, 15)));
            assertThat(backupDirs(offsite)).containsExactlyElementsOf(sorted(ids.get(0), ids.subList(5, 15)));
            assertThat(backupDirs(second)).containsExactlyElementsOf(sorted(ids.get(0), ids.subList(12, 15)));
            assertThat(report.entry("x", offsite.describe()).orElseThrow().primary()).isFalse();
            assertThat(events).filteredOn(ev -> ev instanceof BackupEvent.Pruned).extracting(ev -> ((BackupEvent.Pruned) ev).removed())
                    .containsExactly(11, 4, 11);
        }
    }

    @Test
    void aPinOnTheReplicaAloneAlsoProtectsTheReplicaCopy() {
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = builder(storage).replica(offsite).retention("x", RetentionPolicy.builder().keepLast(1).build()).build()) {
            List<String> ids = daily(engine, YEAR_START, 3);
            byte[] marker = "{}".getBytes(StandardCharsets.UTF_8);
            offsite.put("pins/x/" + ids.get(0) + ".json", new ByteArrayInputStream(marker), PutOptions.defaults());
            engine.prune().run().orThrow();
            assertThat(backupDirs(storage)).containsExactly(ids.get(2));
            assertThat(backupDirs(offsite)).containsExactly(ids.get(0), ids.get(2));
        }
    }

    @Test
    void aSourceWithOnlyAReplicaPolicyIsPrunedOnThatReplicaOnly() {
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = builder(storage).replica(offsite)
                .replicaRetention(offsite, "x", RetentionPolicy.builder().keepLast(2).build()).build()) {
            List<String> ids = daily(engine, YEAR_START, 5);
            PruneReport report = engine.prune().run().orThrow();
            assertThat(report.entries()).singleElement().satisfies(e -> {
                assertThat(e.primary()).isFalse();
                assertThat(e.target()).isEqualTo(offsite.describe());
            });
            assertThat(backupDirs(storage)).hasSize(5);
            assertThat(backupDirs(offsite)).containsExactly(ids.get(3), ids.get(4));
        }
    }

    private static List<String> sorted(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).sorted().collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ filesystem

    @Test
    void pruneOnTheFileSystemLeavesOnlyKeptBackupsOnDisk() throws IOException {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("repo"));
        try (BackupEngine engine = builder(fs).retention("x", RetentionPolicy.builder().keepDaily(5).keepWeekly(2).build()).build()) {
            List<String> ids = daily(engine, YEAR_START, 40);
            engine.pin("x", ids.get(1));

            PruneReport report = engine.prune().run().orThrow();

            List<String> kept = report.primary("x").orElseThrow().plan().kept().stream().map(b -> b.id()).sorted().toList();
            // 5 daily (Feb 5-9; the 2 weekly are Mon Feb 9 in W07 and Sun Feb 8 in W06), pinned Jan 2
            assertThat(kept).hasSize(6).contains(ids.get(1), ids.get(39));
            try (Stream<Path> dirs = Files.list(tmp.resolve("repo/x"))) {
                assertThat(dirs.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(kept);
            }
            assertThat(ids(engine.list("x"))).isEqualTo(kept);
            assertThat(tmp.resolve("repo/locks/prune.json")).doesNotExist();
        }
    }

    @Test
    void theLeaseHoldsOnTheFileSystemAcrossEngines() {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("shared"));
        AtomicReference<Throwable> second = new AtomicReference<>();
        try (BackupEngine other = builder(fs).retention("x", RetentionPolicy.builder().keepLast(1).build()).build();
             BackupEngine engine = Backup.engine().repository(fs).compression(Compression.none()).encryption(Encryption.none())
                     .source(new TinySource("x")).clock(clock).retention("x", RetentionPolicy.builder().keepLast(1).build())
                     .listener(ev -> {
                         if (ev instanceof BackupEvent.Pruned) {
                             try {
                                 other.prune().run();
                             } catch (Throwable t) {
                                 second.set(t);
                             }
                         }
                     }).build()) {
            daily(engine, YEAR_START, 3);
            assertThat(engine.prune().run().orThrow().backupsRemoved()).isEqualTo(2);
            assertThat(second.get()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING));
            assertThat(tmp.resolve("shared/locks/prune.json")).doesNotExist();
            assertThat(other.list("x")).hasSize(1);
        }
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void buildListsRetentionPoliciesForUnknownSourcesAndReplicasNotConfigured() {
        InMemoryStorage stray = InMemoryStorage.create();
        assertThatThrownBy(() -> builder(storage).retention("db", GFS).retention("cache", GFS)
                .replicaRetention(stray, "x", GFS).build())
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("retention policies name unknown sources [db, cache]")
                            .contains("configured sources are [x]").contains("is not a replica");
                });
        assertThatThrownBy(() -> builder(storage).retention("x", GFS).retention("x", GFS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("retention of 'x' was already set");
        assertThatThrownBy(() -> Backup.engine().repository(storage).encryption(Encryption.none()).source(new TinySource("pins")).build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.getMessage()).contains("invalid source name 'pins'"));
    }

    @Test
    void pruneWithoutAPolicyOrOfAnUnknownSourceFailsClearly() {
        try (BackupEngine engine = builder(storage).build()) {
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                assertThat(e.getMessage()).contains("call retention(source");
            });
            assertThatThrownBy(() -> engine.prune().source("nope").dryRun()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND));
            assertThatThrownBy(() -> engine.prune().source("x").dryRun()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.getMessage()).contains("source 'x' has no retention policy"));
            assertThatThrownBy(() -> engine.prune().gracePeriod(Duration.ofHours(-1))).isInstanceOf(IllegalArgumentException.class);
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("locks/"));
        }
    }
}
