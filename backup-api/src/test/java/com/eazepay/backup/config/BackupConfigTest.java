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
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.Scheduler;
import com.eazepay.backup.EngineStatus;
import java.util.List;

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
        String yaml = valid(dir.resolve("repo$${NOT_A_VAR}"), dir.resolve("data"), recipient());
        assertThat(parse(yaml, Map.of()).repository().describe()).contains("repo${NOT_A_VAR}");
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
    void offsiteCopiesAreReadWithTheirSelectionAndSchedule() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient()) + """
                copies:
                  - to: %s
                    select: monthly-latest
                    since: 100d
                    sources: [config]
                    schedule: "0 4 1 1,4,7,10 *"
                  - to: {type: filesystem, path: %s}
                """.formatted(dir.resolve("offsite"), dir.resolve("second"));
        BackupConfig c = parse(yaml, Map.of());
        assertThat(c.copies()).hasSize(2);
        assertThat(c.copies().get(0).selection()).hasToString("monthly-latest");
        assertThat(c.copies().get(0).since()).isEqualTo(Duration.ofDays(100));
        assertThat(c.copies().get(0).sources()).containsExactly("config");
        assertThat(c.copies().get(0).schedule()).isEqualTo("0 4 1 1,4,7,10 *");
        assertThat(c.copies().get(1).target().describe()).contains("second");
        String bad = yaml.replace("sources: [config]", "sources: [nosuch]").replace("select: monthly-latest", "select: weekly");
        assertThat(problem(bad, Map.of())).contains("line 19, column 13: copies[0].select: unknown selection 'weekly'");
    }

    @Test
    void aReplicaHasItsOwnRetentionPerSource() {
        String yaml = valid(dir.resolve("repo"), dir.resolve("data"), recipient()).replace("encryption:", """
                replicas:
                  - type: filesystem
                    path: %s
                    retention:
                      config: {keepMonthly: 36}
                encryption:""".formatted(dir.resolve("replica")));
        try (BackupEngine engine = parse(yaml, Map.of()).engine()) {
            assertThat(engine.sourceNames()).containsExactly("config");
        }
        assertThat(problem(yaml.replace("config: {keepMonthly: 36}", "nosuch: {keepMonthly: 36}"), Map.of()))
                .contains("retention names 'nosuch', which is not a configured source");
        assertThat(problem(yaml.replace("keepMonthly: 36", "keepMonthy: 36"), Map.of()))
                .contains("replicas[0].retention.config.keepMonthy: unknown setting");
    }

    @Test
    void aMissingFileIsReportedWithWhatToDo() {
        assertThatThrownBy(() -> BackupConfig.load(dir.resolve("nope.yml")))
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("nope.yml does not exist");
    }

    /** A settable clock: the scheduler decides what is due from the engine's clock, so no waiting. */
    private static final class SetClock extends Clock {
        volatile Instant now;

        SetClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void schedulesInTheFileRunThroughTheEngineScheduler() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n");
        Path key = dir.resolve("key.txt");
        AgeKeys keys = AgeKeys.generate();
        AgeKeys.writeIdentityFile(key, keys.identity(), Clock.systemUTC());
        String yaml = valid(dir.resolve("repo"), data, keys.recipient().encoded())
                .replace("recipients: [", "identityFile: " + key + "\n  recipients: [") + """
                prune: {schedule: "10 2 * * *"}
                verify: {schedule: "20 2 * * *"}
                copies:
                  - to: {type: filesystem, path: %s}
                    schedule: "30 2 * * *"
                """.formatted(dir.resolve("offsite"));
        BackupConfig c = parse(yaml, Map.of());
        SetClock clock = new SetClock(Instant.parse("2026-03-02T02:00:05Z"));
        try (BackupEngine engine = c.engineBuilder().clock(clock).build()) {
            // nothing has run yet: the backup's slot is due and the other jobs' latest slots are caught up once
            List<Scheduler.SlotRun> runs = engine.scheduler().runDue();
            assertThat(runs).extracting(Scheduler.SlotRun::job, Scheduler.SlotRun::outcome).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("backup-config", Scheduler.Outcome.SUCCEEDED),
                    org.assertj.core.groups.Tuple.tuple("prune", Scheduler.Outcome.SUCCEEDED),
                    org.assertj.core.groups.Tuple.tuple("verify", Scheduler.Outcome.SUCCEEDED),
                    org.assertj.core.groups.Tuple.tuple("copy", Scheduler.Outcome.SUCCEEDED));
            assertThat(engine.list("config")).hasSize(1);
            clock.now = Instant.parse("2026-03-02T02:05:00Z");
            assertThat(engine.scheduler().runDue()).as("each slot runs once").isEmpty();
            EngineStatus status = engine.status();
            assertThat(status.source("config").orElseThrow().schedule()).isEqualTo(Schedule.cron("0 2 * * *").toString());
            assertThat(status.jobs()).extracting(EngineStatus.JobStatus::job).containsExactlyInAnyOrder("prune", "verify", "copy");
            assertThat(status.jobs()).allSatisfy(j -> assertThat(j.lastOutcome()).startsWith("succeeded"));
            // objectives: the file's rpo (26h) and the source's rto (4h) reach the engine
            EngineStatus.ObjectiveStatus o = status.source("config").orElseThrow().objective();
            assertThat(o.rpo()).isEqualTo(Duration.ofHours(26));
            assertThat(o.rto()).isEqualTo(Duration.ofHours(4));
            assertThat(o.scheduleMeetsRpo()).isTrue();
            // the jobs of one runDue() run concurrently (two scheduler threads), so the caught-up copy may have
            // run before the backup committed; the next copy slot copies it whatever the order was
            clock.now = Instant.parse("2026-03-02T02:30:05Z");
            assertThat(engine.scheduler().runDue()).extracting(Scheduler.SlotRun::job, Scheduler.SlotRun::outcome)
                    .contains(org.assertj.core.groups.Tuple.tuple("copy", Scheduler.Outcome.SUCCEEDED));
        }
        // the scheduled copy put the backup in the off-site repository
        try (BackupEngine offsite = Backup.engine().repository(com.eazepay.backup.storage.FileSystemStorage.at(dir.resolve("offsite")))
                .encryption(c.encryption()).source(c.source("config").source()).build()) {
            assertThat(offsite.list("config")).hasSize(1);
        }
    }

    @Test
    void scheduleIsCronEveryIsoDurationOrAMapWithJitterAndZone() {
        String base = valid(dir.resolve("repo"), dir.resolve("data"), recipient());
        assertThat(parse(base.replace("\"0 2 * * *\"", "every 6h"), Map.of()).schedule("config"))
                .contains(Schedule.every(Duration.ofHours(6)));
        assertThat(parse(base.replace("\"0 2 * * *\"", "PT6H"), Map.of()).schedule("config"))
                .contains(Schedule.every(Duration.ofHours(6)));
        assertThat(parse(base.replace("\"0 2 * * *\"", "{every: 1h, jitter: 5m}"), Map.of()).schedule("config"))
                .contains(Schedule.every(Duration.ofHours(1)).withJitter(Duration.ofMinutes(5)));
        BackupConfig zoned = parse(base.replace("\"0 2 * * *\"", "{cron: \"0 2 * * *\", zone: Europe/Paris, jitter: 10m}"), Map.of());
        assertThat(zoned.schedule("config"))
                .contains(Schedule.cron("0 2 * * *").inZone(ZoneId.of("Europe/Paris")).withJitter(Duration.ofMinutes(10)));
        assertThat(zoned.source("config").schedule()).contains("Europe/Paris");
        assertThat(parse(base.replace("    schedule: \"0 2 * * *\"\n", ""), Map.of()).schedule("config")).isEmpty();
    }

    @Test
    void aBadScheduleIsInvalidConfigurationWithLineAndColumn() {
        String base = valid(dir.resolve("repo"), dir.resolve("data"), recipient());
        // line 15 of the file, the value starts at column 15
        assertThat(problem(base.replace("\"0 2 * * *\"", "\"0 25 * * *\""), Map.of()))
                .contains("line 15, column 15: sources.config.schedule: invalid cron expression '0 25 * * *'");
        assertThat(problem(base.replace("\"0 2 * * *\"", "every 10s"), Map.of()))
                .contains("line 15, column 15: sources.config.schedule: schedule interval must be at least");
        assertThat(problem(base.replace("\"0 2 * * *\"", "{every: 6h, zone: UTC}"), Map.of()))
                .contains("sources.config.schedule.zone: an 'every:' schedule");
        assertThat(problem(base + "prune: {schedule: \"61 * * * *\"}\n", Map.of()))
                .contains("line 17, column 19: prune.schedule: invalid cron expression '61 * * * *'");
        assertThat(problem(base + """
                copies:
                  - {to: /tmp/a, schedule: "0 4 * * *"}
                  - {to: /tmp/b, schedule: "0 5 * * *"}
                """, Map.of())).contains("copies[1].schedule: the scheduler runs the scheduled copies as one job");
        // a copy that fails to parse does not shift which schedule is checked
        assertThat(problem(base + """
                copies:
                  - {to: /tmp/a, select: weekly, schedule: "0 4 * * *"}
                  - {to: /tmp/b, schedule: {every: 1h, jitter: 1m}}
                  - {to: /tmp/c, schedule: "0 99 * * *"}
                """, Map.of())).contains("copies[0].select: unknown selection 'weekly'")
                .contains("copies[1].schedule: the scheduler runs the scheduled copies as one job")
                .contains("copies[2].schedule: invalid cron expression '0 99 * * *'");
    }
}
