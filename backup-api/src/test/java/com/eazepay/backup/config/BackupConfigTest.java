package com.eazepay.backup.config;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.files.FilesTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupConfigTest {

    @TempDir
    Path dir;

    private static final String PASSWORD = "pw-7Hq2-never-printed";

    private String valid(Path repo, Path data, String recipient) {
        return """
                repository:
                  type: filesystem
                  path: %s
                encryption:
                  recipients: [%s]
                objectives:
                  rpo: 26h
                sources:
                  config:
                    type: files
                    paths: [%s]
                    retention:
                      keepDaily: 7
                      keepMonthly: 12
                    schedule: "0 2 * * *"
                    objectives: {rto: 4h}
                """.formatted(repo, recipient, data);
    }

    private String recipient() {
        return AgeKeys.generate().recipient().encoded();
    }

    private static BackupConfig parse(String yaml, Map<String, String> env) {
        return BackupConfig.parse(yaml, "backup.yml", env::get);
    }

    private static String problem(String yaml, Map<String, String> env) {
        try {
            parse(yaml, env);
        } catch (BackupException e) {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            return e.getMessage();
        }
        throw new AssertionError("the configuration was accepted:\n" + yaml);
    }

    @Test
    void loadsRepositorySourcesRetentionScheduleAndObjectives() {
        BackupConfig c = parse(valid(dir.resolve("repo"), dir.resolve("data"), recipient()), Map.of());
        BackupConfig.SourceEntry s = c.source("config");
        assertThat(s.type()).isEqualTo("files");
        assertThat(s.schedule()).isEqualTo("0 2 * * *");
        assertThat(s.retention().keepDaily()).isEqualTo(7);
        assertThat(s.retention().keepMonthly()).isEqualTo(12);
        assertThat(s.objectives().rpo()).isEqualTo(Duration.ofHours(26)); // the file's default
        assertThat(s.objectives().rto()).isEqualTo(Duration.ofHours(4));  // the source's own
        assertThat(c.repository().describe()).contains(dir.resolve("repo").toString());
        try (BackupEngine engine = c.engine()) {
            assertThat(engine.sourceNames()).containsExactly("config");
        }
    }

    @Test
    void invalidYamlIsReportedWithLineAndColumn() {
        String yaml = "repository:\n  type: filesystem\n  path: [unclosed\nsources: {}\n";
        assertThat(problem(yaml, Map.of())).startsWith("backup.yml line 4, column").contains("not valid YAML");
    }

    @Test
    void aMisspelledSettingIsReportedWithLineAndColumn() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient()).replace("keepMonthly", "keepMontly");
        assertThat(problem(yaml, Map.of())).contains("backup.yml line 14, column 19: sources.config.retention.keepMontly: "
                + "unknown setting");
    }

    @Test
    void aValueOfTheWrongKindNamesTheSettingLineAndColumn() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient()).replace("keepDaily: 7", "keepDaily: seven");
        assertThat(problem(yaml, Map.of())).isEqualTo("backup.yml line 13, column 18: sources.config.retention.keepDaily: "
                + "expected a whole number, found 'seven'");
        String rpo = valid(dir.resolve("repo"), dir.resolve("data"), recipient()).replace("rpo: 26h", "rpo: soon");
        assertThat(problem(rpo, Map.of())).contains("line 7, column 8: objectives.rpo: expected a duration");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String yaml = """
                repository:
                  type: s3
                  bucket: b
                encryption: {}
                sources:
                  db:
                    type: postgres
                  k8s:
                    type: kubernetes
                """;
        String msg = problem(yaml, Map.of());
        assertThat(msg).contains("4 problems")
                .contains("line 2, column 9: repository.type: unknown storage type 's3': add com.eazepay.backup:backup-storage-s3")
                .contains("line 4, column 13: encryption: give recipients")
                .contains("line 7, column 11: sources.db.type: unknown source type 'postgres': add com.eazepay.backup:backup-postgres")
                .contains("unknown source type 'kubernetes': add com.eazepay.backup:backup-kubernetes")
                .contains("types found: [command, files]");
    }

    @Test
    void environmentAndFileSubstitutionsBecomeSecretsThatAreNeverPrinted() throws IOException {
        Path secretFile = dir.resolve("token");
        Files.writeString(secretFile, "file-secret-Zx81\n");
        Path key = dir.resolve("key.txt");
        AgeKeys keys = AgeKeys.generate();
        AgeKeys.writeIdentityFile(key, keys.identity(), Clock.systemUTC());
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), keys.recipient().encoded())
                .replace("recipients: [", "identityFile: " + key + "\n  recipients: [") + """
                  dump:
                    type: command
                    command: [sh, -c, 'printf %%s "$PW$TOKEN"']
                    secretEnvironment:
                      PW: ${DB_PASSWORD}
                      TOKEN: ${file:%s}
                """.formatted(secretFile);
        BackupConfig c = parse(yaml, Map.of("DB_PASSWORD", PASSWORD));
        String printed = c.redacted();
        assertThat(printed).doesNotContain(PASSWORD).doesNotContain("file-secret-Zx81")
                .contains("PW: \"<redacted, from ${DB_PASSWORD}>\"")
                .contains("TOKEN: \"<redacted, from ${file:" + secretFile + "}>\"");
        assertThat(c.toString()).doesNotContain(PASSWORD);
        assertThat(c.source("dump").source().toString()).doesNotContain(PASSWORD);
        // and the values reach the command
        Path out = dir.resolve("out.bin");
        try (BackupEngine engine = c.engine()) {
            engine.backup("dump").run();
            engine.restore("dump").latest().into(com.eazepay.backup.files.StreamTarget.file(out)).run();
        }
        assertThat(out).hasContent(PASSWORD + "file-secret-Zx81");
    }

    @Test
    void aMissingEnvironmentVariableIsNamedWithLineAndColumn() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient())
                .replace("type: filesystem", "type: filesystem\n  prefixNote: ${NOT_SET_ANYWHERE}");
        assertThat(problem(yaml, Map.of())).contains("backup.yml line 3, column 15: repository.prefixNote: environment "
                + "variable NOT_SET_ANYWHERE is not set");
    }

    @Test
    void aSecretInAMisspelledSettingIsNotEchoed() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient())
                .replace("    schedule:", "    pasword: ${DB_PASSWORD}\n    schedule:");
        String msg = problem(yaml, Map.of("DB_PASSWORD", PASSWORD));
        assertThat(msg).contains("sources.config.pasword: unknown setting").doesNotContain(PASSWORD);
    }

    @Test
    void aDoubleDollarWritesALiteralDollarBrace() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient()).replace("\"0 2 * * *\"", "\"$${NOT_A_VAR}\"");
        assertThat(parse(yaml, Map.of()).source("config").schedule()).isEqualTo("${NOT_A_VAR}");
    }

    @Test
    void userInfoInUrlsIsRedactedWhenPrinted() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient())
                .replace("type: filesystem", "type: filesystem\n  comment: redis://admin:pa55@host:6379");
        // an unknown setting (comment) is refused, and its value is not echoed with the password
        assertThat(problem(yaml, Map.of())).doesNotContain("pa55");
        assertThat(ConfigNode.redactUserInfo("redis://admin:pa55@host:6379/0")).isEqualTo("redis://***@host:6379/0");
    }

    @Test
    void engineFromBacksUpAndRestoresWithTheIdentityFile() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n");
        Path key = dir.resolve("key.txt");
        AgeKeys keys = AgeKeys.generate();
        AgeKeys.writeIdentityFile(key, keys.identity(), Clock.systemUTC());
        String yaml = valid(dir.resolve("repo"), data, keys.recipient().encoded())
                .replace("recipients: [", "identityFile: " + key + "\n  recipients: [");
        Path file = dir.resolve("backup.yml");
        Files.writeString(file, yaml);
        try (BackupEngine engine = Backup.engineFrom(file)) {
            engine.backup("config").run();
            Path restored = dir.resolve("restored");
            engine.restore("config").latest().into(FilesTarget.directory(restored)).run();
            assertThat(restored.resolve("data/app.conf")).hasContent("answer=42");
        }
    }

    @Test
    void aMissingFileIsReportedWithWhatToDo() {
        assertThatThrownBy(() -> BackupConfig.load(dir.resolve("nope.yml")))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("nope.yml does not exist");
    }
}
