package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real PostgreSQL round trip through the jar: embedded PostgreSQL (as backup-postgres tests use) with
 * the machine's {@code pg_dump}/{@code pg_restore}; the password reaches the tools only through the
 * configuration's {@code ${PGPASS_FOR_TEST}} and appears in no output.
 */
class CliPostgresRoundTripIT {

    private static final String USER = "app";
    private static final String PASSWORD = "Pg-s3cr3t-91xQ-never-printed";
    private static EmbeddedPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder()
                .setDataDirectoryCustomizer(d -> {
                    try {
                        Files.writeString(d.toPath().resolve("pg_hba.conf"), String.join("\n",
                                "local all postgres trust", "host all postgres 127.0.0.1/32 trust",
                                "local all all scram-sha-256", "host all all 127.0.0.1/32 scram-sha-256", ""));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .start();
        exec("postgres", "CREATE ROLE " + USER + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'", "CREATE DATABASE payments OWNER " + USER);
        exec("payments", "CREATE TABLE payment (id bigint primary key, amount numeric(12,2) not null, note text)",
                "INSERT INTO payment SELECT g, g * 1.25, 'row ' || g FROM generate_series(1, 2500) g");
    }

    @AfterAll
    static void stop() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    private static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db, "postgres", "");
    }

    private static void exec(String db, String... sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static long count(String db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) + coalesce(sum(amount), 0) FROM payment")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String config(Path repo, Path key, String recipient) {
        return """
                repository:
                  type: filesystem
                  path: %s
                encryption:
                  recipients: [%s]
                  identityFile: %s
                sources:
                  db:
                    type: postgres
                    host: 127.0.0.1
                    port: %d
                    database: payments
                    user: %s
                    password: ${PGPASS_FOR_TEST}
                    retention: {keepLast: 1}
                """.formatted(repo, recipient, key, pg.getPort(), USER);
    }

    @Test
    void backupListVerifyRestorePruneCopyAndRestoreFromTheCopyOnANewHost() throws Exception {
        Path host = Files.createDirectories(dir.resolve("host"));
        Cli cli = new Cli(host, Map.of("PGPASS_FOR_TEST", PASSWORD));
        String recipient = cli.expect(0, "keys", "generate", "--out", "key.txt").out().lines()
                .filter(l -> l.startsWith("age1")).findFirst().orElseThrow();
        Files.writeString(host.resolve("backup.yml"), config(host.resolve("repo"), host.resolve("key.txt"), recipient));
        long expected = count("payments");

        cli.expect(0, "config", "check");
        cli.expect(0, "backup", "db", "--tag", "pre-deploy");
        String id = cli.expect(0, "backup", "--json").json().get("succeeded").get(0).get("id").asText();
        JsonNode list = cli.expect(0, "list", "db", "--json").json();
        assertThat(list).hasSize(2);
        assertThat(list.get(1).get("sourceType").asText()).isEqualTo("postgres");
        cli.expect(0, "verify", "db");

        Cli.Result restore = cli.expect(0, "restore", "db", "--id", id, "--to", "payments_restored");
        assertThat(restore.out()).contains("restored backup " + id);
        assertThat(count("payments_restored")).isEqualTo(expected);

        assertThat(cli.expect(0, "prune", "--dry-run").out()).contains("remove").contains(list.get(0).get("id").asText());
        assertThat(cli.expect(0, "copy", "--to", "offsite", "--select", "latest").out()).contains("1 copied");

        // a new host: the YAML, the key, the copied repository; the database server is where the data goes
        Path newHost = Files.createDirectories(dir.resolve("new-host"));
        Path repo = Files.move(host.resolve("offsite"), newHost.resolve("repo"));
        Files.copy(host.resolve("key.txt"), newHost.resolve("key.txt"));
        Files.writeString(newHost.resolve("backup.yml"), config(repo, newHost.resolve("key.txt"), recipient));
        Cli dr = new Cli(newHost, Map.of("PGPASS_FOR_TEST", PASSWORD));
        assertThat(dr.expect(0, "list").out()).contains(id).contains("1 backup(s)");
        dr.expect(0, "restore", "db", "--latest", "--to", "payments_dr");
        assertThat(count("payments_dr")).isEqualTo(expected);

        assertThat(cli.transcript() + dr.transcript()).doesNotContain(PASSWORD).doesNotContain("AGE-SECRET-KEY");
    }
}
