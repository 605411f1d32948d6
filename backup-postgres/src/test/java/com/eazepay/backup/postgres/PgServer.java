package com.eazepay.backup.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A throwaway embedded PostgreSQL (one per test class) on 127.0.0.1 with password authentication for
 * the role {@value #USER}; the superuser {@code postgres} keeps trust for test setup.
 */
final class PgServer implements AutoCloseable {

    static final String USER = "app";
    static final String PASSWORD = "s3cr3t-Pw-7f1c2e";
    /** A user whose password is stored as md5 and who must log in with md5 (pg_hba), not scram. */
    static final String MD5_USER = "legacy_md5";
    static final String MD5_PASSWORD = "md5-Pw-41aa0c";

    private final EmbeddedPostgres pg;

    private PgServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    static PgServer start() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()))
                    .setServerConfig("max_prepared_transactions", "5")
                    .start();
            PgServer s = new PgServer(pg);
            s.exec("postgres", "CREATE ROLE " + USER + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
            s.exec("postgres", "SET password_encryption = 'md5'",
                    "CREATE ROLE " + MD5_USER + " LOGIN SUPERUSER PASSWORD '" + MD5_PASSWORD + "'");
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeHba(Path dir) {
        try {
            Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
                    "local all postgres trust",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "host all " + MD5_USER + " 127.0.0.1/32 md5",
                    "local all all scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return pg.getPort();
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + db;
    }

    /** A connection as the superuser {@code postgres}. */
    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), "postgres", "");
    }

    void exec(String db, String... sql) {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long queryLong(String db, String sql) {
        try (Connection c = connect(db); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String queryString(String db, String sql) {
        try (Connection c = connect(db); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean databaseExists(String db) {
        return queryLong("postgres", "select count(*) from pg_database where datname = '" + db + "'") == 1;
    }

    /** A source on {@code db} as the password-authenticated user. */
    PostgresSource.Builder source(String db) {
        return PostgresSource.builder().name("postgres").jdbcUrl(jdbcUrl(db)).user(USER).password(PASSWORD);
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
