package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.postgres.internal.WalNames;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WalChain and WalRetention: pure functions over commit records. */
class WalChainTest {

    static final long SIZE = 16L << 20;
    static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");

    /** Segments 1..n of timeline 1, segment i archived at T0 + i minutes. */
    static List<WalSegment> segments(int from, int to) {
        List<WalSegment> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add(seg(WalNames.name(1, i, SIZE), T0.plusSeconds(60L * i)));
        }
        return l;
    }

    static WalSegment seg(String name, Instant at) {
        return new WalSegment(name, "wal/postgres/" + name + ".x.zst.age", SIZE, "00", 10, "00", at);
    }

    static String n(int i) {
        return WalNames.name(1, i, SIZE);
    }

    @Test
    void aTimeTargetNeedsTheChainThroughTheFirstSegmentArchivedAtOrAfterIt() {
        WalChain c = WalChain.plan(segments(2, 9), n(2), n(3), SIZE, RecoveryTarget.time(T0.plusSeconds(60 * 5 + 30)));
        assertThat(c.required()).extracting(WalSegment::name).containsExactly(n(2), n(3), n(4), n(5), n(6));
        assertThat(c.following()).extracting(WalSegment::name).containsExactly(n(7), n(8), n(9));
    }

    @Test
    void aGapBeforeTheTargetFailsNamingTheMissingSegment() {
        List<WalSegment> archived = segments(2, 9);
        archived.removeIf(s -> s.name().equals(n(5)));
        assertThatThrownBy(() -> WalChain.plan(archived, n(2), n(3), SIZE, RecoveryTarget.time(T0.plusSeconds(60 * 7))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("WAL segment " + n(5) + " is not in the archive")
                .hasMessageContaining("resumes at " + n(6));
    }

    @Test
    void aGapInsideTheBaseBackupFailsEvenForImmediate() {
        List<WalSegment> archived = segments(2, 4);
        archived.removeIf(s -> s.name().equals(n(3)));
        assertThatThrownBy(() -> WalChain.plan(archived, n(2), n(3), SIZE, RecoveryTarget.immediate()))
                .hasMessageContaining("WAL segment " + n(3) + " is not in the archive");
    }

    @Test
    void anArchiveEndingBeforeTheTargetTimeFailsSayingWhereItEnds() {
        assertThatThrownBy(() -> WalChain.plan(segments(2, 4), n(2), n(3), SIZE, RecoveryTarget.time(T0.plusSeconds(3600))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("ends at " + n(4));
    }

    @Test
    void latestRefusesAGapWithLaterSegmentsRatherThanStoppingEarlySilently() {
        List<WalSegment> archived = segments(2, 9);
        archived.removeIf(s -> s.name().equals(n(7)));
        assertThatThrownBy(() -> WalChain.plan(archived, n(2), n(3), SIZE, RecoveryTarget.latest()))
                .hasMessageContaining(n(7)).hasMessageContaining("would stop early");
        assertThat(WalChain.plan(segments(2, 9), n(2), n(3), SIZE, RecoveryTarget.latest()).required()).hasSize(8);
    }

    @Test
    void anLsnTargetNeedsTheSegmentHoldingIt() {
        WalChain c = WalChain.plan(segments(2, 9), n(2), n(3), SIZE, RecoveryTarget.lsn("0/6000100"));
        assertThat(c.required()).last().extracting(WalSegment::name).isEqualTo(n(6));
    }

    @Test
    void segmentNamesWrapFromSegmentFFToTheNextLog() {
        assertThat(WalNames.next("0000000100000000000000FF", SIZE)).isEqualTo("000000010000000100000000");
        assertThat(WalNames.segmentOf(1, WalNames.parseLsn("1/2000028"), SIZE)).isEqualTo("000000010000000100000002");
        assertThat(PostgresBaseBackupSource.segmentSize("0/2000028", "000000010000000000000002")).isEqualTo(SIZE);
        assertThat(PostgresBaseBackupSource.segmentSize("0/2000028", "000000010000000000000020")).isEqualTo(1L << 20);
    }

    static Manifest base(String startFile) {
        return new Manifest(1, "b-" + startFile, "postgres-base", "postgres-base", "manual", Set.of(), Map.of(), null,
                T0, T0, T0, "test", new Manifest.Codec("zstd", Map.of()), new Manifest.Codec("age", Map.of()), List.of(),
                Map.of("start_wal_file", startFile, "wal_segment_size", SIZE));
    }

    @Test
    void retentionRemovesOnlyWalOlderThanTheOldestKeptBaseBackupAndKeepsHistoryFiles() {
        List<WalSegment> archived = new ArrayList<>(segments(1, 9));
        archived.add(seg(n(3) + ".00000028.backup", T0));
        archived.add(seg(n(2) + ".partial", T0));
        archived.add(seg("00000002.history", T0));
        archived.add(seg(WalNames.name(2, 4, SIZE), T0));
        List<WalSegment> removable = WalRetention.removable(archived, List.of(base(n(6)), base(n(4))));
        assertThat(removable).extracting(WalSegment::name)
                .containsExactlyInAnyOrder(n(1), n(2), n(3), n(3) + ".00000028.backup", n(2) + ".partial");
        assertThat(WalRetention.removable(archived, List.of())).isEmpty();
    }
}
