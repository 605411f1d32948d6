package com.eazepay.backup.spring.boot;

import com.eazepay.backup.age.AgeKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code backups} endpoint and {@code /actuator/health/backups} over HTTP, in a web application on a
 * loopback port: list, trigger with a JSON body, one source's backups, 404 for an unknown source.
 */
@SpringBootTest(classes = BackupsEndpointHttpTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "server.address=127.0.0.1",
                "eazepay.backup.repository.type=filesystem",
                "eazepay.backup.sources.config.type=files",
                "management.endpoints.web.exposure.include=health,backups",
                "management.endpoint.health.show-details=always"})
class BackupsEndpointHttpTest {

    private static final Path TMP = tempDir();
    private static final StarterFixture FIXTURE = new StarterFixture(TMP);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A web application; MongoDB and DataSource auto-configuration have nothing to connect to here. */
    @SpringBootConfiguration
    @EnableAutoConfiguration(excludeName = {"org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
            "org.springframework.boot.autoconfigure.data.mongo.MongoDataAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
    static class App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("eazepay.backup.repository.path", FIXTURE.repository::toString);
        registry.add("eazepay.backup.encryption.recipients", () -> AgeKeys.generate().recipient().toString());
        registry.add("eazepay.backup.sources.config.paths[0]", FIXTURE.data::toString);
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + "/actuator/" + path);
    }

    @Test
    void triggerListAndHealthOverHttp() throws Exception {
        HttpResponse<String> health = send(HttpRequest.newBuilder(uri("health/backups")));
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UNKNOWN");

        HttpResponse<String> taken = send(HttpRequest.newBuilder(uri("backups/config"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"tag\": \"pre-deploy\"}")));
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(taken.body());
        assertThat(result.get("outcome").asText()).isEqualTo("succeeded");
        String id = result.get("id").asText();

        JsonNode one = JSON.readTree(send(HttpRequest.newBuilder(uri("backups/config"))).body());
        assertThat(one.get("backups")).hasSize(1);
        assertThat(one.get("backups").get(0).get("id").asText()).isEqualTo(id);
        assertThat(one.get("backups").get(0).get("tags").get(0).asText()).isEqualTo("pre-deploy");

        JsonNode all = JSON.readTree(send(HttpRequest.newBuilder(uri("backups"))).body());
        assertThat(all.get("sources").get("config").get("status").asText()).isEqualTo("OK");

        HttpResponse<String> up = send(HttpRequest.newBuilder(uri("health/backups")));
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(up.body()).get("status").asText()).isEqualTo("UP");

        assertThat(send(HttpRequest.newBuilder(uri("backups/nope"))).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(uri("backups/nope"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode())
                .isEqualTo(404);
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("starter-http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
