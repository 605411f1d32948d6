package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code verify --restore-test} and {@code drill} through the real jar, on a filesystem repository and a files source. */
class CliRestoreTestAndDrillIT {

    @TempDir
    Path dir;

    @Test
    void restoreTestAndCorruptionDrillPassOnAFilesSourceAndFailWithExit1WhereNothingCanBeRestored() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n");
        Cli cli = new Cli(dir, Map.of());
        Cli.Result keys = cli.expect(0, "keys", "generate", "--out", "key.txt");
        String recipient = keys.out().lines().filter(l -> l.startsWith("age1")).findFirst().orElseThrow();
        Files.writeString(dir.resolve("backup.yml"), """
                repository:
                  type: filesystem
                  path: %s
                encryption:
                  recipients: [%s]
                  identityFile: %s
                sources:
                  config:
                    type: files
                    paths: [%s]
                  dump:
                    type: command
                    command: [sh, -c, 'echo dumped']
                """.formatted(dir.resolve("repo"), recipient, dir.resolve("key.txt"), data));
        cli.expect(0, "backup", "config", "dump");

        // restore test into a temporary directory, dropped afterwards
        JsonNode test = cli.expect(0, "verify", "config", "--restore-test", "--json").json();
        assertThat(test).hasSize(1);
        assertThat(test.get(0).get("passed").asBoolean()).isTrue();
        assertThat(test.get(0).get("dropped").asBoolean()).isTrue();
        assertThat(test.get(0).get("stageMillis").has("restore")).isTrue();
        assertThat(test.get(0).get("stageMillis").has("checks")).isTrue();
        String scratch = test.get(0).get("scratch").asText();
        assertThat(scratch).contains("restoretest_");
        assertThat(Path.of(scratch.replaceAll(" .*", ""))).doesNotExist();
        cli.expect(0, "verify", "config", "--restore-test", "--random");
        try (var reports = Files.list(dir.resolve("repo").resolve("reports").resolve("verify"))) {
            assertThat(reports.filter(p -> p.getFileName().toString().startsWith("config-")).count()).isEqualTo(2);
        }
        // a command source has no scratch target: the restore test fails, exit 1
        Cli.Result noScratch = cli.expect(1, "verify", "dump", "--restore-test");
        assertThat(noScratch.out()).contains("FAILED").contains("INVALID_CONFIGURATION");
        cli.expect(2, "verify", "config", "--random"); // --random without --restore-test

        // a corruption drill of the files source passes and writes its report
        JsonNode drill = cli.expect(0, "drill", "--scenario", "corruption", "config", "--json").json();
        assertThat(drill.get("scenario").asText()).isEqualTo("CORRUPTION");
        assertThat(drill.get("passed").asBoolean()).isTrue();
        assertThat(drill.get("sources").get(0).get("source").asText()).isEqualTo("config");
        assertThat(drill.get("sources").get(0).get("stageMillis").has("restore")).isTrue();
        assertThat(drill.get("sources").get(0).get("stageMillis").has("checks")).isTrue();
        assertThat(drill.get("sources").get(0).has("swap")).isFalse();
        for (JsonNode key : drill.get("reportKeys")) {
            assertThat(dir.resolve("repo").resolve(key.asText())).isRegularFile();
        }
        // the command source cannot be recovered into a scratch target: the drill fails, exit 1
        Cli.Result failed = cli.expect(1, "drill", "--scenario", "corruption");
        assertThat(failed.out()).contains("config").contains("dump").contains("FAILED");
        cli.expect(2, "drill", "--scenario", "breach"); // no --breach-at
        cli.expect(2, "drill", "--scenario", "flood");
        cli.expect(2, "drill", "--scenario", "full-loss", "--swap"); // --swap belongs to corruption drills

        // --swap puts the checked restore in place of the corrupted directory, keeping the corrupted one
        Files.writeString(data.resolve("app.conf"), "answer=corrupted\n");
        JsonNode swapped = cli.expect(0, "drill", "--scenario", "corruption", "--swap", "config", "--json").json();
        assertThat(swapped.get("sources").get(0).get("swap").asText()).startsWith("swapped into " + data);
        assertThat(swapped.get("sources").get(0).get("stageMillis").has("swap")).isTrue();
        assertThat(Files.readString(data.resolve("app.conf"))).isEqualTo("answer=42\n");
        try (var kept = Files.list(dir).filter(p -> p.getFileName().toString().startsWith("data.before-"))) {
            assertThat(kept.toList()).singleElement().satisfies(p -> assertThat(Files.readString(p.resolve("app.conf")))
                    .isEqualTo("answer=corrupted\n"));
        }
    }
}
