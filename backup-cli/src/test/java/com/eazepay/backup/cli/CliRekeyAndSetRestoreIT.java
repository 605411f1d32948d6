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
 * Through the real jar, with pipes (not a terminal, {@code CI=true}): a whole backup set restored in one
 * call ({@code restore --set SETID --to SOURCE=TARGET ...}), selection by label on restore and verify,
 * key rotation with {@code keys rekey} (the old key can no longer decrypt, the new one restores), and
 * {@code --json} on the commands that print results parsed as JSON.
 */
class CliRekeyAndSetRestoreIT {

    @TempDir
    Path dir;

    private static String config(Path repo, Path key, String recipient, Path app, Path etc) {
        return """
                repository:
                  type: filesystem
                  path: %s
                encryption:
                  recipients: [%s]
                  identityFile: %s
                sources:
                  app:
                    type: files
                    paths: [%s]
                    retention:
                      keepLast: 1
                  etc:
                    type: files
                    paths: [%s]
                """.formatted(repo, recipient, key, app, etc);
    }

    private static String recipientOf(Cli cli, String keyFile) {
        JsonNode generated = cli.expect(0, "keys", "generate", "--out", keyFile, "--json").json();
        assertThat(generated.get("identityFile").asText()).endsWith(keyFile);
        assertThat(generated.toString()).doesNotContain("AGE-SECRET-KEY");
        return generated.get("recipient").asText();
    }

    @Test
    void restoresAWholeSetInOneCallAndSelectsByLabel() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Path app = Files.createDirectories(host.resolve("app"));
        Path etc = Files.createDirectories(host.resolve("etc"));
        Files.writeString(app.resolve("app.conf"), "release=1.4.2\n");
        Files.writeString(etc.resolve("hosts"), "10.0.0.1 db\n");
        Cli cli = new Cli(host, Map.of());
        String recipient = recipientOf(cli, "key.txt");
        Files.writeString(host.resolve("backup.yml"), config(host.resolve("repo"), host.resolve("key.txt"), recipient, app, etc));

        JsonNode check = cli.expect(0, "config", "check", "--json").json();
        assertThat(check.get("valid").asBoolean()).isTrue();
        assertThat(check.get("sources").get(1).get("name").asText()).isEqualTo("etc");
        assertThat(check.get("warnings").toString()).contains("source 'etc' has no retention");
        assertThat(check.get("resolved").asText()).contains("identityFile");
        JsonNode set = cli.expect(0, "backup", "--label", "release=1.4.2", "--json").json();
        String setId = set.get("setId").asText();
        String labelledApp = set.get("succeeded").get(0).get("id").asText();
        Files.writeString(app.resolve("app.conf"), "release=1.5.0\n");
        Files.writeString(etc.resolve("hosts"), "10.0.0.2 db\n");
        cli.expect(0, "backup", "--label", "release=1.5.0");

        JsonNode restored = cli.expect(0, "restore", "--set", setId, "--to", "app=r/app", "--to", "etc=r/etc", "--json").json();
        assertThat(restored.get("setId").asText()).isEqualTo(setId);
        assertThat(restored.get("restored")).hasSize(2);
        assertThat(restored.get("failed")).isEmpty();
        assertThat(host.resolve("r/app/app/app.conf")).hasContent("release=1.4.2");
        assertThat(host.resolve("r/etc/etc/hosts")).hasContent("10.0.0.1 db");
        Cli.Result text = cli.expect(0, "restore", "--set", setId, "--to", "app=t/app", "--to", "etc=t/etc");
        assertThat(text.out()).contains("restored backup " + labelledApp + " of 'app'").contains("of 'etc'");

        // every backup of the set needs a target; a target without SOURCE= is bad usage
        assertThat(cli.expect(2, "restore", "--set", setId, "--to", "app=u/app").err()).contains("has no target");
        assertThat(cli.expect(2, "restore", "--set", setId, "--to", "u").err()).contains("--to SOURCE=TARGET");
        assertThat(cli.expect(2, "restore", "--to", "u").err()).contains("or --set SETID");
        assertThat(cli.expect(2, "restore", "app", "--id", labelledApp, "--label", "release=1.4.2", "--to", "u").err())
                .contains("not with --id");

        // one source of the set, and the newest backup with a label
        cli.expect(0, "restore", "app", "--set", setId, "--to", "one");
        assertThat(host.resolve("one/app/app.conf")).hasContent("release=1.4.2");
        JsonNode byLabel = cli.expect(0, "restore", "app", "--label", "release=1.4.2", "--to", "by-label", "--json").json();
        assertThat(byLabel.get("backupId").asText()).isEqualTo(labelledApp);
        assertThat(host.resolve("by-label/app/app.conf")).hasContent("release=1.4.2");
        JsonNode verified = cli.expect(0, "verify", "app", "--label", "release=1.4.2", "--json").json();
        assertThat(verified.get(0).get("backupId").asText()).isEqualTo(labelledApp);
        assertThat(cli.expect(1, "verify", "app", "--label", "release=9.9.9", "--json").json().get(0).get("errorCode").asText())
                .isEqualTo("NOT_FOUND");

        // --json on prune and copy parses, and nothing printed off a terminal has a carriage return or an escape
        JsonNode plan = cli.expect(0, "prune", "--dry-run", "--json").json();
        assertThat(plan.get("dryRun").asBoolean()).isTrue();
        assertThat(plan.get("entries").get(0).get("plan")).hasSize(2);
        JsonNode copy = cli.expect(0, "copy", "--to", host.resolve("offsite").toString(), "--json").json();
        assertThat(copy.get("complete").asBoolean()).isTrue();
        assertThat(cli.transcript()).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void rekeyRewritesBackupsForTheNewKeyAndTheOldKeyNoLongerDecrypts() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Path app = Files.createDirectories(host.resolve("app"));
        Path etc = Files.createDirectories(host.resolve("etc"));
        Files.writeString(app.resolve("app.conf"), "answer=42\n");
        Files.writeString(etc.resolve("hosts"), "10.0.0.1 db\n");
        Cli cli = new Cli(host, Map.of());
        String oldRecipient = recipientOf(cli, "old-key.txt");
        String newRecipient = recipientOf(cli, "new-key.txt");
        Path repo = host.resolve("repo");
        Files.writeString(host.resolve("backup.yml"), config(repo, host.resolve("old-key.txt"), oldRecipient, app, etc));
        Files.writeString(host.resolve("new.yml"), config(repo, host.resolve("new-key.txt"), newRecipient, app, etc));
        Files.writeString(host.resolve("recipients.txt"), "# rotation 2026-12\n\n" + newRecipient + "\n");
        cli.expect(0, "backup");
        cli.expect(0, "backup", "app");

        // the new key cannot read the old backups yet
        assertThat(cli.expect(1, "-c", "new.yml", "restore", "app", "--to", "early").err()).contains("DECRYPTION_FAILED");
        assertThat(cli.expect(2, "keys", "rekey", "app").err()).contains("no new recipient");
        assertThat(cli.expect(2, "keys", "rekey", "app", "--to-recipient", "age1nonsense").err()).contains("is not an age recipient");
        assertThat(cli.expect(2, "keys", "rekey", "--to-recipient", newRecipient).err()).contains("--all");
        assertThat(cli.expect(2, "keys", "rekey", "--all", "--to-recipients-file", "old-key.txt").err())
                .contains("holds a private identity");

        JsonNode rekeyed = cli.expect(0, "keys", "rekey", "--all", "--to-recipients-file", "recipients.txt", "--json").json();
        assertThat(rekeyed.get("recipients")).singleElement().satisfies(r -> assertThat(r.asText()).isEqualTo(newRecipient));
        assertThat(rekeyed.get("sources")).hasSize(2);
        assertThat(rekeyed.get("sources").get(0).get("source").asText()).isEqualTo("app");
        assertThat(rekeyed.get("sources").get(0).get("rekeyed")).hasSize(2);
        assertThat(rekeyed.get("sources").get(1).get("rekeyed")).hasSize(1);

        // the old key can no longer decrypt anything; the new one restores and verifies
        Cli.Result old = cli.expect(1, "restore", "app", "--to", "with-old-key");
        assertThat(old.err()).contains("DECRYPTION_FAILED");
        assertThat(host.resolve("with-old-key/app/app.conf")).doesNotExist();
        cli.expect(0, "-c", "new.yml", "restore", "app", "--to", "with-new-key");
        assertThat(host.resolve("with-new-key/app/app.conf")).hasContent("answer=42");
        cli.expect(0, "-c", "new.yml", "restore", "etc", "--to", "etc-new");
        assertThat(host.resolve("etc-new/etc/hosts")).hasContent("10.0.0.1 db");
        assertThat(cli.expect(0, "-c", "new.yml", "verify", "--json").json())
                .allSatisfy(v -> assertThat(v.get("passed").asBoolean()).isTrue());

        // table output; --select latest rewrites only the newest
        Cli.Result table = cli.expect(0, "-c", "new.yml", "keys", "rekey", "app", "--select", "latest",
                "--to-recipient", oldRecipient);
        assertThat(table.out()).containsPattern("app +ok +1 ");
        assertThat(table.err()).contains("new backups still use encryption.recipients");
        cli.expect(0, "restore", "app", "--to", "old-again");
        assertThat(host.resolve("old-again/app/app.conf")).hasContent("answer=42");

        String printed = cli.transcript();
        for (String key : new String[]{"old-key.txt", "new-key.txt"}) {
            String identity = Files.readString(host.resolve(key)).lines().filter(l -> l.startsWith("AGE-SECRET-KEY-"))
                    .findFirst().orElseThrow();
            assertThat(printed).doesNotContain(identity);
        }
        assertThat(printed).doesNotContain("AGE-SECRET-KEY").doesNotContain("\r").doesNotContain("\u001b");
    }
}
