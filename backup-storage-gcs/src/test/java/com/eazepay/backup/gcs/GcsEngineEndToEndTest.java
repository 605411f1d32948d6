package com.eazepay.backup.gcs;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine backing up to and restoring from {@link GcsStorage} (on {@link FakeGcsServer}) with
 * zstd + age, and the same backup restored with standard tools only: fetch the object (what
 * {@code gcloud storage cp} does), check its SHA-256 against the manifest, {@code age -d | zstd -d}.
 * Needs the Debian packages {@code age} and {@code zstd}.
 */
class GcsEngineEndToEndTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);
    private static FakeGcsServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        for (String tool : List.of("/usr/bin/age", "/usr/bin/zstd")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new AssertionError(tool + " is missing: apt-get install -y age zstd");
            }
        }
        server = FakeGcsServer.start();
        server.createBucket("eazepay-backups");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private BackupEngine engine(GcsStorage storage, Path data, Encryption encryption) {
        return Backup.engine()
                .repository(storage)
                .compression(Compression.zstd())
                .encryption(encryption)
                .source(CommandSource.builder("ledger", "cat", data.toString()).stream("ledger", "csv").build())
                .clock(CLOCK)
                .build();
    }

    @Test
    void engineBacksUpToGcsAndTheBackupRestoresWithTheEngineAndWithAgeAndZstd() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path identity = dir.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), CLOCK);
        Path data = dir.resolve("ledger.csv");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 50_000; i++) {
            rows.append(i).append(",EUR,").append(i * 37 % 10_000).append(".25,settled\n");
        }
        Files.writeString(data, rows);

        try (GcsStorage storage = GcsStorage.bucket("eazepay-backups").prefix("prod/").host(server.host())
                .storageClass("NEARLINE").build()) {
            Manifest manifest;
            try (BackupEngine engine = engine(storage, data, AgeEncryption.toRecipients(keys.recipient().encoded()))) {
                BackupResult result = engine.backup("ledger").run();
                manifest = result.manifest();
                assertThat(engine.verify("ledger").latest().run()).isNotNull();
            }
            List<ObjectInfo> objects = storage.listAll("ledger/" + manifest.id() + "/");
            assertThat(objects).extracting(ObjectInfo::key).contains("ledger/" + manifest.id() + "/manifest.json");
            ObjectInfo stream = objects.stream().filter(o -> o.key().endsWith(".zst.age")).findFirst().orElseThrow();
            assertThat(server.metadata("eazepay-backups", "prod/" + stream.key()).path("storageClass").asText())
                    .isEqualTo("NEARLINE");
            // the engine marks stream objects as data: its bookkeeping keeps the bucket's default class
            assertThat(server.metadata("eazepay-backups", "prod/ledger/" + manifest.id() + "/manifest.json")
                    .path("storageClass").asText()).isNotEqualTo("NEARLINE");

            // standard tools: fetch (gcloud storage cp), sha256sum against the manifest, age -d | zstd -d
            Path fetched = dir.resolve("fetched.zst.age");
            try (InputStream in = storage.get(stream.key())) {
                Files.copy(in, fetched);
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(fetched)));
            assertThat(manifest.streams()).extracting(Manifest.StreamInfo::sha256).contains(sha);
            Path plain = dir.resolve("plain.csv");
            Process p = new ProcessBuilder("/bin/sh", "-c", "age -d -i key.txt fetched.zst.age | zstd -d > plain.csv")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(Files.readAllBytes(plain)).isEqualTo(Files.readAllBytes(data));

            // the engine on a restore host holding the identity
            Path restored = dir.resolve("restored.csv");
            try (BackupEngine engine = engine(storage, data, AgeEncryption.decryptOnly().withIdentityFile(identity))) {
                engine.restore("ledger").latest().into(StreamTarget.file(restored)).run();
            }
            assertThat(Files.readAllBytes(restored)).isEqualTo(Files.readAllBytes(data));
        }
    }
}
