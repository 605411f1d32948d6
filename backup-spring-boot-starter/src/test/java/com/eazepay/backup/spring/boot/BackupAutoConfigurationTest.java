package com.eazepay.backup.spring.boot;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Conditions and property binding of the auto-configuration, in real application contexts. */
class BackupAutoConfigurationTest {

    @TempDir
    Path tmp;

    @Test
    void noEngineWhenNoRepositoryTypeIsSet() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BackupAutoConfiguration.class))
                .withPropertyValues("eazepay.backup.sources.config.type=files")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BackupEngine.class).doesNotHaveBean(BackupConfig.class));
    }

    @Test
    void enabledFalseTurnsTheAutoConfigurationOff() {
        new StarterFixture(tmp).runner().withPropertyValues("eazepay.backup.enabled=false")
                .run(ctx -> assertThat(ctx).hasNotFailed().doesNotHaveBean(BackupEngine.class));
    }

    @Test
    void filesSourceFromPropertiesIsBackedUpAgeEncryptedIntoTheFilesystemRepository() {
        StarterFixture f = new StarterFixture(tmp);
        f.runner().run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(BackupEngine.class).hasSingleBean(BackupStatus.class);
            BackupConfig config = ctx.getBean(BackupConfig.class);
            assertThat(config.sources()).containsOnlyKeys("config");
            assertThat(config.source("config").type()).isEqualTo("files");
            assertThat(config.source("config").objectives().rpo()).isEqualTo(Duration.ofHours(24));
            assertThat(config.source("config").retention()).isNotNull();
            assertThat(config.source("config").retention().toString()).contains("7").contains("4");

            BackupResult r = ctx.getBean(BackupEngine.class).backup("config").run();

            Manifest m = ctx.getBean(BackupEngine.class).manifest("config", r.id());
            assertThat(m.encryption().id()).isEqualTo("age");
            assertThat(Files.exists(f.repository.resolve("config").resolve(r.id()).resolve("manifest.json"))).isTrue();
        });
        // the repository the starter wrote is readable by a plain engine holding the private key
        try (BackupEngine plain = Backup.engine().repository(FileSystemStorage.at(f.repository))
                .encryption(AgeEncryption.toRecipients(f.recipient()))
                .source(FilesSource.builder("config").directory(f.data).build()).build()) {
            assertThat(plain.list("config")).hasSize(1);
        }
    }

    @Test
    void aMisspeltSettingFailsStartupNamingTheProperty() {
        new StarterFixture(tmp).runner().withPropertyValues("eazepay.backup.sources.config.retention.keep-daly=7")
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    Throwable cause = rootCause(ctx.getStartupFailure());
                    assertThat(cause).isInstanceOf(BackupException.class);
                    assertThat(((BackupException) cause).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    assertThat(cause.getMessage()).contains("eazepay.backup.sources.config.retention.keep-daly")
                            .contains("unknown setting");
                });
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BackupAutoConfiguration.class))
                .withPropertyValues("eazepay.backup.repository.type=filesystem",
                        "eazepay.backup.sources.db.type=files",
                        "eazepay.backup.sources.db.retention.keep-daily=seven")
                .run(ctx -> {
                    assertThat(ctx).hasFailed();
                    String message = rootCause(ctx.getStartupFailure()).getMessage();
                    assertThat(message).contains("problems").contains("path").contains("encryption")
                            .contains("eazepay.backup.sources.db: 'paths' is required")
                            .contains("eazepay.backup.sources.db.retention.keep-daily: expected a whole number")
                            // inline properties have no line: the property source is named instead
                            .contains("property source \"test\"");
                });
    }

    @Test
    void anEngineTheApplicationDefinesWins() {
        StarterFixture f = new StarterFixture(tmp);
        f.runner().withBean("myEngine", BackupEngine.class, () -> Backup.engine()
                        .repository(FileSystemStorage.at(tmp.resolve("other")))
                        .encryption(AgeEncryption.toRecipients(f.recipient()))
                        .source(FilesSource.builder("mine").directory(f.data).build()).build())
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed().hasSingleBean(BackupEngine.class);
                    assertThat(ctx.getBean(BackupEngine.class).sourceNames()).containsExactly("mine");
                });
    }

    @Test
    void theEngineIsClosedWithTheContext() {
        BackupEngine[] engine = new BackupEngine[1];
        new StarterFixture(tmp).runner().run(ctx -> engine[0] = ctx.getBean(BackupEngine.class));
        assertThatThrownBy(() -> engine[0].backup("config").run()).isInstanceOf(BackupException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aPostgresSourceWithoutConnectionSettingsTakesTheApplicationsDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:5999/payments");
        ds.setUser("payments_app");
        ds.setPassword("ds-Pw-31c9");
        new StarterFixture(tmp).runner()
                .withBean(DataSource.class, () -> ds)
                .withPropertyValues("eazepay.backup.sources.db.type=postgres")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    BackupConfig config = ctx.getBean(BackupConfig.class);
                    var settings = config.source("db").settings();
                    assertThat(settings.get("jdbcUrl").orElseThrow().asSecret().reveal())
                            .isEqualTo("jdbc:postgresql://127.0.0.1:5999/payments");
                    assertThat(settings.string("user")).isEqualTo("payments_app");
                    assertThat(settings.get("password").orElseThrow().asSecret().reveal()).isEqualTo("ds-Pw-31c9");
                    // the password is never shown, even in the redacted configuration
                    assertThat(config.redacted()).doesNotContain("ds-Pw-31c9").contains("db");
                    assertThat(ctx.getBean(BackupEngine.class).sourceNames()).contains("db", "config");
                });
    }

    @Test
    void aPostgresSourceWithItsOwnConnectionIgnoresTheDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:5999/payments");
        ds.setUser("payments_app");
        new StarterFixture(tmp).runner()
                .withBean(DataSource.class, () -> ds)
                .withPropertyValues("eazepay.backup.sources.db.type=postgres",
                        "eazepay.backup.sources.db.host=reporting.internal",
                        "eazepay.backup.sources.db.database=reports",
                        "eazepay.backup.sources.db.user=backup")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    var settings = ctx.getBean(BackupConfig.class).source("db").settings();
                    assertThat(settings.has("jdbcUrl")).isFalse();
                    assertThat(settings.string("host")).isEqualTo("reporting.internal");
                    assertThat(settings.string("user")).isEqualTo("backup");
                });
    }

    @Test
    void aDataSourceOfAnotherDatabaseIsNotUsedForAPostgresSource() {
        StarterFixture f = new StarterFixture(tmp);
        f.runner()
                .withBean(DataSource.class, () -> new org.springframework.jdbc.datasource.SimpleDriverDataSource())
                .withPropertyValues("eazepay.backup.sources.db.type=postgres")
                .run(ctx -> {
                    // nothing to connect to: the source's own settings are missing, and the model says so
                    assertThat(ctx).hasFailed();
                    assertThat(rootCause(ctx.getStartupFailure())).isInstanceOf(BackupException.class)
                            .hasMessageContaining("no database");
                });
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && !(c instanceof BackupException)) {
            c = c.getCause();
        }
        return c;
    }

    @Test
    void aHikariDataSourceGivesItsUrlUserAndPassword() {
        com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource();
        ds.setJdbcUrl("jdbc:postgresql://db.internal:5432/payments?sslmode=require");
        ds.setUsername("payments_app");
        ds.setPassword("hikari-Pw-9e2b");
        new StarterFixture(tmp).runner()
                .withBean(DataSource.class, () -> ds)
                .withPropertyValues("eazepay.backup.sources.db.type=postgres")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    var settings = ctx.getBean(BackupConfig.class).source("db").settings();
                    assertThat(settings.get("jdbcUrl").orElseThrow().asSecret().reveal())
                            .isEqualTo("jdbc:postgresql://db.internal:5432/payments?sslmode=require");
                    assertThat(settings.string("user")).isEqualTo("payments_app");
                    assertThat(settings.get("password").orElseThrow().asSecret().reveal()).isEqualTo("hikari-Pw-9e2b");
                });
        ds.close();
    }

    @Test
    void aMongoSourceWithoutConnectionSettingsTakesTheApplicationsMongoConnectionString() {
        new StarterFixture(tmp).runner()
                .withBean(org.springframework.boot.autoconfigure.mongo.MongoConnectionDetails.class,
                        () -> () -> new com.mongodb.ConnectionString("mongodb://app:mongo-Pw-1a7c@mongo.internal:27017/payments"))
                .withPropertyValues("eazepay.backup.sources.events.type=mongo")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    BackupConfig config = ctx.getBean(BackupConfig.class);
                    assertThat(config.source("events").settings().get("connectionString").orElseThrow().asSecret().reveal())
                            .isEqualTo("mongodb://app:mongo-Pw-1a7c@mongo.internal:27017/payments");
                    assertThat(config.redacted()).doesNotContain("mongo-Pw-1a7c");
                });
    }

    @Test
    void aRedisSourceWithoutConnectionSettingsTakesTheApplicationsRedisConnection() {
        org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails details =
                new org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails() {
                    @Override
                    public String getUsername() {
                        return "cache";
                    }

                    @Override
                    public String getPassword() {
                        return "redis-Pw-44d0";
                    }

                    @Override
                    public Standalone getStandalone() {
                        return Standalone.of("redis.internal", 6380);
                    }
                };
        new StarterFixture(tmp).runner()
                .withBean(org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails.class, () -> details)
                .withPropertyValues("eazepay.backup.sources.sessions.type=redis")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    BackupConfig config = ctx.getBean(BackupConfig.class);
                    var settings = config.source("sessions").settings();
                    assertThat(settings.string("host")).isEqualTo("redis.internal");
                    assertThat(settings.optInt("port")).contains(6380);
                    assertThat(settings.string("user")).isEqualTo("cache");
                    assertThat(settings.get("password").orElseThrow().asSecret().reveal()).isEqualTo("redis-Pw-44d0");
                    assertThat(config.redacted()).doesNotContain("redis-Pw-44d0");
                });
    }
}
