package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.micrometer.BackupMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The health indicator, the backups endpoint and the Micrometer wiring, in real application contexts. */
class BackupActuatorTest {

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void healthIsUnknownBeforeTheFirstBackupUpAfterASuccessDownWhenTheNextFailsAndUpAgainAfterASuccess() {
        StarterFixture f = new StarterFixture(tmp);
        f.runner().run(ctx -> {
            BackupEngine engine = ctx.getBean(BackupEngine.class);
            BackupHealthIndicator health = ctx.getBean(BackupHealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UNKNOWN);

            String first = engine.backup("config").run().id();
            Health up = health.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            Map<String, Object> config = (Map<String, Object>) ((Map<String, Object>) up.getDetails().get("sources")).get("config");
            assertThat(config).containsEntry("status", "UP").containsEntry("lastBackupId", first).containsKey("lastSuccess");

            deleteRecursively(f.data);
            assertThatThrownBy(() -> engine.backup("config").run()).isInstanceOf(BackupException.class);
            Health down = health.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            config = (Map<String, Object>) ((Map<String, Object>) down.getDetails().get("sources")).get("config");
            assertThat(config).containsEntry("status", "DOWN").containsEntry("failuresSinceLastSuccess", 1)
                    .containsEntry("lastBackupId", first).containsKey("lastFailureCode");

            new StarterFixture(tmp); // the directory is back
            engine.backup("config").run();
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRestartedServiceShowsTheLastSuccessFromTheRepository() {
        StarterFixture f = new StarterFixture(tmp);
        String[] id = new String[1];
        f.runner().run(ctx -> id[0] = ctx.getBean(BackupEngine.class).backup("config").run().id());
        f.runner().run(ctx -> {
            Health h = ctx.getBean(BackupHealthIndicator.class).health();
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat((Map<String, Object>) ((Map<String, Object>) h.getDetails().get("sources")).get("config"))
                    .containsEntry("lastBackupId", id[0]);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLastSuccessOlderThanTheRpoIsShownButStaysUp() {
        StarterFixture f = new StarterFixture(tmp);
        Clock twoDaysLater = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
        f.runner().withBean(Clock.class, () -> twoDaysLater).run(ctx -> {
            ctx.getBean(BackupEngine.class).backup("config").run();
            Health h = ctx.getBean(BackupHealthIndicator.class).health();
            assertThat(h.getStatus()).isEqualTo(Status.UP);
            assertThat((Map<String, Object>) ((Map<String, Object>) h.getDetails().get("sources")).get("config"))
                    .containsEntry("rpo", "PT24H").containsEntry("rpoExceeded", true);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBaseBackupOlderThanTheRpoIsNotExceededWhileTheWalArchiveLagIsWithinIt() throws Exception {
        StarterFixture f = new StarterFixture(tmp);
        com.eazepay.backup.age.AgeEncryption age = com.eazepay.backup.age.AgeEncryption.toRecipients(f.recipient());
        com.eazepay.backup.storage.FileSystemStorage repo = com.eazepay.backup.storage.FileSystemStorage.at(f.repository);
        // a committed 'pg' backup two days old: what the daily base backup left (no server needed to read it back)
        try (BackupEngine old = com.eazepay.backup.Backup.engine().repository(repo).encryption(age)
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(-2)))
                .source(new StandInBaseSource())
                .build()) {
            old.backup("pg").run();
        }
        var runner = f.runner().withPropertyValues("eazepay.backup.sources.pg.type=postgres-base",
                "eazepay.backup.sources.pg.host=127.0.0.1", "eazepay.backup.sources.pg.walSource=pg",
                "eazepay.backup.sources.pg.objectives.rpo=1h");
        runner.run(ctx -> assertThat((Map<String, Object>) ((Map<String, Object>) ctx.getBean(BackupHealthIndicator.class)
                .health().getDetails().get("sources")).get("pg"))
                .containsEntry("rpo", "PT1H").containsEntry("rpoExceeded", true).doesNotContainKey("archiveLag"));

        Path segment = Files.createDirectories(tmp.resolve("pg_wal")).resolve("000000010000000000000003");
        Files.write(segment, new byte[16 * 1024 * 1024]);
        com.eazepay.backup.postgres.WalArchive.builder().repository(repo).source("pg").encryption(age).tempDirectory(tmp)
                .build().push(segment);
        runner.run(ctx -> {
            Health h = ctx.getBean(BackupHealthIndicator.class).health();
            assertThat((Map<String, Object>) ((Map<String, Object>) h.getDetails().get("sources")).get("pg"))
                    .containsEntry("status", "UP").containsEntry("rpoExceeded", false).containsKey("archiveLag");
        });
    }

    /** Stands in for a base backup's source when writing one (a real one needs a server); never restored. */
    private static final class StandInBaseSource implements com.eazepay.backup.spi.BackupSource {
        @Override
        public String name() {
            return "pg";
        }

        @Override
        public String type() {
            return "postgres-base";
        }

        @Override
        public void backup(com.eazepay.backup.spi.BackupContext context) {
            try (java.io.OutputStream out = context.newStream("base", "tar")) {
                out.write(new byte[] {1, 2, 3});
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public com.eazepay.backup.spi.RestoreOutcome restore(com.eazepay.backup.spi.RestoreContext context,
                                                             com.eazepay.backup.spi.RestoreTarget target) {
            throw new UnsupportedOperationException("stand-in: never restored");
        }
    }

    @Test
    void theEndpointIsOnlyThereWhenExposed() {
        new StarterFixture(tmp).runner().run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BackupsEndpoint.class));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointListsSourcesAndTakesABackupReturningItsResult() {
        new StarterFixture(tmp).runner().withPropertyValues("management.endpoints.web.exposure.include=health,backups").run(ctx -> {
            BackupsEndpoint endpoint = ctx.getBean(BackupsEndpoint.class);
            Map<String, Object> before = (Map<String, Object>) ((Map<String, Object>) endpoint.sources().get("sources")).get("config");
            assertThat(before).containsEntry("type", "files").containsEntry("status", "NEVER_BACKED_UP").containsEntry("rpo", "PT24H");

            WebEndpointResponse<Map<String, Object>> taken = endpoint.backup("config", "pre-deploy");
            assertThat(taken.getStatus()).isEqualTo(200);
            assertThat(taken.getBody()).containsEntry("outcome", "succeeded").containsKey("id");
            String id = (String) taken.getBody().get("id");

            Map<String, Object> after = (Map<String, Object>) ((Map<String, Object>) endpoint.sources().get("sources")).get("config");
            assertThat(after).containsEntry("status", "OK").containsEntry("lastBackupId", id);
            WebEndpointResponse<Map<String, Object>> one = endpoint.source("config");
            List<Map<String, Object>> backups = (List<Map<String, Object>>) one.getBody().get("backups");
            assertThat(backups).singleElement().satisfies(b -> {
                assertThat(b).containsEntry("id", id);
                assertThat((Iterable<String>) b.get("tags")).containsExactly("pre-deploy");
            });
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointAnswersAFailedBackupWith500AndItsErrorCodeAndAnUnknownSourceWith404() {
        StarterFixture f = new StarterFixture(tmp);
        f.runner().withPropertyValues("management.endpoints.web.exposure.include=backups").run(ctx -> {
            BackupsEndpoint endpoint = ctx.getBean(BackupsEndpoint.class);
            assertThat(endpoint.backup("nope", null).getStatus()).isEqualTo(404);
            assertThat(endpoint.source("nope").getStatus()).isEqualTo(404);

            deleteRecursively(f.data);
            WebEndpointResponse<Map<String, Object>> failed = endpoint.backup("config", null);
            assertThat(failed.getStatus()).isEqualTo(500);
            assertThat(failed.getBody()).containsEntry("outcome", "failed").containsKey("errorCode").doesNotContainKey("id");
            Map<String, Object> status = (Map<String, Object>) ((Map<String, Object>) endpoint.sources().get("sources")).get("config");
            assertThat(status).containsEntry("status", "FAILING").containsEntry("failuresSinceLastSuccess", 1);
        });
    }

    @Test
    void metricsAreRegisteredWhenTheApplicationHasAMeterRegistry() {
        new StarterFixture(tmp).runner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(BackupMetrics.class);
                    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                    assertThat(registry.get(BackupMetrics.OBJECTIVE_RPO).tag("source", "config").gauge().value()).isEqualTo(86400.0);

                    ctx.getBean(BackupEngine.class).backup("config").run();

                    assertThat(registry.get(BackupMetrics.SUCCESS).tag("source", "config").functionCounter().count()).isEqualTo(1.0);
                    assertThat(registry.get(BackupMetrics.JOB_FAILURE_COUNT).tag("source", "config").gauge().value()).isZero();
                    assertThat(registry.get(BackupMetrics.LAST_SUCCESS).tag("source", "config").gauge().value()).isPositive();
                });
    }

    @Test
    void noBackupMetricsWithoutAMeterRegistry() {
        new StarterFixture(tmp).runner().run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BackupMetrics.class));
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
