package com.eazepay.backup.micrometer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** examples/prometheus/backup-alerts.yml: valid, unit-tested by promtool, and only about exported metrics. */
class BackupAlertRulesTest {

    static final Path RULES = ExportedNames.examples("prometheus/backup-alerts.yml");
    static final Path RULE_TESTS = ExportedNames.examples("prometheus/backup-alerts.test.yml");

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        Promtool.assumeInstalled();
        Promtool.Result r = Promtool.run(null, "check", "rules", RULES.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 7 rules found");
    }

    @Test
    void promtoolUnitTestsOfEveryAlertPass() throws Exception {
        Promtool.assumeInstalled();
        Promtool.Result r = Promtool.run(null, "test", "rules", RULE_TESTS.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasSummaryDescriptionARunbookSectionAndATestThatFiresAndOneThatDoesNot() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode rules = yaml.readTree(RULES.toFile());
        JsonNode tests = yaml.readTree(RULE_TESTS.toFile());
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (rule.has("alert")) {
                    String name = rule.get("alert").asText();
                    alerts.add(name);
                    JsonNode a = rule.get("annotations");
                    assertThat(a.path("summary").asText()).as(name).isNotBlank();
                    assertThat(a.path("description").asText()).as(name).isNotBlank();
                    String runbook = a.path("runbook_url").asText();
                    assertThat(runbook).as(name).isEqualTo("README.md#" + name.toLowerCase());
                    assertThat(readme).as("README section for " + name).contains("### " + name + "\n");
                }
            }
        }
        assertThat(alerts).containsExactly("BackupJobFailed", "BackupDelayed", "BackupSizeAnomaly", "RestoreTestFailed",
                "BackupWalArchiveLagging",
                "BackupCertificateExpiring");
        for (String alert : alerts) {
            boolean fires = false;
            boolean silent = false;
            for (JsonNode test : tests.get("tests")) {
                for (JsonNode t : test.path("alert_rule_test")) {
                    if (t.get("alertname").asText().equals(alert)) {
                        fires |= t.path("exp_alerts").size() > 0;
                        silent |= t.path("exp_alerts").isEmpty();
                    }
                }
            }
            assertThat(fires).as(alert + " has a test where it fires").isTrue();
            assertThat(silent).as(alert + " has a test where it must not fire").isTrue();
        }
    }

    @Test
    void theRulesUseOnlyMetricsTheBinderExportsAndTheirOwnRecordingRules() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode rules = yaml.readTree(RULES.toFile());
        Set<String> allowed = new TreeSet<>(ExportedNames.all());
        Set<String> used = new TreeSet<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (rule.has("record")) {
                    allowed.add(rule.get("record").asText());
                }
                used.addAll(ExportedNames.usedIn(rule.get("expr").asText()));
                for (JsonNode annotation : rule.path("annotations")) {
                    if (!annotation.asText().startsWith("README.md#")) {
                        used.addAll(ExportedNames.usedIn(annotation.asText()));
                    }
                }
            }
        }
        assertThat(used).isNotEmpty().isSubsetOf(allowed);
    }
}
