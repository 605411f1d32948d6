package com.eazepay.backup.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code config check} (and every command) on broken files: exit 2, each problem with its line and column, no secret echoed. */
class CliBadConfigurationIT {

    private static final String PASSWORD = "Lit3ral-pw-in-a-broken-file";

    @TempDir
    Path dir;

    private Cli.Result check(String yaml) throws IOException {
        Files.writeString(dir.resolve("backup.yml"), yaml);
        Cli.Result r = new Cli(dir, Map.of()).expect(2, "config", "check");
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).doesNotContain(PASSWORD);
        return r;
    }

    @Test
    void invalidYamlNamesTheLineAndColumnWithoutQuotingTheLine() throws IOException {
        Cli.Result r = check("""
                repository:
                  type: filesystem
                  path: /tmp/x
                sources:
                  db:
                    type: postgres
                    password: "%s
                    host: db
                """.formatted(PASSWORD));
        assertThat(r.err()).startsWith("error: INVALID_CONFIGURATION: backup.yml line ").contains("column").contains("not valid YAML");
    }

    @Test
    void misspelledSettingsAndWrongValuesAreAllListedWithLineAndColumn() throws IOException {
        Cli.Result r = check("""
                repository:
                  type: filesystem
                  path: /tmp/x
                encryption:
                  none: true
                allowUnencryptedSensitiveData: true
                sources:
                  db:
                    type: postgres
                    host: db
                    database: payments
                    port: fivefourthreetwo
                    pasword: %s
                    retention:
                      keepDaily: 7
                      keepWeeky: 4
                """.formatted(PASSWORD));
        assertThat(r.err())
                .contains("backup.yml line 12, column 11: sources.db.port: expected a whole number, found 'fivefourthreetwo'")
                .contains("backup.yml line 16, column 18: sources.db.retention.keepWeeky: unknown setting");
    }

    @Test
    void anUnknownTypeNamesTheArtifactToAdd() throws IOException {
        Cli.Result r = check("""
                repository:
                  type: azure
                  container: backups
                encryption: {none: true}
                sources:
                  cluster:
                    type: kubernetes
                    namespace: payments
                """);
        assertThat(r.err())
                .contains("backup.yml line 2, column 9: repository.type: unknown storage type 'azure'; types found: [filesystem, gcs, s3]")
                .contains("backup.yml line 7, column 11: sources.cluster.type: unknown source type 'kubernetes': add "
                        + "com.eazepay.backup:backup-kubernetes")
                .contains("types found: [command, files, mongo, postgres, postgres-base, redis]");
    }

    @Test
    void aMissingSecretNamesTheVariableAndLine() throws IOException {
        Cli.Result r = check("""
                repository: {type: filesystem, path: /tmp/x}
                encryption: {none: true}
                allowUnencryptedSensitiveData: true
                sources:
                  db:
                    type: postgres
                    database: payments
                    password: ${PG_PASSWORD_NOT_SET}
                """);
        assertThat(r.err()).contains("backup.yml line 8, column 15: sources.db.password: environment variable "
                + "PG_PASSWORD_NOT_SET is not set");
    }

    @Test
    void theEnginesOwnChecksAreUsageErrorsToo() throws IOException {
        Cli.Result r = check("""
                repository: {type: filesystem, path: /tmp/x}
                encryption: {none: true}
                sources:
                  db:
                    type: postgres
                    database: payments
                    password: %s
                """.formatted(PASSWORD));
        assertThat(r.err()).contains("hold sensitive data and encryption is none");
    }
}
