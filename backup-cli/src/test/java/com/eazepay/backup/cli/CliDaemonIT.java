package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code daemon} through the real jar: a files source scheduled yearly has missed its latest slot, so the
 * started scheduler catches it up once; the test polls (bounded) until /metrics counts the success, reads
 * /health, then sends SIGTERM and checks the process stopped cleanly and the repository holds exactly
 * that one committed backup.
 */
class CliDaemonIT {

    @TempDir
    Path dir;

    @Test
    void daemonRunsTheScheduleServesMetricsAndHealthAndStopsOnSigterm() throws Exception {
        Path host = Files.createDirectories(dir.resolve("host"));
        Path data = Files.createDirectories(host.resolve("data"));
        Files.writeString(data.resolve("app.conf"), "answer=42\n");
        Cli cli = new Cli(host, Map.of());
        String recipient = cli.expect(0, "keys", "generate", "--out", "key.txt").out().lines()
                .filter(l -> l.startsWith("age1")).findFirst().orElseThrow();
        Files.writeString(host.resolve("backup.yml"), """
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
                    schedule: "0 0 1 1 *"
                """.formatted(host.resolve("repo"), recipient, host.resolve("key.txt"), data));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path out = host.resolve("daemon.out");
        Path err = host.resolve("daemon.err");
        Process daemon = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Cli.JAR.toString(), "daemon", "--listen", "127.0.0.1:" + port))
                .directory(host.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String metrics = "";
        HttpResponse<String> health = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && daemon.isAlive()) {
                try {
                    metrics = get(http, port, "/metrics").body();
                    if (metrics.contains("backup_success_total{source=\"config\"} 1.0")) {
                        health = get(http, port, "/health");
                        break;
                    }
                } catch (IOException notListeningYet) {
                    // the JVM is still starting: poll again
                }
                Thread.sleep(250); // polling a separate process; no clock to drive
            }
            assertThat(metrics).as("/metrics; daemon stderr:\n%s", Files.readString(err))
                    .contains("backup_success_total{source=\"config\"} 1.0");
            assertThat(health).isNotNull();
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(health.headers().firstValue("Content-Type")).contains("application/json");
            JsonNode doc = new ObjectMapper().readTree(health.body());
            assertThat(doc.get("status").asText()).isEqualTo("UP");
            assertThat(doc.get("sources").get(0).get("source").asText()).isEqualTo("config");
            assertThat(doc.get("sources").get(0).get("lastSuccessId").asText()).isNotBlank();
        } finally {
            daemon.destroy(); // SIGTERM: the shutdown hook closes the engine
        }
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        assertThat(daemon.exitValue()).as("128 + SIGTERM after a clean shutdown").isEqualTo(143);
        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(log).contains("stopping: no new job starts").contains("stopped");
        assertThat(Files.readString(out)).contains("serving http://127.0.0.1:" + port + "/metrics and /health");

        JsonNode list = cli.expect(0, "list", "config", "--json").json();
        assertThat(list).as("one catch-up, one committed backup").hasSize(1);
        assertThat(list.get(0).get("trigger").asText()).isEqualTo("scheduled");
        cli.expect(0, "verify", "config");

        // a bad --listen is bad usage, with the form it takes
        assertThat(cli.expect(2, "daemon", "--listen", "nohost").err()).contains("--listen takes HOST:PORT");
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
