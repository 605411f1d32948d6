package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.storage.RetryingStorage;
import com.eazepay.backup.internal.Lease;
import com.eazepay.backup.internal.ProcessIdentity;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.test.InMemoryStorage;
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
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups in progress versus prune (running markers, the stat before commit), the prune lease
 * (dead holders on this host, lost conditional-PUT responses, skew margin) and the filesystem
 * repository's leftovers (temporary files, empty directories, interrupted backups).
 */
class RunningBackupAndLeaseTest {

    static final Instant START = Instant.parse("2026-03-01T02:00:00Z");
    static final RetentionPolicy KEEP_LAST = RetentionPolicy.builder().keepLast(1).build();

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;

    @BeforeEach
    void setUp() {
        clock = TestClock.at(START);
        storage = InMemoryStorage.withClock(clock);
    }

    /**
     * Two streams; while the second is open the source signals {@code inSecond} and blocks until
     * {@code proceed}, so a prune can run in between (no sleeps).
     */
    static final class TwoStreamSource implements BackupSource {
        final CountDownLatch inSecond = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);

        @Override
        public String name() {
            return "x";
        }

        @Override
        public String type() {
            return "test";
        }

        @Override
        public void backup(BackupContext context) {
            try {
                try (OutputStream out = context.newStream("first", "txt")) {
                    out.write("first stream".getBytes(StandardCharsets.UTF_8));
                }
                try (OutputStream out = context.newStream("second", "txt")) {
                    out.write("second ".getBytes(StandardCharsets.UTF_8));
                    inSecond.countDown();
                    if (!proceed.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("test did not release the source");
                    }
                    out.write("stream".getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted", e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            try (InputStream a = context.openStream("first"); InputStream b = context.openStream("second")) {
                String both = new String(a.readAllBytes(), StandardCharsets.UTF_8) + "+"
                        + new String(b.readAllBytes(), StandardCharsets.UTF_8);
                CheckResult check = "first stream+second stream".equals(both) ? CheckResult.passed("content", both)
                        : CheckResult.failed("content", both);
                return new RestoreOutcome(target.describe(), List.of(check), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private BackupEngine engine(StorageTarget repository, BackupSource source) {
        return Backup.engine().repository(repository).compression(Compression.none()).encryption(Encryption.none())
                .source(source).clock(clock).retention("x", KEEP_LAST).build();
    }

    // ------------------------------------------------------------------ item 3: prune vs a running backup

    @Test
    void aPruneWithZeroGraceDuringABackupsSecondStreamLeavesTheBackupIntact() throws Exception {
        TwoStreamSource source = new TwoStreamSource();
        try (BackupEngine engine = engine(storage, source)) {
            CompletableFuture<BackupResult> backup = CompletableFuture.supplyAsync(() -> engine.backup("x").run());
            assertThat(source.inSecond.await(30, TimeUnit.SECONDS)).isTrue();
            String id = storage.keys().stream().filter(k -> k.startsWith("x/")).findFirst().orElseThrow().split("/")[1];
            assertThat(storage.keys()).contains(RepositoryLayout.runningMarkerKey("x", id));

            // the first stream is minutes old by now (less than the marker's expiry, which real-time
            // renewals would extend anyway): without the marker, grace ZERO deletes it
            clock.advance(Duration.ofMinutes(5));
            PruneReport report = engine.prune().gracePeriod(Duration.ZERO).run().orThrow();
            source.proceed.countDown();
            BackupResult result = backup.get(30, TimeUnit.SECONDS);

            assertThat(report.primary("x").orElseThrow().unfinishedRemoved()).isEmpty();
            assertThat(result.id()).isEqualTo(id);
            assertThat(storage.keys()).contains("x/" + id + "/first.txt", "x/" + id + "/second.txt")
                    .doesNotContain(RepositoryLayout.runningMarkerKey("x", id));
            assertThat(engine.verify("x").id(id).run().passed()).isTrue();
        }
    }

    @Test
    void aBackupWhoseStreamObjectVanishedBeforeCommitFailsClearlyAndCommitsNothing() throws Exception {
        TwoStreamSource source = new TwoStreamSource();
        try (BackupEngine engine = engine(storage, source)) {
            CompletableFuture<BackupResult> backup = CompletableFuture.supplyAsync(() -> engine.backup("x").run());
            assertThat(source.inSecond.await(30, TimeUnit.SECONDS)).isTrue();
            String first = storage.keys().stream().filter(k -> k.endsWith("/first.txt")).findFirst().orElseThrow();
            // what a prune of an older version (no markers) or an operator would do
            storage.delete(first);
            source.proceed.countDown();

            assertThatThrownBy(() -> backup.join()).cause().isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                assertThat(e.getMessage()).contains("stream 'first'").contains("missing").contains("right before commit")
                        .contains("not committed");
            });
            assertThat(storage.keys()).noneMatch(k -> k.endsWith("manifest.json"));
            assertThat(engine.list("x")).isEmpty();
            assertThat(engine.latest("x")).isEmpty();
        }
    }

    @Test
    void aRunningMarkerOfABackupProcessThatDiedIsStaleAndItsUploadIsRemoved() throws Exception {
        long[] dead = deadProcess();
        try (BackupEngine engine = engine(storage, new TwoStreamSource())) {
            String id = "20260301T010000Z-abcdef";
            putRaw("x/" + id + "/first.txt", "orphan");
            putRaw(RepositoryLayout.runningMarkerKey("x", id), holderJson("dead-backup", "backup", ProcessIdentity.host(),
                    ProcessIdentity.machine(), dead[0], Instant.ofEpochMilli(dead[1]), clock.instant().plus(Duration.ofHours(1))));
            // a live marker elsewhere, from another host, keeps its upload
            String other = "20260301T010000Z-bbbbbb";
            putRaw("x/" + other + "/first.txt", "in progress");
            putRaw(RepositoryLayout.runningMarkerKey("x", other), holderJson("elsewhere", "backup", "ops-9", null, 42,
                    null, clock.instant().plus(Duration.ofMinutes(5))));
            clock.advance(Duration.ofMinutes(1));

            PruneReport report = engine.prune().gracePeriod(Duration.ZERO).run().orThrow();

            assertThat(report.primary("x").orElseThrow().unfinishedRemoved()).containsExactly(id);
            assertThat(storage.keys()).doesNotContain("x/" + id + "/first.txt", RepositoryLayout.runningMarkerKey("x", id))
                    .contains("x/" + other + "/first.txt", RepositoryLayout.runningMarkerKey("x", other));
        }
    }

    // ------------------------------------------------------------------ item 14, 20: the prune lease

    /** Runs a short-lived child and returns its pid and start time (epoch ms) once it has exited. */
    static long[] deadProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        long pid = p.pid();
        Instant started = p.info().startInstant().orElse(Instant.EPOCH);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        p.onExit().get(30, TimeUnit.SECONDS);
        return new long[] {pid, started.toEpochMilli()};
    }

    @Test
    void aPruneLeaseOfAKilledProcessOnThisHostIsTakenOverAtOnceAndReported() throws Exception {
        long[] dead = deadProcess();
        try (BackupEngine engine = engine(storage, new TwoStreamSource())) {
            Instant now = clock.instant();
            // as a prune killed with kill -9 leaves it: an hour to go
            putRaw(RepositoryLayout.PRUNE_LEASE, holderJson("killed-prune", "prune", ProcessIdentity.host(),
                    ProcessIdentity.machine(), dead[0], Instant.ofEpochMilli(dead[1]), now.plus(Duration.ofHours(1))));

            PruneReport report = engine.prune().run().orThrow();

            assertThat(report.staleLeaseTakenOver()).hasValueSatisfying(t -> assertThat(t)
                    .contains("killed-prune on host " + ProcessIdentity.host() + " (pid " + dead[0] + ")")
                    .contains("no longer exists"));
            assertThat(report.toTable()).contains("took over the stale lease of killed-prune");
            assertThat(storage.keys()).doesNotContain(RepositoryLayout.PRUNE_LEASE)
                    .contains(RepositoryLayout.PRUNE_TAKEOVER_PREFIX + "killed-prune.json");
        }
    }

    @Test
    void aPruneLeaseWhosePidWasReusedIsStaleButALiveHolderOnThisHostIsNot() {
        ProcessHandle me = ProcessHandle.current();
        Instant myStart = me.info().startInstant().orElseThrow();
        try (BackupEngine engine = engine(storage, new TwoStreamSource())) {
            Instant now = clock.instant();
            // our pid, but a process that started a day earlier: the pid was reused
            putRaw(RepositoryLayout.PRUNE_LEASE, holderJson("pid-reused", "prune", ProcessIdentity.host(),
                    ProcessIdentity.machine(), me.pid(), myStart.minus(Duration.ofDays(1)), now.plus(Duration.ofHours(1))));
            assertThat(engine.prune().run().orThrow().staleLeaseTakenOver()).hasValueSatisfying(t -> assertThat(t)
                    .contains("pid-reused"));

            // this very process, alive, started when it did: held, not stale
            putRaw(RepositoryLayout.PRUNE_LEASE, holderJson("alive", "prune", ProcessIdentity.host(),
                    ProcessIdentity.machine(), me.pid(), myStart, now.plus(Duration.ofHours(1))));
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING);
                assertThat(e.getMessage()).contains("alive on host");
            });
        }
    }

    @Test
    void aLeaseFromAnotherHostIsNotTakenOverWithinTheSkewMargin() {
        try (BackupEngine engine = engine(storage, new TwoStreamSource())) {
            Instant expires = clock.instant().plus(Duration.ofMinutes(10));
            putRaw(RepositoryLayout.PRUNE_LEASE, holderJson("remote", "prune", "ops-9", null, 4242, null, expires));
            clock.set(expires.plus(Lease.SKEW_MARGIN)); // the holder's clock may be up to the margin behind
            assertThatThrownBy(() -> engine.prune().run()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING));
            clock.advance(Duration.ofSeconds(1));
            assertThat(engine.prune().run().orThrow().staleLeaseTakenOver()).hasValueSatisfying(t -> assertThat(t)
                    .contains("remote on host ops-9").contains("expired at " + expires));
        }
    }

    @Test
    void aHolderRenewsInTheBackgroundSoItsLeaseNeverComesNearItsExpiry() throws Exception {
        try (Lease lease = Lease.acquire(storage, "locks/test.json", "locks/test-takeover/", "test", Duration.ofSeconds(4),
                clock)) {
            Instant first = lease.holder().expiresAt();
            clock.advance(Duration.ofSeconds(3));
            lease.keepRenewed(Duration.ofSeconds(4), clock); // renews every second of real time
            Instant deadline = Instant.now().plusSeconds(30);
            while (Lease.read(storage, "locks/test.json").orElseThrow().expiresAt().equals(first)
                    && Instant.now().isBefore(deadline)) {
                Thread.onSpinWait();
                lease.holder(); // wait for the background renewal without sleeping
            }
            assertThat(Lease.read(storage, "locks/test.json").orElseThrow().expiresAt())
                    .isEqualTo(clock.instant().plus(Duration.ofSeconds(4)));
        }
        assertThat(storage.keys()).doesNotContain("locks/test.json");
    }

    // ------------------------------------------------------------------ issue 23 item 4: lost putIfAbsent response

    @Test
    void aLostPutIfAbsentResponseDoesNotLockTheLeaseAgainstItsOwnProcess() {
        AtomicBoolean lost = new AtomicBoolean();
        StorageTarget losing = new ForwardingStorage(storage) {
            @Override
            public boolean putIfAbsent(String key, InputStream data, PutOptions options) {
                boolean stored = delegate.putIfAbsent(key, data, options);
                if (stored && key.equals(RepositoryLayout.PRUNE_LEASE) && lost.compareAndSet(false, true)) {
                    // stored, but the response never arrives
                    throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "connection reset reading the response");
                }
                return stored;
            }
        };
        RetryingStorage retrying = RetryingStorage.wrap(losing, RetryPolicy.builder().maxAttempts(3)
                .initialBackoff(Duration.ofMillis(1)).sleeper(d -> { }).build());
        try (BackupEngine engine = engine(retrying, new TwoStreamSource())) {
            PruneReport report = engine.prune().run().orThrow();

            assertThat(lost).isTrue();
            assertThat(report.staleLeaseTakenOver()).isEmpty();
            assertThat(storage.keys()).doesNotContain(RepositoryLayout.PRUNE_LEASE);
        }
    }

    // ------------------------------------------------------------------ filesystem leftovers

    @Test
    void pruneReclaimsTemporaryFilesOfKilledUploadsOlderThanTheGracePeriod() throws IOException {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("repo"));
        Path dir = Files.createDirectories(fs.root().resolve("x/20260301T010000Z-abcdef"));
        Path old = Files.writeString(dir.resolve(".tmp-killed"), "half an upload");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(25))));
        Path young = Files.writeString(fs.root().resolve("x/.tmp-writing"), "being written");
        clock.set(Instant.now());
        try (BackupEngine engine = engine(fs, new TwoStreamSource())) {
            assertThat(engine.prune().dryRun().primary("x")).isPresent();
            assertThat(old).exists();

            engine.prune().run().orThrow();

            assertThat(old).doesNotExist();
            assertThat(dir).doesNotExist(); // left empty: removed
            assertThat(young).exists();
        }
    }

    @Test
    void aFailedBackupLeavesNoEmptyDirectoriesOnTheFileSystem() throws IOException {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("repo"));
        Path root = fs.root();
        BackupSource failing = TestSources.source("x", context -> {
            OutputStream out = context.newStream("data", "bin"); // left open: the engine aborts it
            out.write(new byte[200_000]);
            out.flush();
            // fail once the upload has its temporary file (and so {source}/{id}/) on disk
            Instant deadline = Instant.now().plusSeconds(30);
            while (tempFiles(root).isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.onSpinWait();
            }
            assertThat(tempFiles(root)).isNotEmpty();
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "the database went away");
        });
        try (BackupEngine engine = engine(fs, failing)) {
            assertThatThrownBy(() -> engine.backup("x").run()).isInstanceOf(BackupException.class);
        }
        try (Stream<Path> all = Files.walk(fs.root())) {
            assertThat(all.map(p -> fs.root().relativize(p).toString()).filter(s -> !s.isEmpty()))
                    .containsExactly("repository.json");
        }
    }

    @Test
    void anInterruptedBackupWaitsForItsUploadToRemoveTheTemporaryFile() throws Exception {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("repo"));
        CountDownLatch uploadReading = new CountDownLatch(1);
        CountDownLatch releaseCleanup = new CountDownLatch(1);
        // the upload, once aborted, holds its temporary file until the test lets it go
        StorageTarget slowCleanup = new ForwardingStorage(fs) {
            @Override
            public void put(String key, InputStream data, PutOptions options) {
                if (!key.endsWith("/data.bin")) {
                    delegate.put(key, data, options);
                    return;
                }
                delegate.put(key, new InputStream() {
                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        try {
                            int n = data.read(b, off, len);
                            uploadReading.countDown();
                            return n;
                        } catch (IOException aborted) {
                            try {
                                releaseCleanup.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            throw aborted;
                        }
                    }
                }, options);
            }
        };
        CountDownLatch never = new CountDownLatch(1);
        BackupSource blocking = TestSources.source("x", context -> {
            OutputStream out = context.newStream("data", "bin"); // left open: the engine aborts it
            out.write(new byte[100_000]);
            out.flush();
            try {
                never.await(); // e.g. waiting on the database: interrupted here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while reading the database", e);
            }
        });
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (BackupEngine engine = engine(slowCleanup, blocking)) {
            Thread t = new Thread(() -> {
                try {
                    engine.backup("x").run();
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, "interrupted-backup");
            t.start();
            try {
                assertThat(uploadReading.await(30, TimeUnit.SECONDS)).isTrue();
                t.interrupt();
                // wait until the backup thread has either returned or is waiting in the abort
                Instant deadline = Instant.now().plusSeconds(30);
                while (t.isAlive() && !waitingInAbort(t) && Instant.now().isBefore(deadline)) {
                    Thread.onSpinWait();
                }
                if (!t.isAlive()) {
                    // returned before the upload's cleanup ran: the temporary file is still there
                    assertThat(tempFiles(fs.root())).isEmpty();
                }
            } finally {
                releaseCleanup.countDown();
                t.join(30_000);
            }
            assertThat(outcome.get()).isInstanceOfSatisfying(BackupException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INTERRUPTED));
            assertThat(tempFiles(fs.root())).isEmpty();
        }
    }

    private static boolean waitingInAbort(Thread t) {
        Thread.State s = t.getState();
        if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().endsWith("PipelineStream") && e.getMethodName().equals("abort")) {
                return true;
            }
        }
        return false;
    }

    private static List<Path> tempFiles(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
        }
    }

    // ------------------------------------------------------------------ helpers

    private void putRaw(String key, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        storage.put(key, new ByteArrayInputStream(b), PutOptions.defaults().withContentLength(b.length));
    }

    private static String holderJson(String owner, String purpose, String host, String machine, long pid, Instant start,
                                     Instant expires) {
        return "{\"owner\":\"" + owner + "\",\"host\":\"" + host + "\",\"pid\":" + pid + ",\"purpose\":\"" + purpose
                + "\",\"acquiredAt\":\"" + expires.minus(Duration.ofHours(2)) + "\",\"expiresAt\":\"" + expires + "\""
                + (start == null ? "" : ",\"processStart\":\"" + start + "\"")
                + (machine == null ? "" : ",\"machine\":\"" + machine + "\"") + "}";
    }
}
