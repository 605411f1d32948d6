package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PITR builders' bookkeeping (spi.ConfigurationProblems): each setting once, every combination problem at once. */
class PitrBuildersTest {

    @TempDir
    Path tmp;

    WalArchive archive() {
        return WalArchive.builder().repository(FileSystemStorage.at(tmp.resolve("repo"))).source("postgres")
                .encryption(Codecs.noEncryption()).build();
    }

    @Test
    void conflictingRecoveryTargetsAndOtherCombinationProblemsAreRefusedTogetherBeforeAnythingIsWritten() {
        Path dir = tmp.resolve("data");
        PitrTarget target = PitrTarget.dataDirectory(dir, archive(), RecoveryTarget.time(Instant.parse("2026-12-02T04:00:00Z")))
                .lsn("0/3000060")
                .server(PitrTarget.ServerMode.LEAVE_READY)
                .port(5433)
                .check("shop", Check.sql("select count(*) from orders").atLeast(1));
        BackupEngine engine = Backup.repository(FileSystemStorage.at(tmp.resolve("repo"))).encryption(Codecs.noEncryption())
                .build();

        assertThatThrownBy(() -> PostgresPitr.restore(engine, "postgres-base", target))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("conflicting recovery targets [dataDirectory(.., time 2026-12-02T04:00:00Z), lsn(0/3000060)]")
                .hasMessageContaining("check(..) needs a started server")
                .hasMessageContaining("port(..) is not used with server(LEAVE_READY)");
        assertThat(dir).doesNotExist();
        // pointInTime then restorePoint on the two-argument factory: two targets as well
        assertThatThrownBy(() -> PitrTarget.dataDirectory(dir, archive()).pointInTime(Instant.EPOCH).restorePoint("x").validate())
                .hasMessageContaining("conflicting recovery targets [pointInTime(1970-01-01T00:00:00Z), restorePoint(x)]");
        PitrTarget.dataDirectory(dir, archive()).lsn("0/3000060").validate(); // one target: fine
    }

    @Test
    void theYamlScratchDirectoryHoldsRestoreTestDirectoriesAndDropScratchDeletesOnlyThoseWithoutSignallingOtherProcesses()
            throws Exception {
        Path scratch = tmp.resolve("scratch");
        com.eazepay.backup.config.ConfigNode yaml = com.eazepay.backup.config.ConfigNode.tree("sources.pg-base", "test",
                java.util.Map.of("host", leaf("127.0.0.1"), "scratchDirectory", leaf(scratch.toString())));
        com.eazepay.backup.spi.BackupSource source = new PostgresBaseSourceProvider().fromConfig("pg-base", yaml);
        String resource = source.scratchTarget("20261202t070000_abcd").orElseThrow().resource();
        assertThat(resource).isEqualTo(scratch.resolve("eazepay-restoretest_20261202t070000_abcd").toString());

        // a crash left the directory with a postmaster.pid naming a live process that is no postgres (a reused pid): this JVM
        Path data = java.nio.file.Files.createDirectories(Path.of(resource).resolve("data"));
        java.nio.file.Files.writeString(data.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + data + "\n");
        java.nio.file.Files.writeString(data.resolve("PG_VERSION"), "15\n");
        source.dropScratch(resource); // this JVM is not signalled (the test would end here otherwise)
        assertThat(Path.of(resource)).doesNotExist();
        source.dropScratch(resource); // idempotent

        Path outside = java.nio.file.Files.createDirectories(tmp.resolve("eazepay-restoretest_20261202t070000_efgh"));
        Path notScratch = java.nio.file.Files.createDirectories(scratch.resolve("data"));
        source.dropScratch(outside.toString());
        source.dropScratch(notScratch.toString());
        source.dropScratch(scratch.resolve("eazepay-restoretest_x/../data").toString());
        assertThat(outside).exists();
        assertThat(notScratch).exists();
    }

    static com.eazepay.backup.config.ConfigNode.Leaf leaf(String text) {
        return new com.eazepay.backup.config.ConfigNode.Leaf(text, "test", 1, 1, false);
    }

    @Test
    void aPitrSettingGivenTwiceIsRefusedAtOnce() {
        PitrTarget t = PitrTarget.dataDirectory(tmp.resolve("d"), archive()).server(PitrTarget.ServerMode.START_AND_KEEP);
        assertThatThrownBy(() -> t.server(PitrTarget.ServerMode.START_AND_STOP))
                .isInstanceOf(IllegalStateException.class).hasMessage("PitrTarget: server was already set; give each setting once");
        assertThatThrownBy(() -> t.timeline(RecoveryTimeline.latest()).timeline(RecoveryTimeline.of(2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("timeline was already set");
        assertThatThrownBy(() -> WalArchive.builder().source("a").source("b"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("source was already set");
    }

    @Test
    void theReplicationBuildersShareTheConnectionSettersAndListEveryProblemAtOnce() {
        assertThatThrownBy(() -> WalReceiver.builder().port(5433).build())
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessage("WAL receiver: host is required: call host(..); spool directory is required: call spool(..);"
                        + " archive is required: call archive(..)");
        assertThatThrownBy(() -> PostgresBaseBackupSource.builder().name("wal").build())
                .hasMessageContaining("postgres-base source: ").hasMessageContaining("'wal'")
                .hasMessageContaining("host is required");
        for (var b : List.of(PostgresBaseBackupSource.builder().host("db"), WalReceiver.builder().host("db"))) {
            assertThatThrownBy(() -> b.host("other")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("host was already set");
            assertThatThrownBy(() -> b.port(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..65535");
            b.password(Secret.of("s3cret"));
            assertThatThrownBy(() -> b.password("again")).isInstanceOf(IllegalStateException.class)
                    .hasMessageNotContaining("s3cret").hasMessageNotContaining("again");
        }
        // the fluent chain still returns each builder's own type
        PostgresBaseBackupSource source = PostgresBaseBackupSource.builder().host("db").port(5433).user("backup")
                .password("pw").name("pg-base").walSource("pg").build();
        assertThat(source.toString()).contains("postgresql://db:5433/").contains("as backup").doesNotContain("pw");
        assertThat(source.walSource()).isEqualTo("pg");
    }
}
