package com.eazepay.backup.cli;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.mongo.MongoTarget;
import com.eazepay.backup.postgres.PostgresTarget;
import com.eazepay.backup.redis.RedisTarget;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every plug-in's provider, found through ServiceLoader as in the jar: settings map onto the builders,
 * restore targets follow the type, and no configured secret shows in the printed configuration or in
 * any built component's description. Builds clients without connecting (nothing listens on port 9).
 */
class PluginProvidersTest {

    private static final Map<String, String> ENV = Map.of(
            "AWS_SECRET", "aws-Secret-Key-0001",
            "MONGO_URL", "mongodb://backup:mongo-Pw-0002@127.0.0.1:9/admin",
            "REDIS_URL", "redis://:redis-Pw-0003@127.0.0.1:9",
            "PGPASSWORD", "pg-Pw-0004");

    private static final String YAML = """
            repository:
              type: s3
              bucket: eazepay-backups
              region: eu-west-1
              prefix: production
              endpoint: http://127.0.0.1:9
              pathStyle: true
              accessKeyId: AKIAEXAMPLE
              secretAccessKey: ${AWS_SECRET}
              partSize: 16m
              storageClass: STANDARD_IA
            replicas:
              - type: gcs
                bucket: eazepay-backups-dr
                projectId: test
                host: http://127.0.0.1:9
                storageClass: NEARLINE
            encryption: {recipients: [age1n7rhvfzfped3d5e4pfngudpr8j7a3744a8jcq2z6u74szhddf5qs35rx32]}
            sources:
              db:
                type: postgres
                jdbcUrl: jdbc:postgresql://127.0.0.1:9/payments
                user: backup
                password: ${PGPASSWORD}
                excludeTableData: [audit_log]
                lockWaitTimeout: 2m
              events:
                type: mongo
                connectionString: ${MONGO_URL}
                databases: [payments]
                batchSize: 500
              cache:
                type: redis
                uri: ${REDIS_URL}
                mode: key-dump
                timeout: 30s
            """;

    @Test
    void everyPluginBuildsFromItsSettingsAndNoSecretIsPrinted() {
        try (BackupConfig c = BackupConfig.parse(YAML, "backup.yml", ENV::get)) {
            assertThat(c.repository().describe()).contains("eazepay-backups").contains("production");
            assertThat(c.replicas()).singleElement().satisfies(r -> assertThat(r.describe()).contains("eazepay-backups-dr"));
            assertThat(c.sources().keySet()).containsExactly("db", "events", "cache");
            assertThat(c.source("events").source().type()).isEqualTo("mongo");
            StringBuilder printed = new StringBuilder(c.redacted()).append(c);
            c.sources().values().forEach(s -> printed.append(s.source()));
            printed.append(c.repository().describe()).append(c.replicas().get(0).describe());
            for (String secret : ENV.values()) {
                assertThat(printed.toString()).doesNotContain(secret);
            }
            assertThat(printed.toString()).doesNotContain("mongo-Pw").doesNotContain("redis-Pw");

            assertThat(c.restoreTarget("db", "payments_restored")).isInstanceOf(PostgresTarget.class);
            assertThat(c.restoreTarget("events", "same")).isInstanceOf(MongoTarget.class);
            assertThat(c.restoreTarget("cache", "127.0.0.1:6390").describe()).contains("6390");
            assertThat(c.restoreTarget("cache", "/tmp/dump.rdb")).isInstanceOf(RedisTarget.class);
            assertThat(c.restoreTarget("cache", "/tmp/dump.rdb").describe()).contains("dump.rdb");
        }
    }

    @Test
    void aBadPluginSettingNamesItsLineAndColumn() {
        assertThatThrownBy(() -> BackupConfig.parse(YAML.replace("mode: key-dump", "mode: bogus"), "backup.yml", ENV::get))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("backup.yml line 35, column 11: sources.cache.mode: unknown mode: use replication or key-dump");
        assertThatThrownBy(() -> BackupConfig.parse(YAML.replace("accessKeyId: AKIAEXAMPLE", "accessKeyld: AKIAEXAMPLE"),
                "backup.yml", ENV::get))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("repository: give accessKeyId and secretAccessKey together");
    }

    @Test
    void cloudUrlsOnTheCommandLineFindTheirStorage() {
        try (BackupConfig c = BackupConfig.parse(YAML, "backup.yml", ENV::get)) {
            assertThat(c.storageFromLocation("s3://offsite-bucket/quarterly?region=eu-west-1").describe()).contains("offsite-bucket");
            assertThat(c.storageFromLocation("gs://offsite-bucket/quarterly").describe()).contains("offsite-bucket");
            assertThat(c.storageFromLocation("/mnt/offsite").describe()).contains("/mnt/offsite");
            assertThatThrownBy(() -> c.storageFromLocation("s3://user:pw@bucket/x"))
                    .hasMessageContaining("credentials come from the AWS default chain").hasMessageNotContaining(":pw");
        }
    }
}
