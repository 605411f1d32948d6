package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.DeletionGuard;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.storage.RetryingStorage;
import java.util.Optional;
import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The prune executor against the test kit's in-memory and fault-injecting storage. */
class PrunerOnInMemoryStorageTest {

    private final TestClock clock = TestClock.create();
    private final InMemoryStorage memory = InMemoryStorage.withClock(clock);

    private void put(String key, int size) {
        memory.put(key, new ByteArrayInputStream(new byte[size]), PutOptions.defaults());
    }

    /** Ten daily backups, written the way the engine writes them: data first, manifest last. */
    private List<BackupInfo> tenDailyBackups() {
        List<BackupInfo> list = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = RetentionAssertions.idOf(clock.instant(), i);
            put("redis/" + id + "/dump.rdb.zst", 1000 + i);
            put("redis/" + id + "/manifest.json", 10);
            list.add(BackupInfo.of(id, clock.instant()).withStoredBytes(1000 + i));
            clock.advance(Duration.ofDays(1));
        }
        return list;
    }

    private List<String> listedBackups() {
        List<String> ids = new ArrayList<>();
        for (ObjectInfo o : memory.listAll("redis/")) {
            if (o.key().endsWith("/manifest.json")) {
                ids.add(o.key().split("/")[1]);
            }
        }
        return ids;
    }

    @Test
    void pruneLeavesExactlyTheKeptBackupsAndRemovesStaleUnfinishedUploads() {
        put("redis/20261124T013000Z-zzzzzz/dump.rdb.zst", 77); // a crashed upload, 10 days old by the prune
        List<BackupInfo> history = tenDailyBackups();
        clock.advance(Duration.ofHours(1));
        put("redis/20261205T030000Z-inprog/dump.rdb.zst", 5);  // an upload running now
        RetentionPlan plan = RetentionPolicy.builder().keepLast(3).build().plan(history, clock.instant());

        PruneResult dry = new Pruner(memory, clock).dryRun("redis", plan);
        assertThat(listedBackups()).hasSize(10);

        PruneResult result = new Pruner(memory, clock).run("redis", plan);
        assertThat(result.isComplete()).isTrue();
        assertThat(result.backupsRemoved()).hasSize(7);
        assertThat(result.unfinishedRemoved()).containsExactly("20261124T013000Z-zzzzzz");
        assertThat(result.objectsDeleted()).isEqualTo(dry.objectsDeleted()).isEqualTo(15);
        assertThat(result.bytesFreed()).isEqualTo(dry.bytesFreed()).isEqualTo(7 * 1000 + (0 + 1 + 2 + 3 + 4 + 5 + 6) + 7 * 10 + 77);
        assertThat(listedBackups()).containsExactlyElementsOf(
                plan.kept().stream().map(BackupInfo::id).sorted().toList());
        assertThat(memory.stat("redis/20261205T030000Z-inprog/dump.rdb.zst")).isPresent();
    }

    @Test
    void aFailedManifestDeleteNeverLeavesAListedBackupWithoutData() {
        List<BackupInfo> history = tenDailyBackups();
        FaultyStorage faulty = FaultyStorage.wrap(memory).failOnCall(FaultyStorage.Operation.DELETE, 1);
        RetentionPlan plan = RetentionPolicy.builder().keepLast(8).build().plan(history, clock.instant());

        PruneResult result = new Pruner(faulty, clock).run("redis", plan);

        String oldest = history.get(0).id();
        assertThat(result.errors()).containsOnlyKeys(oldest);
        assertThat(result.backupsRemoved()).containsExactly(history.get(1).id());
        // every listed backup still has all of its data
        for (String id : listedBackups()) {
            assertThat(memory.stat("redis/" + id + "/dump.rdb.zst")).as(id).isPresent();
        }
        assertThat(listedBackups()).contains(oldest).hasSize(9);
    }

    @Test
    void aFailedDataDeleteLeavesUnlistedLeftoversThatTheNextPruneRemoves() {
        List<BackupInfo> history = tenDailyBackups();
        FaultyStorage faulty = FaultyStorage.wrap(memory).failOnCall(FaultyStorage.Operation.DELETE, 2);
        RetentionPlan plan = RetentionPolicy.builder().keepLast(9).build().plan(history, clock.instant());

        PruneResult first = new Pruner(faulty, clock).run("redis", plan);
        String oldest = history.get(0).id();
        assertThat(first.errors()).containsOnlyKeys(oldest);
        assertThat(listedBackups()).doesNotContain(oldest);
        assertThat(memory.stat("redis/" + oldest + "/dump.rdb.zst")).isPresent();

        RetentionPlan again = RetentionPolicy.builder().keepLast(9).build().plan(history.subList(1, 10), clock.instant());
        PruneResult second = new Pruner(memory, clock).run("redis", again);
        assertThat(second.unfinishedRemoved()).containsExactly(oldest);
        assertThat(memory.listAll("redis/" + oldest + "/")).isEmpty();
    }

    /** A storage whose deletion guard refuses the objects of one backup, as GCS does for a held object. */
    static final class GuardedStorage extends ForwardingStorage implements DeletionGuard {
        final String heldPrefix;

        GuardedStorage(StorageTarget delegate, String heldPrefix) {
            super(delegate);
            this.heldPrefix = heldPrefix;
        }

        @Override
        public Optional<String> deletionBlocker(String key) {
            return key.startsWith(heldPrefix) ? Optional.of("a temporary hold") : Optional.empty();
        }

        @Override
        public void delete(String key) {
            if (key.startsWith(heldPrefix)) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot delete " + key + ": it is under a temporary hold");
            }
            super.delete(key);
        }
    }

    @Test
    void pruneSkipsAndReportsABackupTheDeletionGuardHoldsAndRemovesTheOthers() {
        List<BackupInfo> history = tenDailyBackups();
        RetentionPlan plan = RetentionPolicy.builder().keepLast(3).build().plan(history, clock.instant());
        String heldId = history.get(2).id();
        // through a retry wrapper: the guard is found through the chain
        StorageTarget guarded = RetryingStorage.wrap(new GuardedStorage(memory, "redis/" + heldId + "/"), RetryPolicy.none());

        PruneResult dry = new Pruner(guarded, clock).dryRun("redis", plan);
        assertThat(dry.held()).containsOnlyKeys(heldId);
        PruneResult result = new Pruner(guarded, clock).run("redis", plan);

        assertThat(result.isComplete()).as("a held backup is not an error").isTrue();
        assertThat(result.held()).containsOnlyKeys(heldId);
        assertThat(result.held().get(heldId)).contains("redis/" + heldId + "/").contains("a temporary hold");
        assertThat(result.backupsRemoved()).hasSize(6).doesNotContain(heldId);
        assertThat(memory.stat("redis/" + heldId + "/manifest.json")).as("left whole").isPresent();
        assertThat(memory.stat("redis/" + heldId + "/dump.rdb.zst")).isPresent();
        assertThat(listedBackups()).hasSize(4).contains(heldId);
    }
}
