package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.Trigger;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineTest {

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;
    Path config;

    @BeforeEach
    void setUp() throws IOException {
        clock = TestClock.create();
        storage = InMemoryStorage.withClock(clock);
        config = tmp.resolve("payments-config");
        Files.createDirectories(config.resolve("conf.d"));
        Files.writeString(config.resolve("application.yml"), "server:\n  port: 8443\n");
        Files.writeString(config.resolve("conf.d/limits.yml"), "daily: 10000\n");
        Files.setPosixFilePermissions(config.resolve("conf.d/limits.yml"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(config.resolve("application.yml"), FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
        Files.createSymbolicLink(config.resolve("current.yml"), Path.of("application.yml"));
    }

    private BackupEngine engine(Compression compression, BackupSource... sources) {
        var b = Backup.engine().repository(storage).compression(compression).encryption(Encryption.none()).clock(clock);
        for (BackupSource s : sources) {
            b.source(s);
        }
        return b.build();
    }

    private FilesSource configSource() {
        return FilesSource.builder("config").directory(config).build();
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "gzip", "none"})
    void filesRoundTripKeepsContentModesTimesAndLinks(String codec) throws IOException {
        try (BackupEngine engine = engine(Compression.forId(codec), configSource())) {
            BackupResult result = engine.backup("config").run();
            Path target = tmp.resolve("restored");
            RestoreResult restored = engine.restore("config").latest().into(FilesTarget.directory(target)).checked().run();

            assertThat(restored.checksPassed()).isTrue();
            Path root = target.resolve("payments-config");
            assertThat(Files.readString(root.resolve("application.yml"))).isEqualTo("server:\n  port: 8443\n");
            assertThat(Files.readString(root.resolve("conf.d/limits.yml"))).isEqualTo("daily: 10000\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("conf.d/limits.yml"))))
                    .isEqualTo("rw-r-----");
            assertThat(Files.getLastModifiedTime(root.resolve("application.yml")).toInstant())
                    .isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(Files.readSymbolicLink(root.resolve("current.yml"))).isEqualTo(Path.of("application.yml"));
            assertThat(result.manifest().compression().id()).isEqualTo(codec);
        }
    }

    @Test
    void repositoryLayoutAndManifestFollowTheDesign() {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            BackupResult r = engine.backup("config").tag("pre-deploy").label("release", "1.4.2").trigger(Trigger.PRE_DEPLOY).run();
            String id = r.id();
            assertThat(id).matches("20261124T020000\\.000Z-[a-z0-9]{6}");
            assertThat(storage.keys()).containsExactlyInAnyOrder("repository.json", "config/" + id + "/files.tar.zst",
                    "config/" + id + "/manifest.json");
            Manifest m = engine.manifest("config", id);
            assertThat(m.formatVersion()).isEqualTo(1);
            assertThat(m.source()).isEqualTo("config");
            assertThat(m.sourceType()).isEqualTo("files");
            assertThat(m.trigger()).isEqualTo("pre-deploy");
            assertThat(m.tags()).containsExactly("pre-deploy");
            assertThat(m.labels()).containsEntry("release", "1.4.2");
            assertThat(m.startedAt()).isEqualTo(Instant.parse("2026-11-24T02:00:00Z"));
            assertThat(m.encryption().id()).isEqualTo("none");
            assertThat(m.compression().parameters()).containsEntry("level", 1);
            Manifest.StreamInfo s = m.stream("files").orElseThrow();
            assertThat(s.object()).isEqualTo("files.tar.zst");
            assertThat(s.storedSize()).isEqualTo(storage.bytes("config/" + id + "/files.tar.zst").length);
            assertThat(s.sha256()).hasSize(64);
            assertThat(s.plaintextSize()).isGreaterThan(s.storedSize());
            assertThat(m.facts()).containsEntry("files", 2).containsEntry("symlinks", 1);
            String json = new String(storage.bytes("config/" + id + "/manifest.json"), StandardCharsets.UTF_8);
            assertThat(json).contains("\"sha256\"", "\"startedAt\" : \"2026-11-24T02:00:00Z\"");
        }
    }

    @Test
    void catalogListsFiltersAndSelectsBackups() {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            String first = engine.backup("config").tag("daily").run().id();
            clock.advance(Duration.ofDays(1));
            String second = engine.backup("config").tag("pre-deploy").label("release", "2").run().id();
            clock.advance(Duration.ofDays(1));
            String third = engine.backup("config").tag("daily").run().id();

            assertThat(engine.list("config")).extracting(Manifest::id).containsExactly(first, second, third);
            assertThat(engine.latest("config")).get().extracting(Manifest::id).isEqualTo(third);
            assertThat(engine.list("config", BackupFilter.all().tagged("daily"))).extracting(Manifest::id).containsExactly(first, third);
            assertThat(engine.list("config", BackupFilter.all().label("release", "2"))).extracting(Manifest::id).containsExactly(second);
            assertThat(engine.list("config", BackupFilter.all().after(Instant.parse("2026-11-25T00:00:00Z"))))
                    .extracting(Manifest::id).containsExactly(second, third);

            assertThat(engine.restore("config").tagged("pre-deploy").selected().id()).isEqualTo(second);
            assertThat(engine.restore("config").before(Instant.parse("2026-11-25T12:00:00Z")).selected().id()).isEqualTo(second);
            assertThat(engine.restore("config").id(first).selected().id()).isEqualTo(first);
            assertThat(engine.restore("config").latest().selected().id()).isEqualTo(third);
            assertThatThrownBy(() -> engine.restore("config").before(Instant.parse("2020-01-01T00:00:00Z")).selected())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND));
        }
    }

    @Test
    void dataWithoutAManifestIsInvisible() {
        storage.put("config/20261123T020000Z-abcdef/files.tar.zst", new java.io.ByteArrayInputStream(new byte[]{1, 2}),
                com.eazepay.backup.spi.PutOptions.defaults());
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            assertThat(engine.list("config")).isEmpty();
            assertThat(engine.latest("config")).isEmpty();
        }
    }

    @Test
    void restoreNeverOverwritesExistingFilesUnlessTold() throws IOException {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            engine.backup("config").run();
            Path target = tmp.resolve("live");
            Files.createDirectories(target.resolve("payments-config"));
            Files.writeString(target.resolve("payments-config/application.yml"), "local edit\n");

            assertThatThrownBy(() -> engine.restore("config").into(FilesTarget.directory(target)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("application.yml").hasMessageContaining("replaceExisting");
            assertThat(Files.readString(target.resolve("payments-config/application.yml"))).isEqualTo("local edit\n");
            assertThat(target.resolve("payments-config/conf.d")).doesNotExist();
            try (Stream<Path> siblings = Files.list(tmp)) {
                assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".restore-"));
            }

            engine.restore("config").into(FilesTarget.directory(target).replaceExisting()).run();
            assertThat(Files.readString(target.resolve("payments-config/application.yml"))).isEqualTo("server:\n  port: 8443\n");
        }
    }

    @Test
    void missingSourcePathFailsTheBackupAndCommitsNothing() {
        FilesSource missing = FilesSource.builder("config").directory(tmp.resolve("does-not-exist")).build();
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(missing).listener(events::add).build()) {
            assertThatThrownBy(() -> engine.backup("config").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED))
                    .hasMessageContaining("does-not-exist").hasMessageContaining("does not exist");
            assertThat(engine.list("config")).isEmpty();
            assertThat(storage.keys()).allMatch(k -> !k.startsWith("config/"));
            assertThat(events).hasSize(2);
            assertThat(events.get(0)).isInstanceOf(BackupEvent.BackupStarted.class);
            assertThat(events.get(1)).isInstanceOfSatisfying(BackupEvent.BackupFailed.class,
                    f -> assertThat(f.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED));
        }
    }

    @Test
    void unreadableSourcePathFailsWithAClearMessage() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")),
                "root reads every file regardless of mode; the path-exists check covers this case for root");
        Path secret = tmp.resolve("locked");
        Files.createDirectories(secret);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        try (BackupEngine engine = engine(Compression.zstd(), FilesSource.builder("config").directory(secret).build())) {
            assertThatThrownBy(() -> engine.backup("config").run()).hasMessageContaining("not readable");
        }
    }

    @Test
    void commandExitingWithAnErrorFailsTheBackupWithItsStderr() {
        CommandSource failing = CommandSource.builder("dump", "sh", "-c", "echo partial-data; echo 'FATAL: role \"app\" does not exist' >&2; exit 1").build();
        try (BackupEngine engine = engine(Compression.zstd(), failing)) {
            assertThatThrownBy(() -> engine.backup("dump").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED))
                    .hasMessageContaining("exited with code 1").hasMessageContaining("role \"app\" does not exist");
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("dump/"));
        }
    }

    @Test
    void commandKilledBySignalOrTimeoutFailsTheBackup() {
        CommandSource killed = CommandSource.builder("killed", "sh", "-c", "echo data; kill -9 $$").build();
        CommandSource slow = CommandSource.builder("slow", "sleep", "30").timeout(Duration.ofMillis(300)).build();
        try (BackupEngine engine = engine(Compression.zstd(), killed, slow)) {
            assertThatThrownBy(() -> engine.backup("killed").run()).hasMessageContaining("signal 9");
            assertThatThrownBy(() -> engine.backup("slow").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TIMEOUT));
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("killed/") || k.startsWith("slow/"));
        }
    }

    @Test
    void commandSourceRoundTripsThroughAFileAndAProgram() throws IOException {
        CommandSource cmd = CommandSource.builder("export", "sh", "-c", "printf 'a: 1\\nb: 2\\n'").stream("export", "yaml").build();
        try (BackupEngine engine = engine(Compression.gzip(), cmd)) {
            BackupResult r = engine.backup("export").run();
            assertThat(r.manifest().stream("export").orElseThrow().object()).isEqualTo("export.yaml.gz");
            Path file = tmp.resolve("out/export.yaml");
            engine.restore("export").into(StreamTarget.file(file)).run();
            assertThat(Files.readString(file)).isEqualTo("a: 1\nb: 2\n");
            assertThatThrownBy(() -> engine.restore("export").into(StreamTarget.file(file)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY));
            Path copy = tmp.resolve("copy.yaml");
            engine.restore("export").into(StreamTarget.command("sh", "-c", "cat > '" + copy + "'")).run();
            assertThat(Files.readString(copy)).isEqualTo("a: 1\nb: 2\n");
        }
    }

    @Test
    void storageFailingMidUploadFailsTheBackupAndLeavesNothingVisible() {
        FaultyStorage faulty = FaultyStorage.wrap(storage).failPutAfterBytes(1000);
        BackupSource big = new GeneratedSource("big", 5_000_000);
        try (BackupEngine engine = Backup.engine().repository(faulty).compression(Compression.none())
                .encryption(Encryption.none()).clock(clock).source(big).build()) {
            assertThatThrownBy(() -> engine.backup("big").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode().name()).startsWith("STORAGE_");
                        assertThat(e.getMessage()).contains("storing it failed");
                    });
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("big/"));
            assertThat(engine.list("big")).isEmpty();
        }
    }

    @Test
    void failingManifestWriteCommitsNothingAndCleansUpData() {
        // PUT calls: the running marker, the stream, then the manifest
        FaultyStorage faulty = FaultyStorage.wrap(storage).onKeys(k -> k.endsWith("manifest.json"))
                .failOnCall(FaultyStorage.Operation.PUT, 3).retryableFaults(false);
        try (BackupEngine engine = Backup.engine().repository(faulty).encryption(Encryption.none()).clock(clock)
                .source(configSource()).build()) {
            assertThatThrownBy(() -> engine.backup("config").run()).isInstanceOf(BackupException.class);
            assertThat(storage.keys()).containsExactly("repository.json");
        }
    }

    @Test
    void corruptedStoredObjectFailsRestoreNamingTheObjectAndChangesNothing() {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            BackupResult r = engine.backup("config").run();
            String key = "config/" + r.id() + "/files.tar.zst";
            byte[] data = storage.bytes(key);
            data[data.length / 2] ^= 0x5a;
            storage.overwrite(key, data);
            Path target = tmp.resolve("never");
            assertThatThrownBy(() -> engine.restore("config").into(FilesTarget.directory(target)).run())
                    .hasMessageContaining(key).hasMessageContaining("checksum failed")
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
            assertThat(target).doesNotExist();

            VerificationReport report = engine.verify("config").latest().run();
            assertThat(report.passed()).isFalse();
            assertThat(report.streams().get(0).detail()).contains("CHECKSUM_MISMATCH", key);
        }
    }

    @Test
    void truncatedStoredObjectFailsRestoreWithTheOffset() {
        try (BackupEngine engine = engine(Compression.none(), configSource())) {
            BackupResult r = engine.backup("config").run();
            String key = "config/" + r.id() + "/files.tar";
            byte[] data = storage.bytes(key);
            storage.overwrite(key, java.util.Arrays.copyOf(data, data.length - 700));
            Path target = tmp.resolve("never");
            assertThatThrownBy(() -> engine.restore("config").into(FilesTarget.directory(target)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH))
                    .hasMessageContaining(key).hasMessageContaining("truncated").hasMessageContaining(String.valueOf(data.length - 700));
            assertThat(target).doesNotExist();
        }
    }

    @Test
    void aByteFlippedWhileReadingIsCaught() {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            engine.backup("config").run();
        }
        FaultyStorage flipping = FaultyStorage.wrap(storage).onKeys(k -> k.endsWith(".zst")).flipByteOnGet(40);
        try (BackupEngine engine = Backup.engine().repository(flipping).encryption(Encryption.none()).clock(clock)
                .source(configSource()).build()) {
            assertThat(engine.verify("config").run().passed()).isFalse();
            assertThatThrownBy(() -> engine.restore("config").into(FilesTarget.directory(tmp.resolve("x"))).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        }
    }

    @Test
    void verifyPassesOnAnIntactBackup() {
        try (BackupEngine engine = engine(Compression.zstd(), configSource())) {
            BackupResult r = engine.backup("config").run();
            VerificationReport report = engine.verify("config").id(r.id()).run();
            assertThat(report.passed()).isTrue();
            assertThat(report.streams()).singleElement().satisfies(s -> assertThat(s.plaintextSize()).isEqualTo(r.plaintextBytes()));
        }
    }

    @Test
    void aSecondBackupOfTheSameSourceIsRefusedWhileOneRuns() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        BackupSource blocking = new GeneratedSource("slow", 10) {
            @Override
            public void backup(BackupContext context) {
                started.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.backup(context);
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (BackupEngine engine = engine(Compression.zstd(), blocking)) {
            Future<BackupResult> first = pool.submit(() -> engine.backup("slow").run());
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> engine.backup("slow").run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_RUNNING));
            release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS).id()).isNotBlank();
            assertThat(engine.list("slow")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void buildReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> Backup.engine().build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("no storage: call repository(..)")
                .hasMessageContaining("backup-storage-s3")
                .hasMessageContaining("no encryption")
                .hasMessageContaining("no sources");
        assertThatThrownBy(() -> Backup.engine().repository(storage).encryption(Encryption.none())
                .source(configSource()).source(configSource()).build())
                .hasMessageContaining("duplicate source name 'config'");
        assertThatThrownBy(() -> Backup.engine().repository(storage).repository(storage))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("repository was already set");
    }

    @Test
    void sensitiveSourcesRefusePlaintextUnlessExplicitlyAllowed() throws IOException {
        Path secrets = tmp.resolve("secrets");
        Files.createDirectories(secrets);
        Files.writeString(secrets.resolve("app.env"), "DB_PASSWORD=hunter2\n");
        FilesSource env = FilesSource.builder("env").directory(secrets).build();
        assertThat(env.sensitive()).isTrue();
        assertThatThrownBy(() -> Backup.engine().repository(storage).encryption(Encryption.none()).source(env).build())
                .hasMessageContaining("[env]").hasMessageContaining("sensitive").hasMessageContaining("allowUnencryptedSensitiveData()");
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none())
                .allowUnencryptedSensitiveData().source(env).build()) {
            assertThat(engine.backup("env").run().id()).isNotBlank();
        }
    }

    @Test
    void backupAllTakesEverySourceUnderOneSetIdAndReportsEachOutcome() {
        CommandSource failing = CommandSource.builder("broken", "sh", "-c", "echo boom >&2; exit 3").build();
        try (BackupEngine engine = engine(Compression.zstd(), configSource(), failing, new GeneratedSource("gen", 1000))) {
            BackupSetResult set = engine.backupAll().tag("pre-deploy").run();
            assertThat(set.allSucceeded()).isFalse();
            assertThat(set.succeeded()).containsOnlyKeys("config", "gen");
            assertThat(set.failed()).containsOnlyKeys("broken");
            assertThat(set.failed().get("broken")).hasMessageContaining("boom");
            assertThat(set.succeeded().values()).allSatisfy(r -> {
                assertThat(r.manifest().setId()).isEqualTo(set.setId());
                assertThat(r.manifest().trigger()).isEqualTo("pre-deploy");
                assertThat(r.manifest().tags()).contains("pre-deploy");
            });
            assertThatThrownBy(set::orThrow).hasMessageContaining("1 of 3 sources failed").hasMessageContaining("broken");
        }
    }

    @Test
    void listenersSeeEventsAndAThrowingListenerNeverFailsABackup() {
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(configSource()).listener(e -> {
                    throw new IllegalStateException("broken listener");
                }).listener(events::add).build()) {
            BackupResult r = engine.backup("config").run();
            assertThat(events).hasSize(2);
            assertThat(events.get(1)).isInstanceOfSatisfying(BackupEvent.BackupSucceeded.class, s -> {
                assertThat(s.backupId()).isEqualTo(r.id());
                assertThat(s.storedBytes()).isEqualTo(r.storedBytes());
            });
        }
    }

    @Test
    void replicasReceiveEveryCommittedBackupAndAReplicaFailureIsItsOwnEvent() {
        InMemoryStorage replica = InMemoryStorage.create();
        FaultyStorage brokenReplica = FaultyStorage.wrap(InMemoryStorage.create()).failOnCall(FaultyStorage.Operation.PUT, 1)
                .retryableFaults(false);
        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        try (BackupEngine engine = Backup.engine().repository(storage).replica(replica).replica(brokenReplica)
                .encryption(Encryption.none()).clock(clock).source(configSource()).listener(events::add).build()) {
            BackupResult r = engine.backup("config").run();
            assertThat(replica.keys()).containsExactlyInAnyOrder("config/" + r.id() + "/files.tar.zst", "config/" + r.id() + "/manifest.json");
            assertThat(replica.bytes("config/" + r.id() + "/files.tar.zst")).isEqualTo(storage.bytes("config/" + r.id() + "/files.tar.zst"));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(BackupEvent.ReplicaFailed.class));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(BackupEvent.BackupSucceeded.class));
        }
    }

    @Test
    void aSourceThatWritesNoStreamIsAFailureNotAnEmptySuccess() {
        BackupSource empty = new GeneratedSource("empty", 0) {
            @Override
            public void backup(BackupContext context) {
                context.fact("rows", 0);
            }
        };
        try (BackupEngine engine = engine(Compression.zstd(), empty)) {
            assertThatThrownBy(() -> engine.backup("empty").run()).hasMessageContaining("produced no data stream");
            assertThat(engine.list("empty")).isEmpty();
        }
    }

    @Test
    void standardToolsReadTheStoredFormat() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/zstd")),
                "zstd CLI missing: scripts/test installs it (apt-get install -y zstd)");
        Path repo = tmp.resolve("repo");
        try (BackupEngine engine = Backup.engine().repository(com.eazepay.backup.storage.FileSystemStorage.at(repo))
                .encryption(Encryption.none()).clock(clock).source(configSource()).build()) {
            BackupResult r = engine.backup("config").run();
            Path object = repo.resolve("config/" + r.id() + "/files.tar.zst");
            Process p = new ProcessBuilder("sh", "-c", "zstd -d -c '" + object + "' | tar -t").redirectErrorStream(true).start();
            String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(listing).contains("payments-config/application.yml", "payments-config/conf.d/limits.yml");
        }
    }

    /** A source writing {@code size} deterministic bytes to one stream. */
    static class GeneratedSource implements BackupSource {
        private final String name;
        private final long size;

        GeneratedSource(String name, long size) {
            this.name = name;
            this.size = size;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String type() {
            return "generated";
        }

        @Override
        public void backup(BackupContext context) {
            try (OutputStream out = context.newStream("data", "bin")) {
                byte[] buf = new byte[8192];
                java.util.Random random = new java.util.Random(1);
                long left = size;
                while (left > 0) {
                    random.nextBytes(buf);
                    int n = (int) Math.min(buf.length, left);
                    out.write(buf, 0, n);
                    left -= n;
                }
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "generated source: " + e.getMessage(), e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "generated sources are not restored");
        }
    }
}
