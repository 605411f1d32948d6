package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 22 §4: a table in a tablespace restored onto a fresh Debian PostgreSQL 15 cluster, and restoreArgs. */
class TablespaceRestoreTest {

    static PgServer pg;
    static DebianCluster fresh;
    static Path tablespaceDir;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (runuser)");
        pg = PgServer.start();
        fresh = DebianCluster.initdb();
        tablespaceDir = Files.createTempDirectory("embedded-ts-");
        Path data = Path.of(pg.queryString("postgres", "show data_directory"));
        Files.setOwner(tablespaceDir, Files.getOwner(data));
        pg.exec("postgres", "CREATE TABLESPACE fastspace LOCATION '" + tablespaceDir + "'", "CREATE DATABASE spaced");
        pg.exec("spaced", "CREATE TABLE hot (id int) TABLESPACE fastspace", "INSERT INTO hot SELECT generate_series(1, 40)");
    }

    @AfterAll
    static void stop() throws Exception {
        if (fresh != null) {
            fresh.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (tablespaceDir != null) {
            DebianCluster.run("rm", "-rf", tablespaceDir.toString());
        }
    }

    @Test
    void tablespaceTheTargetCannotCreateFailsNamingNoTablespacesWhichThenRestoresIntoTheDefaultTablespace() throws Exception {
        PostgresSource source = pg.source("spaced").build();
        DirectoryBackupContext b = DirectoryBackupContext.in(Files.createDirectories(tmp.resolve("b")))
                .sourceName("postgres").backupId("20261202T043500Z-space");
        source.backup(b);
        PostgresTarget target = PostgresTarget.newDatabase("spaced").on(fresh.jdbcUrl("postgres"), "postgres", (String) null);

        // the location exists on this machine but belongs to the embedded server and is not empty
        BackupException e = catchThrowableOfType(() -> source.restore(b.restoreContext(), target), BackupException.class);
        assertThat(e.getMessage()).contains("CREATE TABLESPACE").contains("noTablespaces()").contains("Nothing was restored");
        assertThat(fresh.query("postgres", "select count(*)::text from pg_database where datname = 'spaced'"))
                .containsExactly("0");

        RestoreOutcome out = source.restore(b.restoreContext(), target.noTablespaces().restoreArgs("--no-comments"));

        assertThat(out.checks()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
        assertThat(fresh.query("spaced", "select coalesce(tablespace, 'default') from pg_tables where tablename = 'hot'"))
                .containsExactly("default");
        assertThat(fresh.query("postgres", "select count(*)::text from pg_tablespace where spcname = 'fastspace'"))
                .containsExactly("0");
    }

    @Test
    void restoreArgsRejectsOptionsTheRestoreSets() {
        assertThatThrownBy(() -> PostgresTarget.newDatabase("x").restoreArgs("--dbname=other"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--dbname");
        assertThatThrownBy(() -> PostgresTarget.newDatabase("x").restoreArgs("--clean"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--clean");
    }
}
