package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.Scheduler;
import com.eazepay.backup.Trigger;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 18's "done when": an application with only properties and a {@code DataSource} (embedded PostgreSQL 15)
 * takes a <em>scheduled</em> backup and exposes metrics and health. The schedule's latest slot (1 January) was
 * missed, so the scheduler catches it up once; the test drives it with {@code runDue()} (the started scheduler
 * is turned off here so that the run is the test's, not a race with the scheduler thread).
 */
@SpringBootTest(classes = PostgresScheduledStarterApplicationTest.App.class, properties = {
        "eazepay.backup.repository.type=filesystem",
        "eazepay.backup.sources.db.type=postgres",
        "eazepay.backup.sources.db.schedule=0 0 1 1 *",
        "eazepay.backup.sources.db.objectives.rpo=400d",
        "eazepay.backup.scheduler.enabled=false",
        "management.endpoint.health.show-details=always",
        "management.endpoints.web.exposure.include=health,backups"})
class PostgresScheduledStarterApplicationTest {

    private static final EmbeddedPostgres PG = PostgresStarterApplicationTest.start();
    private static final Path REPOSITORY = PostgresStarterApplicationTest.tempDir();

    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.mongo.MongoDataAutoConfiguration"})
    static class App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://127.0.0.1:" + PG.getPort() + "/postgres");
        registry.add("spring.datasource.username", () -> PostgresStarterApplicationTest.USER);
        registry.add("spring.datasource.password", () -> PostgresStarterApplicationTest.PASSWORD);
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
    void aScheduledBackupOfTheApplicationsDatabaseFromPropertiesOnlyWithMetricsAndHealth() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS ledger (id bigint PRIMARY KEY, amount numeric)");
            st.execute("INSERT INTO ledger SELECT g, g * 2.5 FROM generate_series(1, 300) g ON CONFLICT DO NOTHING");
        }
        assertThat(health.healthForPath("backups").getStatus()).isEqualTo(Status.UNKNOWN);

        List<Scheduler.SlotRun> runs = engine.scheduler().runDue();

        assertThat(runs).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("backup-db");
            assertThat(r.catchUp()).isTrue();
            assertThat(r.outcome()).as(r.toString()).isEqualTo(Scheduler.Outcome.SUCCEEDED);
        });
        List<Manifest> backups = engine.list("db");
        assertThat(backups).singleElement().satisfies(m -> {
            assertThat(m.trigger()).isEqualTo(Trigger.SCHEDULED.id());
            assertThat(m.sourceType()).isEqualTo("postgres");
        });
        assertThat(engine.scheduler().runDue()).as("the slot runs once").isEmpty();

        assertThat(registry.get(BackupMetrics.SUCCESS).tag("source", "db").functionCounter().count()).isEqualTo(1.0);
        assertThat(registry.get(BackupMetrics.SCHEDULE_RPO).tag("source", "db").gauge().value()).isPositive();
        HealthComponent after = health.healthForPath("backups");
        assertThat(after.getStatus()).isEqualTo(Status.UP);
        assertThat(engine.status().source("db").orElseThrow().lastSuccessId()).isEqualTo(backups.get(0).id());
    }
}
