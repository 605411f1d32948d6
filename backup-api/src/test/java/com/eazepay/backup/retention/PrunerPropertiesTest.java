package com.eazepay.backup.retention;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever deletes fail, a listed backup always has all its data, and a second prune finishes the job. */
class PrunerPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    @Property(tries = 100)
    void failedDeletesNeverLeaveAListedBackupWithoutDataAndARetryFinishes(
            @ForAll @IntRange(min = 1, max = 25) int backups,
            @ForAll @IntRange(min = 1, max = 10) int keepLast,
            @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 99) Integer> failing) {
        MapStorage storage = new MapStorage();
        Map<String, List<String>> dataKeys = new HashMap<>();
        List<BackupInfo> history = new ArrayList<>();
        for (int i = 0; i < backups; i++) {
            String id = "b" + (100 + i);
            Instant t = NOW.minus(Duration.ofHours(backups - i));
            List<String> keys = new ArrayList<>();
            for (int s = 0; s <= i % 3; s++) {
                keys.add("src/" + id + "/stream" + s);
                storage.add("src/" + id + "/stream" + s, 10, t);
            }
            storage.add("src/" + id + "/manifest.json", 1, t);
            dataKeys.put(id, keys);
            history.add(BackupInfo.of(id, t));
        }
        List<String> allKeys = new ArrayList<>(storage.objects.keySet());
        for (int f : failing) {
            storage.failingDeletes.add(allKeys.get(f % allKeys.size()));
        }
        RetentionPolicy policy = RetentionPolicy.builder().keepLast(keepLast).build();
        RetentionPlan plan = policy.plan(history, NOW);
        Pruner pruner = new Pruner(storage, Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));

        PruneResult first = pruner.run("src", plan);

        Set<String> listed = listed(storage);
        for (String id : listed) {
            assertThat(storage.objects.keySet()).as("listed backup %s keeps its data", id).containsAll(dataKeys.get(id));
        }
        assertThat(listed).containsAll(plan.kept().stream().map(BackupInfo::id).toList());
        Set<String> removedIds = plan.removed().stream().map(BackupInfo::id).collect(Collectors.toSet());
        assertThat(removedIds).containsAll(first.errors().keySet());
        assertThat(first.isComplete()).isEqualTo(storage.failingDeletes.stream().noneMatch(k -> removedIds.contains(k.split("/")[1])));

        // the storage recovers; the catalog is re-read; prune again
        storage.failingDeletes.clear();
        List<BackupInfo> catalog = history.stream().filter(b -> listed.contains(b.id())).toList();
        PruneResult second = pruner.run("src", policy.plan(catalog, NOW));
        assertThat(second.isComplete()).isTrue();
        Set<String> left = storage.objects.keySet().stream().map(k -> k.split("/")[1]).collect(Collectors.toSet());
        assertThat(left).containsExactlyInAnyOrderElementsOf(plan.kept().stream().map(BackupInfo::id).toList());
    }

    private static Set<String> listed(MapStorage storage) {
        return storage.objects.keySet().stream().filter(k -> k.endsWith("/manifest.json"))
                .map(k -> k.split("/")[1]).collect(Collectors.toSet());
    }
}
