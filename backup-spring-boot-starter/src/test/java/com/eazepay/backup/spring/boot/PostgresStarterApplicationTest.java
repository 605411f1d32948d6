package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.micrometer.BackupMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application whose only backup wiring is properties and its {@code DataSource} (an embedded
 * PostgreSQL 15 with password authentication, given as {@code spring.datasource.*}): the auto-configured
 * engine backs the database up with the machine's {@code pg_dump}, the metrics appear in the application's
 * {@link MeterRegistry} and {@code /actuator/health/backups} is UP.
 */
@SpringBootTest(classes = PostgresStarterApplicationTest.App.class, properties = {
        "eazepay.backup.repository.type=filesystem",
        "eazepay.backup.sources.db.type=postgres",
        "eazepay.backup.sources.db.retention.keep-daily=7",
        "eazepay.backup.sources.db.objectives.rpo=24h",
        "management.endpoint.health.show-details=always",
        "management.endpoints.web.exposure.include=health,backups"})
class PostgresStarterApplicationTest {

    static final String USER = "payments";
    static final String PASSWORD = "Pw-8c1f-embedded";
    private static final EmbeddedPostgres PG = start();
    private static final Path REPOSITORY = tempDir();

    /** A PostgreSQL application: the MongoDB driver is on this module's test classpath only as the starter's optional dependency. */
    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.mongo.MongoDataAutoConfiguration"})
    static class App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + PG.getPort() + "/postgres");
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
        registry.add("eazepay.backup.repository.path", REPOSITORY::toString);
        registry.add("eazepay.backup.encryption.recipients", () -> AgeKeys.generate().recipient().toString());
    }

    @Autowired
    BackupEngine engine;
    @Autowired
    DataSource dataSource;
    @Autowired
    MeterRegistry registry;
    @Autowired
    HealthEndpoint health;

    @AfterAll
    static void stop() throws IOException {
        PG.close();
    }

    @Test
    void theApplicationsDatabaseIsBackedUpWithMetricsAndHealthUp() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS payments (id bigint PRIMARY KEY, amount numeric)");
            st.execute("INSERT INTO payments SELECT g, g * 1.5 FROM generate_series(1, 500) g ON CONFLICT DO NOTHING");
        }
        HealthComponent before = health.healthForPath("backups");
        assertThat(before.getStatus()).isEqualTo(Status.UNKNOWN);

        BackupResult result = engine.backup("db").run();

        Manifest m = engine.manifest("db", result.id());
        assertThat(m.sourceType()).isEqualTo("postgres");
        assertThat(result.storedBytes()).isPositive();
        String manifestText = Files.readString(REPOSITORY.resolve("db").resolve(result.id()).resolve("manifest.json"),
                StandardCharsets.UTF_8);
        assertThat(manifestText).contains("payments").doesNotContain(PASSWORD);

        assertThat(registry.get(BackupMetrics.SUCCESS).tag("source", "db").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get(BackupMetrics.SIZE).tag("source", "db").gauge().value()).isEqualTo(result.storedBytes());
        assertThat(registry.get(BackupMetrics.OBJECTIVE_RPO).tag("source", "db").gauge().value()).isEqualTo(86400.0);

        HealthComponent after = health.healthForPath("backups");
        assertThat(after.getStatus()).isEqualTo(Status.UP);
    }

    static EmbeddedPostgres start() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath()))
                    .start();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + USER + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
            }
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trust for the superuser that sets the server up; a password for the application's role. */
    private static void writeHba(Path dir) {
        try {
            Files.writeString(dir.resolve("pg_hba.conf"), String.join("\n",
                    "local all postgres trust",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "local all all scram-sha-256",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("starter-pg-repo");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
