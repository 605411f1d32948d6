package com.eazepay.backup.cli;

import com.eazepay.backup.config.BackupConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes examples under {@code examples/kubernetes/} parse as YAML, have the fields the API
 * server requires for their kind, keep secrets in Secret references, and every container command line
 * is one the real CLI parser accepts (a real command with real options). The ConfigMap's configuration
 * loads with the plug-ins of the jar.
 */
class KubernetesExamplesTest {

    private static final Path EXAMPLES = Path.of("..", "examples", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyExampleIsAValidObjectOfItsKind() throws IOException {
        List<Path> files = files();
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("backup-config.yaml", "backup-cronjob.yaml", "helm-pre-upgrade-job.yaml", "offsite-copy-cronjob.yaml",
                        "backup-daemon-deployment.yaml");
        for (Path f : files) {
            JsonNode doc = YAML.readTree(f.toFile());
            String kind = doc.path("kind").asText();
            assertThat(doc.path("apiVersion").asText()).as(f + " apiVersion").isNotEmpty();
            assertThat(doc.path("metadata").path("name").asText()).as(f + " metadata.name").isNotEmpty();
            switch (kind) {
                case "ConfigMap" -> assertThat(doc.path("data").path("backup.yml").asText()).isNotEmpty();
                case "CronJob" -> {
                    assertThat(doc.path("apiVersion").asText()).isEqualTo("batch/v1");
                    assertThat(doc.path("spec").path("schedule").asText().split(" ")).as(f + " schedule").hasSize(5);
                    checkPodSpec(f, doc.path("spec").path("jobTemplate").path("spec").path("template").path("spec"), false);
                }
                case "Job" -> {
                    assertThat(doc.path("apiVersion").asText()).isEqualTo("batch/v1");
                    checkPodSpec(f, doc.path("spec").path("template").path("spec"), false);
                }
                case "Deployment" -> {
                    assertThat(doc.path("apiVersion").asText()).isEqualTo("apps/v1");
                    JsonNode template = doc.path("spec").path("template");
                    assertThat(template.path("metadata").path("labels")).as(f + " selector matches the pod")
                            .isEqualTo(doc.path("spec").path("selector").path("matchLabels"));
                    checkPodSpec(f, template.path("spec"), true);
                }
                default -> throw new AssertionError(f + ": unexpected kind " + kind);
            }
        }
    }

    private static void checkPodSpec(Path f, JsonNode pod, boolean longRunning) {
        assertThat(pod.path("restartPolicy").asText()).as(f + " restartPolicy")
                .isIn(longRunning ? List.of("Always") : List.of("Never", "OnFailure"));
        List<JsonNode> containers = new ArrayList<>();
        pod.path("initContainers").forEach(containers::add);
        pod.path("containers").forEach(containers::add);
        assertThat(pod.path("containers").size()).as(f + " containers").isPositive();
        for (JsonNode c : containers) {
            assertThat(c.path("name").asText()).isNotEmpty();
            assertThat(c.path("image").asText()).isNotEmpty();
            for (JsonNode e : c.path("env")) {
                if (e.path("name").asText().matches(".*(PASSWORD|SECRET|TOKEN|KEY).*")) {
                    assertThat(e.has("value")).as(f + ": " + e.path("name").asText() + " must come from a Secret").isFalse();
                    assertThat(e.path("valueFrom").has("secretKeyRef")).isTrue();
                }
            }
            List<String> argv = new ArrayList<>();
            c.path("command").forEach(a -> argv.add(a.asText()));
            c.path("args").forEach(a -> argv.add(a.asText()));
            int jar = argv.indexOf("-jar");
            assertThat(jar).as(f + ": java -jar ...").isPositive();
            assertThat(argv.get(jar + 1)).endsWith("eazepay-backup.jar");
            List<String> cliArgs = argv.subList(jar + 2, argv.size());
            CommandLine.ParseResult parsed = Main.commandLine().parseArgs(cliArgs.toArray(String[]::new));
            assertThat(parsed.hasSubcommand()).as(f + ": " + cliArgs + " names a command").isTrue();
            if (longRunning) {
                assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("daemon");
                String listen = parsed.subcommand().matchedOptionValue("--listen", "127.0.0.1:9464");
                int port = DaemonCommand.address(listen).getPort();
                assertThat(c.path("ports").findValuesAsText("containerPort")).as(f + ": the --listen port is exposed")
                        .contains(String.valueOf(port));
                assertThat(listen).as(f + ": reachable from Prometheus in the cluster").startsWith("0.0.0.0:");
            } else {
                assertThat(parsed.subcommand().commandSpec().name()).isIn("backup", "prune", "copy", "verify", "status", "list");
            }
            assertThat(parsed.matchedOptionValue("--config", (Path) null)).isEqualTo(Path.of("/etc/eazepay-backup/backup.yml"));
        }
    }

    @Test
    void theHelmHookRunsBeforeTheUpgradeAndFailsItOnABadBackup() throws IOException {
        JsonNode job = YAML.readTree(EXAMPLES.resolve("helm-pre-upgrade-job.yaml").toFile());
        assertThat(job.path("metadata").path("annotations").path("helm.sh/hook").asText()).isEqualTo("pre-upgrade");
        assertThat(job.path("spec").path("backoffLimit").asInt()).isZero();
    }

    @Test
    void theConfigMapsConfigurationLoadsWithThePluginsOfTheJar() throws IOException {
        JsonNode map = YAML.readTree(EXAMPLES.resolve("backup-config.yaml").toFile());
        try (BackupConfig config = BackupConfig.parse(map.path("data").path("backup.yml").asText(), "backup-config.yaml",
                Map.of("PGPASSWORD", "example")::get)) {
            assertThat(config.sources()).containsOnlyKeys("payments-db");
            assertThat(config.source("payments-db").type()).isEqualTo("postgres");
            assertThat(config.repository().describe()).contains("eazepay-backups");
        }
    }
}
