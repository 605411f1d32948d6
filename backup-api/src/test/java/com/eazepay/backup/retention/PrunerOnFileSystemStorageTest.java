package com.eazepay.backup.retention;

import com.eazepay.backup.retention.BackupInfo;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.retention.RetentionPlan;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.internal.retention.PruneResult;
import com.eazepay.backup.internal.retention.Pruner;
import com.eazepay.backup.spi.PutOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The prune executor on the real filesystem storage: what is left on disk is exactly the kept backups. */
class PrunerOnFileSystemStorageTest {

    @TempDir
    Path dir;

    @Test
    void pruneOnDiskLeavesExactlyTheKeptBackupsAndNoStaleUploads() throws IOException {
        FileSystemStorage storage = FileSystemStorage.at(dir);
        Instant first = Instant.parse("2026-11-01T02:00:00Z");
        List<BackupInfo> history = new ArrayList<>();
        for (int day = 0; day < 14; day++) {
            Instant t = first.plus(Duration.ofDays(day));
            String id = String.format("202611%02dT020000Z-abc%03d", day + 1, day);
            storage.put("config/" + id + "/files.tar.zst", new ByteArrayInputStream(new byte[100 + day]), PutOptions.defaults());
            storage.put("config/" + id + "/manifest.json", new ByteArrayInputStream("{}".getBytes()), PutOptions.defaults());
            history.add(BackupInfo.of(id, t).withTags(day == 2 ? "pre-deploy" : "nightly"));
        }
        storage.put("config/20261020T020000Z-crash0/files.tar.zst", new ByteArrayInputStream(new byte[9]), PutOptions.defaults());
        Files.setLastModifiedTime(dir.resolve("config/20261020T020000Z-crash0/files.tar.zst"),
                FileTime.from(Instant.now().minus(Duration.ofDays(3))));
        storage.put("config/20261115T020000Z-run000/files.tar.zst", new ByteArrayInputStream(new byte[9]), PutOptions.defaults());

        Instant now = first.plus(Duration.ofDays(14));
        RetentionPlan plan = RetentionPolicy.builder().keepDaily(5).keepTagged("pre-deploy").build().plan(history, now);
        // the files' times are real ones, so the grace period is measured with the real clock here
        PruneResult result = new Pruner(storage, Clock.system(ZoneOffset.UTC)).run("config", plan);

        assertThat(result.isComplete()).isTrue();
        assertThat(result.backupsRemoved()).hasSize(8);
        assertThat(result.unfinishedRemoved()).containsExactly("20261020T020000Z-crash0");
        List<String> left;
        try (Stream<Path> s = Files.list(dir.resolve("config"))) {
            left = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> expected = new ArrayList<>(plan.kept().stream().map(BackupInfo::id).toList());
        expected.add("20261115T020000Z-run000");
        assertThat(left).containsExactlyInAnyOrderElementsOf(expected);
        for (BackupInfo kept : plan.kept()) {
            assertThat(dir.resolve("config/" + kept.id() + "/manifest.json")).exists();
            assertThat(dir.resolve("config/" + kept.id() + "/files.tar.zst")).exists();
        }
    }
}
