package com.eazepay.backup.postgres;

import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 22 §4: a backup of the embedded PostgreSQL 14 restored, with default options, onto a freshly initdb'd
 * Debian PostgreSQL 15 cluster (run as the OS user postgres via runuser, trust auth on 127.0.0.1).
 */
class FreshClusterRestoreTest {

    static PgServer pg;
    static DebianCluster cluster;
    static int port;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (for runuser -u postgres)");
        pg = PgServer.start();
        cluster = DebianCluster.initdb();
        port = cluster.port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static Connection fresh(String db) throws SQLException {
        return cluster.connect(db);
    }

    static List<String> query(String db, String sql) throws SQLException {
        return cluster.query(db, sql);
    }

    @Test
    void restoreOntoAFreshlyInitdbdClusterWithDefaultOptionsCreatesTheMissingRolesAndLeavesExistingOnesAlone()
            throws Exception {
        pg.exec("postgres", "CREATE ROLE app_owner NOLOGIN", "CREATE ROLE app_reader NOLOGIN",
                "CREATE ROLE app_rw LOGIN PASSWORD 'rw-Pw-2' IN ROLE app_reader",
                "ALTER ROLE app_rw SET work_mem = '8MB'", "COMMENT ON ROLE app_owner IS 'owns the ledger'",
                "CREATE DATABASE ledger OWNER app_owner",
                "ALTER ROLE app_rw IN DATABASE ledger SET statement_timeout = '9s'",
                "REVOKE CONNECT ON DATABASE ledger FROM PUBLIC", "GRANT CONNECT ON DATABASE ledger TO app_rw");
        pg.exec("ledger", "CREATE SCHEMA acct AUTHORIZATION app_owner",
                "CREATE TABLE acct.entries (id int PRIMARY KEY, amount numeric)", "ALTER TABLE acct.entries OWNER TO app_owner",
                "INSERT INTO acct.entries SELECT i, i * 1.5 FROM generate_series(1, 250) i",
                "GRANT USAGE ON SCHEMA acct TO app_reader", "GRANT SELECT ON acct.entries TO app_reader");
        // the target already has app_reader, differently: it must stay as it is
        try (Connection c = fresh("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE app_reader NOLOGIN CREATEDB");
        }
        PostgresSource source = pg.source("ledger").build();
        DirectoryBackupContext b = DirectoryBackupContext.in(Files.createDirectories(tmp.resolve("b")))
                .sourceName("postgres").backupId("20261202T042000Z-fresh");
        source.backup(b);
        assertThat(b.committedStreams()).containsKeys("db", "database", "globals");
        assertThat(Files.readString(b.streamFile("globals"))).contains("CREATE ROLE app_rw").doesNotContain("SCRAM-SHA-256");

        RestoreOutcome out = source.restore(b.restoreContext(), PostgresTarget.newDatabase("ledger")
                .on("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", (String) null));

        assertThat(out.checks()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
        assertThat(out.facts().get("roles_created")).asString().contains("app_owner").contains("app_rw")
                .doesNotContain("app_reader");
        assertThat(query("ledger", "select count(*) from acct.entries")).containsExactly("250");
        assertThat(query("postgres", "select pg_get_userbyid(datdba) from pg_database where datname = 'ledger'"))
                .containsExactly("app_owner");
        assertThat(query("ledger", "select tableowner from pg_tables where tablename = 'entries'")).containsExactly("app_owner");
        assertThat(query("postgres", "select rolcreatedb::text from pg_roles where rolname = 'app_reader'"))
                .containsExactly("true");
        assertThat(query("postgres", "select pg_has_role('app_rw', 'app_reader', 'MEMBER')::text")).containsExactly("true");
        assertThat(query("postgres", "select array_to_string(setconfig, ',') from pg_db_role_setting s join pg_roles r"
                + " on r.oid = s.setrole where r.rolname = 'app_rw' order by s.setdatabase"))
                .containsExactly("work_mem=8MB", "statement_timeout=9s");
        assertThat(query("postgres", "select shobj_description(oid, 'pg_authid') from pg_roles where rolname = 'app_owner'"))
                .containsExactly("owns the ledger");
        assertThat(query("ledger", "select has_table_privilege('app_rw', 'acct.entries', 'SELECT')::text"))
                .containsExactly("true");
    }
}
