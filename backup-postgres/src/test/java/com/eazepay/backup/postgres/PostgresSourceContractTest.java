package com.eazepay.backup.postgres;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PostgresSource} passes the source contract against embedded PostgreSQL with password authentication
 * (the machine's pg_dump/pg_restore), restoring into a new database on the same server.
 */
class PostgresSourceContractTest extends SourceContract {

    static PgServer pg;
    static int restores;
    static String lastDatabase;

    @BeforeAll
    static void start() {
        pg = PgServer.start();
        pg.exec("postgres", "CREATE DATABASE shop");
        pg.exec("shop", "CREATE TABLE payments (id bigint primary key, amount numeric(12,2) not null, note text)",
                "INSERT INTO payments SELECT g, g * 1.25, 'payment ' || g FROM generate_series(1, 300) g");
    }

    @AfterAll
    static void stop() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected BackupSource newSource(String name) {
        return PostgresSource.builder().name(name).jdbcUrl(pg.jdbcUrl("shop")).user(PgServer.USER).password(PgServer.PASSWORD).build();
    }

    @Override
    protected String fixtureSecret() {
        return PgServer.PASSWORD;
    }

    @Override
    protected RestoreTarget newTarget() {
        lastDatabase = "contract_restore_" + (++restores);
        return PostgresTarget.newDatabase(lastDatabase);
    }

    @Override
    protected void assertRestored(RestoreTarget target) {
        assertThat(pg.queryLong(lastDatabase, "select count(*) from payments")).isEqualTo(300);
        assertThat(pg.queryString(lastDatabase, "select note || ':' || amount from payments where id = 7")).isEqualTo("payment 7:8.75");
    }

    @Override
    protected boolean expectedSensitive() {
        return true;
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("PostgresTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return PostgresSource.builder().name(name).jdbcUrl("jdbc:postgresql://127.0.0.1:" + closed + "/shop")
                .user(PgServer.USER).password(secret).build();
    }
}
