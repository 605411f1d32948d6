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

    static String n2(int i) {
        return WalNames.name(2, i, SIZE);
    }

    /** Timeline 1 segments 2..9 (the old primary went on after the switch), timeline 2 from segment 5 on. */
    static List<WalSegment> forked(int tl2To) {
        List<WalSegment> l = new ArrayList<>(segments(2, 9));
        l.add(seg("00000002.history", T0.plusSeconds(300)));
        l.add(seg(n(5) + ".partial", T0.plusSeconds(300)));
        for (int i = 5; i <= tl2To; i++) {
            l.add(seg(n2(i), T0.plusSeconds(600L + 60L * i)));
        }
        return l;
    }

    static final WalChain.HistoryReader HISTORY = h -> {
        assertThat(h.name()).isEqualTo("00000002.history");
        return "1\t0/5000A28\tbefore 2026-12-02 04:05:00+00\n";
    };

    @Test
    void theLatestTimelineIsFollowedThroughItsHistoryFileFromTheSwitchSegmentOn() {
        WalChain c = WalChain.plan(forked(8), HISTORY, n(2), n(3), SIZE, RecoveryTarget.latest(), RecoveryTimeline.latest());
        assertThat(c.timeline()).isEqualTo(2);
        assertThat(c.required()).extracting(WalSegment::name)
                .containsExactly(n(2), n(3), n(4), n2(5), n2(6), n2(7), n2(8));
        assertThat(c.histories()).extracting(WalSegment::name).containsExactly("00000002.history");
        // the same archive on the base backup's own timeline: timeline 1 to its end, no history
        WalChain current = WalChain.plan(forked(8), HISTORY, n(2), n(3), SIZE, RecoveryTarget.latest(),
                RecoveryTimeline.current());
        assertThat(current.timeline()).isEqualTo(1);
        assertThat(current.required()).extracting(WalSegment::name).endsWith(n(9)).hasSize(8);
        assertThat(current.histories()).isEmpty();
    }

    @Test
    void aTimeTargetOnTheNewTimelineNeedsItsSegmentsArchivedAfterTheTarget() {
        WalChain c = WalChain.plan(forked(9), HISTORY, n(2), n(3), SIZE,
                RecoveryTarget.time(T0.plusSeconds(600 + 60 * 6 + 30)), RecoveryTimeline.of(2));
        assertThat(c.required()).extracting(WalSegment::name).endsWith(n(4), n2(5), n2(6), n2(7));
        assertThat(c.following()).extracting(WalSegment::name).containsExactly(n2(8), n2(9));
    }

    @Test
    void aMissingHistoryFileFailsBeforeRecoveryWouldSilentlyStayOnTheOldTimeline() {
        List<WalSegment> archived = forked(8);
        archived.removeIf(s -> s.name().equals("00000002.history"));
        assertThatThrownBy(() -> WalChain.plan(archived, HISTORY, n(2), n(3), SIZE, RecoveryTarget.latest(),
                RecoveryTimeline.latest()))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("00000002.history is not in the archive").hasMessageContaining("WAL of timeline 2");
        assertThatThrownBy(() -> WalChain.plan(archived, HISTORY, n(2), n(3), SIZE, RecoveryTarget.latest(),
                RecoveryTimeline.of(2)))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("00000002.history is not in the archive");
    }

    @Test
    void aGapOnTheNewTimelineFailsNamingTheSegmentOfThatTimeline() {
        List<WalSegment> archived = forked(8);
        archived.removeIf(s -> s.name().equals(n2(6)));
        assertThatThrownBy(() -> WalChain.plan(archived, HISTORY, n(2), n(3), SIZE, RecoveryTarget.latest(),
                RecoveryTimeline.latest()))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining(n2(6)).hasMessageContaining("timeline 2");
    }

    @Test
    void aTimelineThatBranchedOffBeforeTheBaseBackupEndedOrFromAnotherTimelineIsRefused() {
        assertThatThrownBy(() -> WalChain.plan(forked(8), HISTORY, n(2), n(6), SIZE, RecoveryTarget.latest(),
                RecoveryTimeline.latest()))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(com.eazepay.backup.CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("before the base backup's end");
        assertThatThrownBy(() -> WalChain.plan(forked(8), h -> "3\t0/5000A28\tno\n", n(2), n(3), SIZE,
                RecoveryTarget.latest(), RecoveryTimeline.of(2)))
                .hasMessageContaining("does not descend from the base backup's timeline 1");
    }
}
