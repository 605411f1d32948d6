package com.eazepay.backup.test;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryBackupContextTest {

    @TempDir
    Path tmp;

    @Test
    void aClosedStreamIsCommittedAndReadBackAsOftenAsAsked() throws IOException {
        TestClock clock = TestClock.create();
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp.resolve("b")).sourceName("orders")
                .backupId("20261124T020000Z-abc123").clock(clock);
        try (OutputStream out = ctx.newStream("db", "pgdump")) {
            out.write("hello".getBytes(StandardCharsets.UTF_8));
        }
        ctx.fact("rows", 5L);
        ctx.consistentAt(Instant.parse("2026-11-24T01:59:00Z"));

        assertThat(ctx.streamFile("db")).isEqualTo(tmp.resolve("b/db.pgdump")).hasContent("hello");
        assertThat(ctx.committedStreams()).containsOnlyKeys("db");
        assertThat(ctx.openedStreams()).containsExactly("db.pgdump");
        assertThat(ctx.facts()).containsExactly(Map.entry("rows", 5L));
        assertThat(ctx.consistentAt()).isEqualTo(Instant.parse("2026-11-24T01:59:00Z"));
        assertThat(ctx.clock()).isSameAs(clock);

        DirectoryRestoreContext restore = ctx.restoreContext();
        Manifest m = restore.manifest();
        assertThat(m.id()).isEqualTo("20261124T020000Z-abc123");
        assertThat(m.source()).isEqualTo("orders");
        assertThat(m.facts()).containsEntry("rows", 5L);
        assertThat(m.consistentAt()).isEqualTo(Instant.parse("2026-11-24T01:59:00Z"));
        assertThat(m.stream("db")).hasValueSatisfying(s -> {
            assertThat(s.object()).isEqualTo("db.pgdump");
            assertThat(s.format()).isEqualTo("pgdump");
            assertThat(s.plaintextSize()).isEqualTo(5);
        });
        assertThat(restore.checksRequested()).isTrue();
        assertThat(restore.checksRequested(false).checksRequested()).isFalse();
        assertThat(restore.clock()).isSameAs(clock);
        for (int i = 0; i < 2; i++) {
            try (InputStream in = restore.openStream("db")) {
                assertThat(in).hasContent("hello");
            }
        }
    }

    @Test
    void anUnclosedStreamIsNotCommittedAndNotRestorable() throws IOException {
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp);
        OutputStream abandoned = ctx.newStream("dump", "rdb");
        abandoned.write(1);

        assertThat(ctx.openedStreams()).containsExactly("dump.rdb");
        assertThat(ctx.committedStreams()).isEmpty();
        assertThatThrownBy(() -> ctx.streamFile("dump")).isInstanceOf(AssertionError.class).hasMessageContaining("dump");
        assertThatThrownBy(() -> ctx.restoreContext().openStream("dump"))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND))
                .hasMessageContaining("dump");
        abandoned.close();
        abandoned.close();
        assertThat(ctx.streamFile("dump")).hasBinaryContent(new byte[]{1});
    }

    @Test
    void defaultsAndManifestWithoutConsistencyInstant() {
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp);
        assertThat(ctx.sourceName()).isEqualTo(DirectoryBackupContext.DEFAULT_SOURCE_NAME);
        assertThat(ctx.backupId()).isEqualTo(DirectoryBackupContext.DEFAULT_BACKUP_ID);
        assertThat(ctx.tags()).isEmpty();
        assertThat(ctx.labels()).isEmpty();
        assertThat(ctx.consistentAt()).isNull();
        assertThat(ctx.restoreContext().manifest().consistentAt()).isEqualTo(Instant.EPOCH);
        assertThat(ctx.restoreContext().manifest().streams()).isEmpty();
    }

    @Test
    void listenersSeeEveryWriteAndFact() throws IOException {
        List<String> seen = new ArrayList<>();
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp)
                .onWrite((stream, written) -> seen.add(stream + "@" + written))
                .onFact((key, value) -> seen.add(key + "=" + value));
        try (OutputStream out = ctx.newStream("a", "bin")) {
            out.write(new byte[3]);
            out.write(7);
        }
        ctx.fact("k", "v");
        assertThat(seen).containsExactly("a@3", "a@4", "k=v");
    }

    @Test
    void onceAfterRunsItsActionOnceWhenAStreamPassesTheLimit() throws IOException {
        int[] runs = {0};
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp)
                .onWrite(DirectoryBackupContext.WriteListener.onceAfter(2, () -> runs[0]++));
        try (OutputStream out = ctx.newStream("a", "bin")) {
            out.write(new byte[2]);
            assertThat(runs[0]).isZero();
            out.write(new byte[1]);
            out.write(new byte[5]);
        }
        assertThat(runs[0]).isEqualTo(1);
    }

    @Test
    void anAdoptedFileIsRestoredInPlace() throws IOException {
        Path written = Files.writeString(tmp.resolve("elsewhere.rdb"), "REDIS");
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp.resolve("ctx")).adoptStream("dump", "rdb", written);
        ctx.fact("format", "rdb");

        DirectoryRestoreContext restore = ctx.restoreContext();
        assertThat(restore.manifest().stream("dump")).hasValueSatisfying(s -> assertThat(s.format()).isEqualTo("rdb"));
        assertThat(restore.manifest().facts()).containsEntry("format", "rdb");
        try (InputStream in = restore.openStream("dump")) {
            assertThat(in).hasContent("REDIS");
        }
    }
}
