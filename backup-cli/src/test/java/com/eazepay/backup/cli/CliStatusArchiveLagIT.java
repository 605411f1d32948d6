package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status} through the real jar shows a postgres-base source's WAL archive lag (a fake segment, 16 MiB of random
 * bytes named like a WAL segment, archived with {@code wal-push}; no server is needed to archive or read the archive).
 */
class CliStatusArchiveLagIT {

    @TempDir
    Path dir;

    @Test
    void statusShowsTheWalArchiveLagOfAPostgresBaseSource() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
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
                objectives:
                  rpo: 1h
                sources:
                  pg-base:
                    type: postgres-base
                    host: 127.0.0.1
                    walSource: pg
                    schedule: "0 2 * * *"
                """.formatted(host.resolve("repo"), recipient, host.resolve("key.txt")));
        Path pgWal = Files.createDirectories(host.resolve("pg_wal"));
        byte[] bytes = new byte[16 * 1024 * 1024];
        new Random(19).nextBytes(bytes);
        Files.write(pgWal.resolve("000000010000000000000003"), bytes);
        Instant beforePush = Instant.now();
        cli.expect(0, "wal-push", "pg_wal/000000010000000000000003");
        Instant afterPush = Instant.now();

        // no base backup yet: the RPO is breached whatever the archive holds
        Cli.Result table = cli.expect(1, "status");
        assertThat(table.out()).contains("ARCHIVE LAG", "RPO BREACHED (no backup)");
        JsonNode pg = cli.expect(1, "status", "--json").json().get("sources").get(0);
        Instant until = Instant.parse(pg.get("recoverableUntil").asText());
        assertThat(until).isBetween(beforePush, afterPush);
        assertThat(pg.get("archiveLagSeconds").asLong()).isBetween(0L, Duration.between(beforePush, Instant.now()).getSeconds() + 1);
        assertThat(pg.get("achievableRpoSeconds").asLong()).isEqualTo(pg.get("archiveLagSeconds").asLong());
    }
}
