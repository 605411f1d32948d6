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
 * {@code wal-push %p} and {@code wal-fetch %f %p} through the real jar (as PostgreSQL's archive_command and
 * restore_command run them) on a filesystem repository, with a fake segment: 16 MiB of random bytes named like a WAL
 * segment. The postgres-base source is configured only (no server is needed to archive or fetch WAL); {@code status}
 * shows its archive lag.
 */
class CliWalPushFetchIT {

    private static final String SEGMENT = "000000010000000000000003";

    @TempDir
    Path dir;

    /** A host directory with a key, a configuration on a filesystem repository and a fake segment in pg_wal/. */
    private Cli setUp(Path host) throws IOException {
        Cli cli = new Cli(host, Map.of());
        String recipient = cli.expect(0, "keys", "generate", "--out", "key.txt").out().lines()
                .filter(l -> l.startsWith("age1")).findFirst().orElseThrow();
        Path repo = host.resolve("repo");
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
                """.formatted(repo, recipient, host.resolve("key.txt")));
        Path pgWal = Files.createDirectories(host.resolve("pg_wal"));
        byte[] bytes = new byte[16 * 1024 * 1024];
        new Random(19).nextBytes(bytes);
        Files.write(pgWal.resolve(SEGMENT), bytes);
        return cli;
    }

    @Test
    void walPushThenWalFetchRoundTripsASegmentAndAMissingOneExitsOne() throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Cli cli = setUp(host);
        Path repo = host.resolve("repo");
        Path pgWal = host.resolve("pg_wal");
        byte[] bytes = Files.readAllBytes(pgWal.resolve(SEGMENT));
        Instant beforePush = Instant.now();
        cli.expect(0, "wal-push", "pg_wal/" + SEGMENT);
        Instant afterPush = Instant.now();
        assertThat(repo.resolve("wal/pg")).isDirectory();

        // status shows the archive lag (no base backup yet: the RPO is breached whatever the archive holds)
        assertThat(cli.expect(1, "status").out()).contains("ARCHIVE LAG", "RPO BREACHED (no backup)");
        JsonNode status = cli.expect(1, "status", "--json").json().get("sources").get(0);
        assertThat(Instant.parse(status.get("recoverableUntil").asText())).isBetween(beforePush, afterPush);
        assertThat(status.get("archiveLagSeconds").asLong())
                .isBetween(0L, Duration.between(beforePush, Instant.now()).getSeconds() + 1);
        assertThat(status.get("achievableRpoSeconds").asLong()).isEqualTo(status.get("archiveLagSeconds").asLong());
        cli.expect(0, "wal-push", "--source", "pg-base", "pg_wal/" + SEGMENT); // the same bytes again: idempotent

        Path restored = host.resolve("restored");
        cli.expect(0, "wal-fetch", SEGMENT, restored.toString());
        assertThat(Files.mismatch(restored, pgWal.resolve(SEGMENT))).isEqualTo(-1L);

        cli.expect(1, "wal-fetch", "000000010000000000000004", host.resolve("absent").toString());
        assertThat(host.resolve("absent")).doesNotExist();

        // different bytes under an archived name are refused, never overwritten
        bytes[0] ^= 1;
        Files.write(pgWal.resolve(SEGMENT), bytes);
        cli.expect(1, "wal-push", "pg_wal/" + SEGMENT);
        Path again = host.resolve("again");
        cli.expect(0, "wal-fetch", SEGMENT, again.toString());
        assertThat(Files.mismatch(again, restored)).isEqualTo(-1L);

        cli.expect(2, "wal-push", "--source", "nope", "pg_wal/" + SEGMENT);
    }

    @Test
    void walFetchExitsAbove125OnEveryFailureOtherThanNotArchivedSoPostgresAbortsRecoveryInsteadOfPromotingEarly()
            throws IOException {
        Path host = Files.createDirectories(dir.resolve("host"));
        Cli cli = setUp(host);
        cli.expect(0, "wal-push", "pg_wal/" + SEGMENT);
        cli.expect(1, "wal-fetch", "000000010000000000000004", "absent"); // not archived: the end of the archive

        // no key that decrypts it: another identity file
        cli.expect(0, "keys", "generate", "--out", "other-key.txt");
        Path config = host.resolve("backup.yml");
        Files.writeString(host.resolve("other.yml"), Files.readString(config)
                .replace(host.resolve("key.txt").toString(), host.resolve("other-key.txt").toString()));
        Cli.Result noKey = cli.expect(Main.WAL_FETCH_FAILED, "-c", "other.yml", "wal-fetch", SEGMENT, "no-key");
        assertThat(noKey.err()).contains("aborts recovery");
        // bad usage and configuration: an unknown source, a missing argument, a missing configuration file
        cli.expect(Main.WAL_FETCH_FAILED, "wal-fetch", "--source", "nope", SEGMENT, "bad-source");
        cli.expect(Main.WAL_FETCH_FAILED, "wal-fetch", SEGMENT);
        cli.expect(Main.WAL_FETCH_FAILED, "-c", "missing.yml", "wal-fetch", SEGMENT, "no-config");
        // a repository with no WAL at all (unmounted, or the wrong one): not "the end of the archive"
        Files.createDirectories(host.resolve("empty-mount"));
        Files.writeString(host.resolve("unmounted.yml"), Files.readString(config)
                .replace("path: " + host.resolve("repo"), "path: " + host.resolve("empty-mount")));
        Cli.Result unmounted = cli.expect(Main.WAL_FETCH_FAILED, "-c", "unmounted.yml", "wal-fetch", SEGMENT, "unmounted");
        assertThat(unmounted.err()).contains("holds no file at all");
        // a corrupt stored object (its SHA-256 no longer matches the commit record)
        Path object;
        try (var s = Files.list(host.resolve("repo/wal/pg"))) {
            object = s.filter(p -> p.getFileName().toString().startsWith(SEGMENT + ".")
                    && p.getFileName().toString().endsWith(".age")).findFirst().orElseThrow();
        }
        byte[] stored = Files.readAllBytes(object);
        stored[stored.length / 2] ^= 1;
        Files.write(object, stored);
        Cli.Result corrupt = cli.expect(Main.WAL_FETCH_FAILED, "wal-fetch", SEGMENT, "corrupt");
        assertThat(corrupt.err()).containsAnyOf("CHECKSUM_MISMATCH", "DECRYPTION_FAILED", "CORRUPT_DATA");
        for (String absent : new String[]{"no-key", "bad-source", "no-config", "unmounted", "corrupt"}) {
            assertThat(host.resolve(absent)).doesNotExist();
        }
    }
}
