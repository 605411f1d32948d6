package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole command line on a filesystem repository and files/command sources, through the real jar:
 * keys generate, config check, backup, list, show, verify, restore, prune --dry-run, copy, and a
 * restore on a "new host" that has only the YAML, the key and the copied repository.
 */
class CliFilesRoundTripIT {

    private static final String PASSWORD = "Db-pass-4q9Z-must-not-leak";

    @TempDir
    Path dir;

    private static String config(Path repo, Path key, String recipient, Path data) {
        return """
                repository:
                  type: filesystem
                  path: %s
                encryption:
                  recipients: [%s]
                  identityFile: %s
                objectives:
                  rpo: 26h
                sources:
                  config:
                    type: files
                    paths: [%s]
                    retention:
                      keepLast: 1
                    schedule: "0 2 * * *"
                  dump:
                    type: command
                    command: [sh, -c, 'printf "%%s" "$PW"']
                    secretEnvironment:
                      PW: ${DB_PASSWORD}
                  failing:
                    type: command
                    command: [sh, -c, 'echo broken >&2; exit 3']
                """.formatted(repo, recipient, key, data);
    }

    @Test
    void backupListVerifyRestorePruneCopyAndRestoreOnANewHost() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Path data = Files.createDirectories(host.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n");
        Files.writeString(data.resolve(".env"), "API_TOKEN=tok-123\n");
        Cli cli = new Cli(host, Map.of("DB_PASSWORD", PASSWORD));

        Cli.Result keys = cli.expect(0, "keys", "generate", "--out", "key.txt");
        String recipient = keys.out().lines().filter(l -> l.startsWith("age1")).findFirst().orElseThrow();
        String identity = Files.readString(host.resolve("key.txt")).lines().filter(l -> l.startsWith("AGE-SECRET-KEY-"))
                .findFirst().orElseThrow();
        cli.expect(2, "keys", "generate", "--out", "key.txt"); // never overwrites a key
        Files.writeString(host.resolve("backup.yml"), config(host.resolve("repo"), host.resolve("key.txt"), recipient, data));

        Cli.Result check = cli.expect(0, "config", "check");
        assertThat(check.out()).contains("backup.yml: valid").contains("PW: \"<redacted, from ${DB_PASSWORD}>\"");

        // one set of every source: one fails, so partial success
        Cli.Result all = cli.expect(3, "backup", "--tag", "pre-deploy", "--label", "release=1.4.2", "--trigger", "pre-deploy");
        assertThat(all.out()).contains("config").contains("FAILED");
        assertThat(all.err()).contains("backup of 'failing' failed")
                .containsPattern("(?m)^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\S+) INFO Backup(Engine|Operation) - backup \\S+ of 'config' committed");
        cli.expect(1, "backup", "failing");
        JsonNode second = cli.expect(0, "backup", "config", "dump", "--json").json();
        assertThat(second.get("succeeded")).hasSize(2);
        String latestConfig = second.get("succeeded").get(0).get("id").asText();

        JsonNode list = cli.expect(0, "list", "config", "--json").json();
        assertThat(list).hasSize(2);
        String firstConfig = list.get(0).get("id").asText();
        assertThat(list.get(0).get("tags").get(0).asText()).isEqualTo("pre-deploy");
        assertThat(list.get(0).get("labels").get("release").asText()).isEqualTo("1.4.2");
        assertThat(cli.expect(0, "list").out()).contains(firstConfig).contains(latestConfig).contains("4 backup(s)");
        assertThat(cli.expect(0, "snapshots", "dump").out()).contains("2 backup(s)");

        assertThat(cli.expect(0, "show", firstConfig, "--json").json().get("trigger").asText()).isEqualTo("pre-deploy");
        assertThat(cli.expect(0, "show", latestConfig).out()).contains("files.tar.zst.age").contains("SHA-256");

        JsonNode verified = cli.expect(0, "verify", "config", "dump", "--json").json();
        assertThat(verified).allSatisfy(v -> assertThat(v.get("passed").asBoolean()).isTrue());

        Files.writeString(data.resolve("app.conf"), "answer=changed\n");
        Cli.Result restored = cli.expect(0, "restore", "config", "--latest", "--to", "restored");
        assertThat(restored.out()).contains("restored backup " + latestConfig).contains("ok");
        assertThat(host.resolve("restored/data/app.conf")).hasContent("answer=42");
        cli.expect(0, "restore", "config", "--id", firstConfig, "--to", "restored-first");
        cli.expect(0, "restore", "dump", "--to", "dump.out");
        assertThat(host.resolve("dump.out")).hasContent(PASSWORD); // the secret reached the command, and only it

        Cli.Result plan = cli.expect(0, "prune", "--dry-run");
        assertThat(plan.out()).contains("dry run").contains(firstConfig).contains("remove");
        assertThat(cli.expect(0, "list", "config", "--json").json()).hasSize(2); // a dry run deletes nothing

        Cli.Result copy = cli.expect(0, "copy", "--to", host.resolve("offsite").toString());
        assertThat(copy.out()).contains("4 copied, 0 already there, 0 failed").contains("record: reports/copy/");
        JsonNode again = cli.expect(0, "copy", "--to", "file:" + host.resolve("offsite"), "--json").json();
        assertThat(again.get("backups")).allSatisfy(b -> assertThat(b.get("status").asText()).isEqualTo("SKIPPED"));

        // the file's copies: section, run without --to: only the newest backup of 'config'
        Files.writeString(host.resolve("backup.yml"), config(host.resolve("repo"), host.resolve("key.txt"), recipient, data)
                + "copies:\n  - to: " + host.resolve("quarterly") + "\n    select: latest\n    sources: [config]\n"
                + "    since: 30d\n    schedule: \"0 4 1 1,4,7,10 *\"\n");
        JsonNode configured = cli.expect(0, "copy", "--json").json();
        assertThat(configured).singleElement().satisfies(r -> assertThat(r.get("backups")).singleElement()
                .satisfies(b -> assertThat(b.get("backupId").asText()).isEqualTo(latestConfig)));
        assertThat(host.resolve("quarterly/config/" + latestConfig + "/manifest.json")).exists();
        assertThat(cli.expect(2, "copy", "--select", "latest").err()).contains("go with --to");

        // the source that never succeeded breaches its RPO: status says so and exits 1
        Cli.Result status = cli.expect(1, "status");
        assertThat(status.out()).contains("RPO BREACHED (no backup)").containsPattern("config +files +2 ");
        assertThat(cli.expect(1, "status", "--json").json().get("sources").get(0).get("state").asText()).isEqualTo("ok");

        // a new host: only the YAML (repository now the copy), the key and the copied repository
        Path newHost = Files.createDirectories(dir.resolve("new-host"));
        Path offsite = Files.move(host.resolve("offsite"), newHost.resolve("repo"));
        Files.copy(host.resolve("key.txt"), newHost.resolve("key.txt"));
        Files.writeString(newHost.resolve("dr.yml"), config(offsite, newHost.resolve("key.txt"), recipient,
                newHost.resolve("data-not-here")));
        Cli dr = new Cli(newHost, Map.of("DB_PASSWORD", "unused-on-this-host"));
        assertThat(dr.expect(0, "--config", "dr.yml", "list", "config").out()).contains(latestConfig);
        dr.expect(0, "verify", "-c", "dr.yml", "config");
        dr.expect(0, "-c", "dr.yml", "restore", "config", "--to", "recovered");
        assertThat(newHost.resolve("recovered/data/app.conf")).hasContent("answer=42");
        assertThat(newHost.resolve("recovered/data/.env")).hasContent("API_TOKEN=tok-123");

        // secrets never appear in anything printed
        String printed = cli.transcript() + dr.transcript();
        assertThat(printed).doesNotContain(PASSWORD).doesNotContain(identity).doesNotContain("AGE-SECRET-KEY")
                .doesNotContain("tok-123");
    }

    @Test
    void badUsageExitsWithTwo() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Cli cli = new Cli(host, Map.of("DB_PASSWORD", PASSWORD));
        assertThat(cli.expect(2, "restore", "config").err()).contains("Missing required option: '--to=TARGET'");
        assertThat(cli.expect(2, "frobnicate").err()).contains("Unmatched argument");
        assertThat(cli.expect(2, "list").err()).contains("backup.yml does not exist");
        Files.writeString(host.resolve("backup.yml"), config(host.resolve("repo"), host.resolve("key.txt"),
                "age1n7rhvfzfped3d5e4pfngudpr8j7a3744a8jcq2z6u74szhddf5qs35rx32", host));
        assertThat(cli.expect(2, "list", "nosuch").err()).contains("no source named 'nosuch'");
        assertThat(cli.expect(2, "copy", "--to", "ftp://host/x").err()).contains("no storage handles 'ftp:' URLs");
        assertThat(cli.expect(2, "copy", "--to", "x", "--select", "weekly").err()).contains("use all, latest or monthly-latest");
    }
}
