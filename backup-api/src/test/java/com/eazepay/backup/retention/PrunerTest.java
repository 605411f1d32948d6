package com.eazepay.backup.retention;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrunerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final RetentionPolicy LAST_2 = RetentionPolicy.builder().keepLast(2).build();

    private final MapStorage storage = new MapStorage();

    private BackupInfo committed(String id, int daysAgo) {
        Instant t = NOW.minus(Duration.ofDays(daysAgo));
        storage.add("pg/" + id + "/db.pgdump.zst", 1000, t).add("pg/" + id + "/schema.sql.zst", 24, t)
                .add("pg/" + id + "/manifest.json", 100, t);
        return BackupInfo.of(id, t);
    }

    @Test
    void runDeletesEachRemovedBackupsManifestBeforeItsDataAndKeepsTheRest() {
        List<BackupInfo> history = List.of(committed("b4", 1), committed("b3", 2), committed("b2", 3), committed("b1", 4));
        storage.add("other/b1/manifest.json", 7, NOW.minus(Duration.ofDays(4)));
        RetentionPlan plan = LAST_2.plan(history, NOW);

        PruneResult result = new Pruner(storage, CLOCK).run("pg", plan);

        assertThat(result.isComplete()).isTrue();
        assertThat(result.dryRun()).isFalse();
        assertThat(result.backupsRemoved()).containsExactly("b1", "b2");
        assertThat(result.objectsDeleted()).isEqualTo(6);
        assertThat(result.bytesFreed()).isEqualTo(2 * 1124);
        assertThat(storage.deletes).containsExactly(
                "pg/b1/manifest.json", "pg/b1/db.pgdump.zst", "pg/b1/schema.sql.zst",
                "pg/b2/manifest.json", "pg/b2/db.pgdump.zst", "pg/b2/schema.sql.zst");
        assertThat(storage.objects.keySet()).allMatch(k -> k.startsWith("pg/b3/") || k.startsWith("pg/b4/") || k.startsWith("other/"));
    }

    @Test
    void dryRunDeletesNothingAndReportsWhatRunWould() {
        List<BackupInfo> history = List.of(committed("b3", 1), committed("b2", 2), committed("b1", 3));
        storage.add("pg/stale/part-0", 500, NOW.minus(Duration.ofDays(3)));
        PruneResult result = new Pruner(storage, CLOCK).dryRun("pg", LAST_2.plan(history, NOW));
        assertThat(result.dryRun()).isTrue();
        assertThat(result.backupsRemoved()).containsExactly("b1");
        assertThat(result.unfinishedRemoved()).containsExactly("stale");
        assertThat(result.objectsDeleted()).isEqualTo(4);
        assertThat(result.bytesFreed()).isEqualTo(1124 + 500);
        assertThat(storage.deletes).isEmpty();
    }

    @Test
    void aFailedManifestDeleteLeavesThatBackupWholeAndIsReported() {
        List<BackupInfo> history = List.of(committed("b4", 1), committed("b3", 2), committed("b2", 3), committed("b1", 4));
        storage.failingDeletes.add("pg/b1/manifest.json");

        PruneResult result = new Pruner(storage, CLOCK).run("pg", LAST_2.plan(history, NOW));

        assertThat(result.isComplete()).isFalse();
        assertThat(result.errors()).containsOnlyKeys("b1");
        assertThat(result.errors().get("b1").errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
        assertThat(result.backupsRemoved()).containsExactly("b2");
        assertThat(storage.objects).containsKeys("pg/b1/manifest.json", "pg/b1/db.pgdump.zst", "pg/b1/schema.sql.zst");
        assertThatThrownBy(result::orThrow).isInstanceOf(BackupException.class)
                .hasMessageContaining("prune of pg failed for 1 backup(s): b1")
                .satisfies(e -> assertThat(((BackupException) e).isRetryable()).isTrue());
    }

    @Test
    void aFailedDataDeleteAfterTheManifestIsReportedAndCleanedUpByTheNextPrune() {
        List<BackupInfo> history = List.of(committed("b3", 1), committed("b2", 2), committed("b1", 3));
        storage.failingDeletes.add("pg/b1/db.pgdump.zst");

        PruneResult first = new Pruner(storage, CLOCK).run("pg", LAST_2.plan(history, NOW));
        assertThat(first.errors()).containsOnlyKeys("b1");
        assertThat(first.backupsRemoved()).containsExactly("b1"); // no longer listed: manifest is gone
        assertThat(storage.objects).doesNotContainKey("pg/b1/manifest.json").containsKey("pg/b1/db.pgdump.zst");

        storage.failingDeletes.clear();
        List<BackupInfo> listed = history.subList(0, 2); // the catalog no longer lists b1
        PruneResult second = new Pruner(storage, CLOCK).run("pg", LAST_2.plan(listed, NOW));
        assertThat(second.isComplete()).isTrue();
        assertThat(second.unfinishedRemoved()).containsExactly("b1");
        assertThat(storage.objects.keySet()).noneMatch(k -> k.startsWith("pg/b1/"));
    }

    @Test
    void unfinishedUploadsAreRemovedOnlyAfterTheGracePeriod() {
        List<BackupInfo> history = List.of(committed("b1", 1));
        storage.add("pg/old-upload/db.pgdump.zst", 10, NOW.minus(Duration.ofHours(25)));
        storage.add("pg/running/db.pgdump.zst", 10, NOW.minus(Duration.ofHours(30)));
        storage.add("pg/running/part-2", 10, NOW.minus(Duration.ofMinutes(1))); // still being written
        storage.add("pg/fresh/db.pgdump.zst", 10, NOW.minus(Duration.ofHours(23)));
        storage.add("pg/20261120T020000Z-abcdef/db", 10, Instant.EPOCH); // store without times: id's time

        PruneResult result = new Pruner(storage, CLOCK).run("pg", LAST_2.plan(history, NOW));
        assertThat(result.unfinishedRemoved()).containsExactlyInAnyOrder("old-upload", "20261120T020000Z-abcdef");
        assertThat(storage.objects).containsKeys("pg/running/part-2", "pg/running/db.pgdump.zst", "pg/fresh/db.pgdump.zst",
                "pg/b1/manifest.json");

        PruneResult shortGrace = new Pruner(storage, CLOCK).withGracePeriod(Duration.ofMinutes(30))
                .run("pg", LAST_2.plan(history, NOW));
        assertThat(shortGrace.unfinishedRemoved()).containsExactly("fresh");
    }

    @Test
    void aBackupWhoseObjectLockIsInForceAtTheClocksTimeIsNotDeletedEvenIfAStalePlanSaysSo() {
        BackupInfo locked = committed("b1", 5).withLockedUntil(NOW.plus(Duration.ofDays(1)));
        List<BackupInfo> history = List.of(committed("b3", 1), committed("b2", 2), locked);
        RetentionPlan stalePlan = LAST_2.plan(history, NOW.plus(Duration.ofDays(2))); // lock expired then
        assertThat(stalePlan.removed()).extracting(BackupInfo::id).containsExactly("b1");

        PruneResult result = new Pruner(storage, CLOCK).run("pg", stalePlan);
        assertThat(result.errors()).containsOnlyKeys("b1");
        assertThat(result.errors().get("b1")).hasMessageContaining("object-locked until");
        assertThat(storage.deletes).isEmpty();
    }

    @Test
    void badArgumentsAreConfigurationErrors() {
        Pruner pruner = new Pruner(storage, CLOCK);
        RetentionPlan plan = LAST_2.plan(List.of(), NOW);
        assertThatThrownBy(() -> pruner.run("a/b", plan)).isInstanceOf(BackupException.class).hasMessageContaining("a/b");
        assertThatThrownBy(() -> pruner.withGracePeriod(Duration.ofSeconds(-1))).isInstanceOf(BackupException.class)
                .hasMessageContaining("grace period");
        assertThat(pruner.gracePeriod()).isEqualTo(Pruner.DEFAULT_GRACE_PERIOD);
    }
}
