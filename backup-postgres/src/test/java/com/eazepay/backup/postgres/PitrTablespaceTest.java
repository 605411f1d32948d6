package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.CoreErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server with a tablespace cannot be streamed as one tar ({@code pg_basebackup -D -} writes one tablespace only):
 * the base backup is refused with what to do instead, and nothing is committed. Its own cluster, since the
 * tablespace would refuse every other test's base backups.
 */
class PitrTablespaceTest {

    static PitrCluster pitr;
    static BackupEngine engine;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-tablespace");
        Path location = Files.createDirectories(pitr.path("tablespace"));
        DebianCluster.run("chown", "postgres", location.toString());
        pitr.primary.exec("postgres", "CREATE TABLESPACE archive_ts LOCATION '" + location + "'");
        pitr.primary.exec("shop", "CREATE TABLE old_orders (id int) TABLESPACE archive_ts",
                "INSERT INTO old_orders SELECT generate_series(1, 10)");
        engine = pitr.engine().build();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    @Test
    void aBaseBackupOfAServerWithATablespaceIsRefusedNamingWhatToUseAndCommitsNothing() {
        assertThatThrownBy(() -> engine.backup("postgres-base").run())
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("has tablespaces")
                .hasMessageContaining("use pg_dump backups (PostgresSource)");
        assertThat(engine.list("postgres-base", BackupFilter.all())).isEmpty();
    }
}
