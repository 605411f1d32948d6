package com.eazepay.backup.postgres;

import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 22 §6 against a real Debian PostgreSQL 15 primary and its streaming standby (pg_basebackup -R). */
class StandbyBackupTest {

    static DebianCluster primary;
    static DebianCluster standby;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (runuser)");
        primary = DebianCluster.initdb();
        primary.exec("postgres", "CREATE DATABASE shop");
        primary.exec("shop", "CREATE TABLE orders (id int PRIMARY KEY)", "INSERT INTO orders SELECT generate_series(1, 100)");
        standby = DebianCluster.standbyOf(primary);
    }

    @AfterAll
    static void stop() throws Exception {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void backupFromAStandbyWithReplayPausedIsConsistentAtTheLastReplayedCommitAndSaysStandby() throws Exception {
        // a commit the standby replays, then (bounded wait until replayed) pause replay and write more on the primary
        primary.exec("shop", "INSERT INTO orders SELECT generate_series(101, 120)");
        String lsn = primary.query("postgres", "select pg_current_wal_lsn()::text").get(0);
        for (int i = 0; i < 600 && standby.query("postgres", "select (pg_last_wal_replay_lsn() >= '" + lsn + "')::text")
                .get(0).equals("false"); i++) {
            standby.query("postgres", "select pg_sleep(0.05)::text");
        }
        standby.exec("postgres", "select pg_wal_replay_pause()");
        primary.exec("shop", "INSERT INTO orders SELECT generate_series(121, 150)");
        String replayedAt = standby.query("postgres", "select pg_last_xact_replay_timestamp()::text").get(0);

        PostgresSource source = PostgresSource.builder().jdbcUrl(standby.jdbcUrl("shop")).user("postgres").build();
        DirectoryBackupContext ctx = DirectoryBackupContext.in(Files.createDirectories(tmp.resolve("b")))
                .sourceName("postgres").backupId("20261202T043000Z-standby");
        source.backup(ctx);

        assertThat(ctx.facts()).containsEntry("standby", true);
        assertThat(ctx.facts().get("row_counts")).isEqualTo(Map.of("public.orders", 120L));
        assertThat(ctx.consistentAt()).isEqualTo(standby.query("postgres",
                "select pg_last_xact_replay_timestamp()").stream().map(s -> OffsetDateTime.parse(s.replace(' ', 'T')
                .replaceAll("([+-]\\d\\d)$", "$1:00")).toInstant()).findFirst().orElseThrow());
        assertThat(replayedAt).isNotNull();
        standby.exec("postgres", "select pg_wal_replay_resume()");
    }
}
