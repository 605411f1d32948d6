package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** WalArchive against the real filesystem storage and real age/zstd codecs (no server needed). */
class WalArchiveTest {

    static final String SEG = "000000010000000000000003";

    @TempDir
    Path tmp;
    AgeKeys keys;
    FileSystemStorage repo;
    TestClock clock;
    WalArchive archive;

    @BeforeEach
    void setUp() throws Exception {
        keys = AgeKeys.generate();
        repo = FileSystemStorage.at(Files.createDirectories(tmp.resolve("repo")));
        clock = TestClock.at(Instant.parse("2026-12-02T04:00:00Z"));
        archive = archive(clock);
    }

    WalArchive archive(Clock c) {
        return WalArchive.builder().repository(repo).source("postgres").clock(c).tempDirectory(tmp)
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity())).build();
    }

    Path wal(String name, long seed) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg_wal-" + seed));
        byte[] b = new byte[1 << 20];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < b.length; i += 3) {
            b[i] = 0; // WAL compresses somewhat
        }
        return Files.write(dir.resolve(name), b);
    }

    @Test
    void pushingTheSameSegmentTwiceSucceedsWithoutWritingAgain() throws Exception {
        Path f = wal(SEG, 1);
        assertThat(archive.push(f)).isEqualTo(WalArchive.PushOutcome.ARCHIVED);
        long objects = repo.listAll("wal/").size();
        assertThat(archive.push(f)).isEqualTo(WalArchive.PushOutcome.ALREADY_ARCHIVED);
        assertThat(repo.listAll("wal/")).hasSize((int) objects).hasSize(2);
    }

    @Test
    void recoverableUntilIsWhenTheNewestCompleteSegmentWasArchivedNotAPartialOrHistoryFile() throws Exception {
        assertThat(archive.recoverableUntil()).isEmpty();
        Instant t0 = clock.instant();
        archive.push(wal(SEG, 1));                                       // segment 3 at t0
        clock.advance(Duration.ofMinutes(5));
        archive.push(wal("000000010000000000000002", 2));                 // an older segment archived late
        clock.advance(Duration.ofMinutes(5));
        archive.push(wal("000000010000000000000004.partial", 3));         // recovery does not read .partial files
        archive.push(wal("00000002.history", 4));

        assertThat(archive.recoverableUntil()).contains(t0);

        clock.advance(Duration.ofMinutes(5));
        archive.push(wal("000000010000000000000004", 5));
        assertThat(archive.recoverableUntil()).contains(clock.instant());
    }

    @Test
    void pushingOtherContentUnderAnArchivedNameFailsWithWalConflictAndKeepsTheFirst() throws Exception {
        archive.push(wal(SEG, 1));
        assertThatThrownBy(() -> archive.push(wal(SEG, 2)))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_CONFLICT))
                .hasMessageContaining(SEG).hasMessageContaining("different content");
        Path out = tmp.resolve("out");
        assertThat(archive.fetch(SEG, out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(wal(SEG, 1)));
    }

    @Test
    void aPartialSegmentIsReplacedByANewerPartialAndItsOldDataDeleted() throws Exception {
        archive.push(wal(SEG + ".partial", 1));
        assertThat(archive.push(wal(SEG + ".partial", 2))).isEqualTo(WalArchive.PushOutcome.ARCHIVED);
        assertThat(repo.listAll("wal/")).hasSize(2);
        Path out = tmp.resolve("p");
        assertThat(archive.fetch(SEG + ".partial", out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(wal(SEG + ".partial", 2)));
    }

    @Test
    void fetchRestoresTheExactBytesOfSegmentsAndHistoryFilesAndSaysFalseForUnarchivedNames() throws Exception {
        archive.push(wal(SEG, 1));
        archive.push(wal("00000002.history", 3));
        Path out = Files.createDirectories(tmp.resolve("restore")).resolve("RECOVERYXLOG");
        assertThat(archive.fetch(SEG, out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(wal(SEG, 1)));
        assertThat(archive.fetch("00000002.history", out)).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(wal("00000002.history", 3)));
        assertThat(archive.fetch("000000010000000000000004", tmp.resolve("none"))).isFalse();
        assertThat(tmp.resolve("none")).doesNotExist();
        assertThat(archive.list()).extracting(WalSegment::name).containsExactly(SEG, "00000002.history");
    }

    @Test
    void fetchFailsWithChecksumMismatchWhenAStoredByteIsFlippedAndWritesNothing() throws Exception {
        archive.push(wal(SEG, 1));
        WalSegment s = archive.segment(SEG).orElseThrow();
        Path stored = tmp.resolve("repo").resolve(s.object());
        byte[] b = Files.readAllBytes(stored);
        b[b.length / 2] ^= 1;
        Files.write(stored, b);
        Path out = Files.createDirectories(tmp.resolve("r")).resolve(SEG);
        assertThatThrownBy(() -> archive.fetch(SEG, out)).isInstanceOf(BackupException.class);
        assertThat(out).doesNotExist();
        try (var files = Files.list(tmp.resolve("r"))) {
            assertThat(files).isEmpty(); // no temp file left either
        }
    }

    @Test
    void pushRefusesAFileWhoseNameIsNotAWalFileName() throws Exception {
        assertThatThrownBy(() -> archive.push(wal("postgresql.conf", 1)))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    void archiveLagIsSecondsSinceTheLastCommitByTheArchiveClockAndInfiniteBeforeAny() throws Exception {
        // the listing reads the filesystem's modification times: run the test clock from the real time
        TestClock now = TestClock.at(Instant.now());
        WalArchive archive = archive(now);
        assertThat(archive.archiveLagSeconds()).isInfinite();
        archive.push(wal(SEG, 1));
        now.advance(Duration.ofSeconds(90));
        assertThat(archive.archiveLagSeconds()).isCloseTo(90.0, org.assertj.core.data.Offset.offset(2.0));
        // a second process (e.g. the metrics host) sees the lag from the repository's listing
        WalArchive other = archive(Clock.systemUTC());
        assertThat(other.lastArchivedAt()).isPresent();
        assertThat(other.archiveLagSeconds()).isLessThan(3600);
    }

    @Test
    void theWalFolderIsReservedSoNoSourceCanBePrunedOverTheArchive() {
        assertThat(SourceNames.isValid("wal")).isFalse();
        assertThatThrownBy(() -> WalArchive.builder().repository(repo).source("wal")
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded())).build())
                .hasMessageContaining("source name 'wal' is invalid");
    }

    @Test
    void mainPushesWithARecipientFileAndFetchesWithAnIdentityFile() throws Exception {
        Path recipients = Files.writeString(tmp.resolve("recipients.txt"), "# ops\n" + keys.recipient().encoded() + "\n");
        Path identity = tmp.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), clock);
        Path f = wal(SEG, 7);
        String repoDir = tmp.resolve("repo").toString();
        assertThat(WalArchive.run(new String[] {"push", repoDir, "postgres", recipients.toString(), f.toString()})).isZero();
        assertThat(WalArchive.run(new String[] {"push", repoDir, "postgres", recipients.toString(), wal(SEG, 8).toString()}))
                .isEqualTo(2);
        Path out = tmp.resolve("fetched");
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", identity.toString(), SEG, out.toString()})).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(f));
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", identity.toString(),
                "000000010000000000000009", out.toString()})).isEqualTo(1);
    }

    @Test
    void mainFetchExitsAbove125WhenTheFetchFailsSoPostgresAbortsRecoveryInsteadOfPromotingEarly() throws Exception {
        Path recipients = Files.writeString(tmp.resolve("recipients.txt"), keys.recipient().encoded() + "\n");
        Path otherKey = tmp.resolve("other-key.txt");
        AgeKeys.writeIdentityFile(otherKey, AgeKeys.generate().identity(), clock);
        String repoDir = tmp.resolve("repo").toString();
        assertThat(WalArchive.run(new String[] {"push", repoDir, "postgres", recipients.toString(), wal(SEG, 7).toString()}))
                .isZero();
        Path out = tmp.resolve("fetched");
        // no identity that decrypts it, an unreadable identity file, a wrong call: never "not archived" (1)
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", otherKey.toString(), SEG, out.toString()}))
                .isEqualTo(WalArchive.FETCH_FAILED).isGreaterThan(125);
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", tmp.resolve("none").toString(), SEG,
                out.toString()})).isEqualTo(WalArchive.FETCH_FAILED);
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", SEG})).isEqualTo(WalArchive.FETCH_FAILED);
        // an archive with no file at all (unmounted repository, wrong source name) is not "the end of the archive"
        Path identity = tmp.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), clock);
        assertThat(WalArchive.run(new String[] {"fetch", tmp.resolve("unmounted").toString(), "postgres",
                identity.toString(), SEG, out.toString()})).isEqualTo(WalArchive.FETCH_FAILED);
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "other", identity.toString(), SEG, out.toString()}))
                .isEqualTo(WalArchive.FETCH_FAILED);
        assertThat(out).doesNotExist();
        // a segment missing from an archive that holds others: the end of the archive
        assertThat(WalArchive.run(new String[] {"fetch", repoDir, "postgres", identity.toString(),
                "000000010000000000000009", out.toString()})).isEqualTo(1);
    }

    @Test
    void aStoredSegmentDecodesWithTheAgeAndZstdCommandLineTools() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/age")) && Files.isExecutable(Path.of("/usr/bin/zstd")),
                "needs age and zstd");
        Path f = wal(SEG, 5);
        archive.push(f);
        Path identity = tmp.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), clock);
        Path stored = tmp.resolve("repo").resolve(archive.segment(SEG).orElseThrow().object());
        Path out = tmp.resolve("cli-" + SEG);
        Process p = new ProcessBuilder("sh", "-c", "age -d -i \"$1\" \"$2\" | zstd -d -q -o \"$3\"", "sh",
                identity.toString(), stored.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(f));
    }
}
