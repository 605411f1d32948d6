package com.eazepay.backup;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Off-site copy on real filesystem storages: verified, manifest last, idempotent and resumable. */
class CopyTest {

    @TempDir
    Path dir;

    private AgeKeys keys;
    private Path data;
    private MutableClock clock;

    /** A clock the test moves (backups in different months without waiting). */
    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        keys = AgeKeys.generate();
        data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n".repeat(1000));
        clock = new MutableClock(Instant.parse("2026-09-03T02:00:00Z"));
    }

    private BackupEngine engine(Path repo) {
        return Backup.engine()
                .repository(FileSystemStorage.at(repo))
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(FilesSource.builder("config").directory(data).build())
                .clock(clock)
                .build();
    }

    private List<Manifest> backups(BackupEngine engine, String... times) {
        return Stream.of(times).map(t -> {
            clock.now = Instant.parse(t);
            return engine.backup("config").run().manifest();
        }).toList();
    }

    private static Path objectOf(Path repo, Manifest m) {
        return repo.resolve("config").resolve(m.id()).resolve(m.streams().get(0).object());
    }

    private static Path manifestOf(Path repo, Manifest m) {
        return repo.resolve("config").resolve(m.id()).resolve("manifest.json");
    }

    private static void flipLastByte(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length - 1] ^= 1;
        Files.write(file, b);
    }

    @Test
    void copiesEveryBackupManifestLastAndTheCopyRestoresWithOnlyTheKey() throws IOException {
        Path repo = dir.resolve("repo");
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(repo)) {
            List<Manifest> made = backups(engine, "2026-09-03T02:00:00Z", "2026-09-04T02:00:00Z");
            CopyReport r = engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            assertThat(r.with(CopyReport.Status.COPIED)).hasSize(2);
            assertThat(r.bytesCopied()).isEqualTo(made.get(0).storedBytes() + made.get(1).storedBytes());
            for (Manifest m : made) {
                assertThat(Files.readAllBytes(manifestOf(offsite, m))).isEqualTo(Files.readAllBytes(manifestOf(repo, m)));
                assertThat(Files.readAllBytes(objectOf(offsite, m))).isEqualTo(Files.readAllBytes(objectOf(repo, m)));
            }
            assertThat(r.reportKey()).isPresent();
            assertThat(repo.resolve(r.reportKey().get())).exists();
            assertThat(Files.readString(repo.resolve(r.reportKey().get()))).contains(made.get(1).id()).contains("\"COPIED\"");
        }
        // a "new host": only the copied repository and the key
        Files.writeString(data.resolve("app.conf"), "changed");
        try (BackupEngine fresh = engine(offsite)) {
            Path restored = dir.resolve("restored");
            fresh.restore("config").latest().into(FilesTarget.directory(restored)).run();
            assertThat(restored.resolve("data/app.conf")).hasContent("answer=42\n".repeat(1000));
        }
    }

    @Test
    void copyingAgainCopiesNothingAndVerifiesWhatIsThere() {
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(dir.resolve("repo"))) {
            backups(engine, "2026-09-03T02:00:00Z");
            engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            backups(engine, "2026-09-05T02:00:00Z");
            CopyReport again = engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            assertThat(again.with(CopyReport.Status.SKIPPED)).hasSize(1);
            assertThat(again.with(CopyReport.Status.COPIED)).hasSize(1);
        }
    }

    @Test
    void anInterruptedCopyResumesWithoutCopyingTheDataAgain() throws IOException {
        Path repo = dir.resolve("repo");
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(repo)) {
            Manifest m = backups(engine, "2026-09-03T02:00:00Z").get(0);
            engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            // as if the previous run stopped after the data, before the manifest
            Files.delete(manifestOf(offsite, m));
            CopyReport r = engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            assertThat(r.entries()).singleElement().satisfies(e -> {
                assertThat(e.status()).isEqualTo(CopyReport.Status.COPIED);
                assertThat(e.objectsCopied()).isZero();
            });
            assertThat(manifestOf(offsite, m)).exists();
        }
    }

    @Test
    void anObjectCorruptedOnTheTargetIsCopiedAgain() throws IOException {
        Path repo = dir.resolve("repo");
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(repo)) {
            Manifest m = backups(engine, "2026-09-03T02:00:00Z").get(0);
            engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            flipLastByte(objectOf(offsite, m)); // same size, wrong content
            CopyReport r = engine.copy().to(FileSystemStorage.at(offsite)).run().orThrow();
            assertThat(r.entries()).singleElement().satisfies(e -> assertThat(e.objectsCopied()).isEqualTo(1));
            assertThat(Files.readAllBytes(objectOf(offsite, m))).isEqualTo(Files.readAllBytes(objectOf(repo, m)));
        }
    }

    @Test
    void aCorruptSourceObjectFailsThatBackupAndLeavesNoManifestOnTheTarget() throws IOException {
        Path repo = dir.resolve("repo");
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(repo)) {
            List<Manifest> made = backups(engine, "2026-09-03T02:00:00Z", "2026-09-04T02:00:00Z");
            flipLastByte(objectOf(repo, made.get(0)));
            CopyReport r = engine.copy().to(FileSystemStorage.at(offsite)).run();
            assertThat(r.isComplete()).isFalse();
            assertThat(r.with(CopyReport.Status.FAILED)).singleElement().satisfies(e -> {
                assertThat(e.backupId()).isEqualTo(made.get(0).id());
                assertThat(e.detail()).startsWith("CHECKSUM_MISMATCH");
            });
            assertThat(r.with(CopyReport.Status.COPIED)).singleElement()
                    .satisfies(e -> assertThat(e.backupId()).isEqualTo(made.get(1).id()));
            assertThat(manifestOf(offsite, made.get(0))).doesNotExist();
            assertThat(objectOf(offsite, made.get(0))).doesNotExist();
            assertThatThrownBy(r::orThrow).isInstanceOf(BackupException.class)
                    .hasMessageContaining(made.get(0).id()).hasMessageContaining("run the copy again");
        }
    }

    @Test
    void monthlyLatestCopiesTheNewestBackupOfEachMonthSinceAGivenTime() throws IOException {
        Path offsite = dir.resolve("offsite");
        try (BackupEngine engine = engine(dir.resolve("repo"))) {
            List<Manifest> made = backups(engine, "2026-08-30T02:00:00Z", "2026-09-03T02:00:00Z", "2026-09-28T02:00:00Z",
                    "2026-10-01T02:00:00Z", "2026-10-02T02:00:00Z");
            CopyReport r = engine.copy().to(FileSystemStorage.at(offsite))
                    .select(CopySelection.monthlyLatest().since(Instant.parse("2026-09-01T00:00:00Z"))).run().orThrow();
            assertThat(r.entries()).extracting(CopyReport.Entry::backupId).containsExactly(made.get(2).id(), made.get(4).id());
            assertThat(r.selection()).isEqualTo("monthly-latest since 2026-09-01T00:00:00Z");
            try (Stream<Path> ids = Files.list(offsite.resolve("config"))) {
                assertThat(ids.map(p -> p.getFileName().toString()).sorted())
                        .containsExactly(made.get(2).id(), made.get(4).id());
            }
        }
    }

    @Test
    void theRepositoryItselfIsRefusedAsTarget() {
        Path repo = dir.resolve("repo");
        try (BackupEngine engine = engine(repo)) {
            assertThatThrownBy(() -> engine.copy().to(FileSystemStorage.at(repo)).run())
                    .isInstanceOf(BackupException.class).hasMessageContaining("is the repository itself");
        }
    }
}
