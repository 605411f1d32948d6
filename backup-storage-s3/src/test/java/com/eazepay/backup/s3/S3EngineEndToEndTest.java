package com.eazepay.backup.s3;

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
import com.eazepay.backup.spi.StorageTarget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine backing up to and restoring from {@link S3Storage} on S3Proxy with zstd + age (a backup
 * big enough to be a multipart upload), and the same backup restored with standard tools only: fetch
 * the object (what {@code aws s3 cp} does), check its SHA-256 against the manifest, {@code age -d | zstd -d}.
 * Needs the Debian packages {@code age} and {@code zstd}.
 */
class S3EngineEndToEndTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        for (String tool : List.of("/usr/bin/age", "/usr/bin/zstd")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new AssertionError(tool + " is missing: apt-get install -y age zstd");
            }
        }
    }

    private BackupEngine engine(StorageTarget storage, Path data, Encryption encryption) {
        return Backup.engine()
                .repository(storage)
                .compression(Compression.zstd())
                .encryption(encryption)
                .source(CommandSource.builder("ledger", "cat", data.toString()).stream("ledger", "csv").build())
                .clock(CLOCK)
                .build();
    }

    @Test
    void engineBacksUpToS3AndTheBackupRestoresWithTheEngineAndWithAgeAndZstd() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path identity = dir.resolve("key.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), CLOCK);
        Path data = dir.resolve("ledger.csv");
        // Rows with a random column, so the zstd + age stream is still larger than one 5 MiB part.
        Random random = new Random(11);
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 400_000; i++) {
            rows.append(i).append(",EUR,").append(random.nextInt(1_000_000)).append('.').append(random.nextInt(100))
                    .append(",").append(Long.toHexString(random.nextLong())).append(",settled\n");
        }
        Files.writeString(data, rows);

        try (S3Storage s3 = S3.freshBucketStorage(b -> b.prefix("prod/").storageClass("STANDARD_IA"))) {
            // not wrapped in RetryingStorage: S3Storage retries each request and part itself
            StorageTarget storage = s3;
            Manifest manifest;
            try (BackupEngine engine = engine(storage, data, AgeEncryption.toRecipients(keys.recipient().encoded()))) {
                BackupResult result = engine.backup("ledger").tag("pre-deploy").run();
                manifest = result.manifest();
                assertThat(engine.verify("ledger").latest().run()).isNotNull();
            }
            List<ObjectInfo> objects = s3.listAll("ledger/" + manifest.id() + "/");
            assertThat(objects).extracting(ObjectInfo::key).contains("ledger/" + manifest.id() + "/manifest.json");
            ObjectInfo stream = objects.stream().filter(o -> o.key().endsWith(".zst.age")).findFirst().orElseThrow();
            assertThat(stream.size()).as("large enough to be a multipart upload").isGreaterThan(5L * 1024 * 1024);
            assertThat(S3.admin().listMultipartUploads(r -> r.bucket(s3.bucketName())).uploads()).isEmpty();

            // standard tools: fetch (aws s3 cp), sha256sum against the manifest, age -d | zstd -d
            Path fetched = dir.resolve("fetched.zst.age");
            try (InputStream in = s3.get(stream.key())) {
                Files.copy(in, fetched);
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(fetched)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            assertThat(manifest.streams()).extracting(Manifest.StreamInfo::sha256).contains(HexFormat.of().formatHex(md.digest()));
            Process p = new ProcessBuilder("/bin/sh", "-c", "age -d -i key.txt fetched.zst.age | zstd -d > plain.csv")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(output).isZero();
            assertThat(Files.mismatch(dir.resolve("plain.csv"), data)).isEqualTo(-1L);

            // the engine on a restore host holding the identity
            Path restored = dir.resolve("restored.csv");
            try (BackupEngine engine = engine(storage, data, AgeEncryption.decryptOnly().withIdentityFile(identity))) {
                engine.restore("ledger").latest().into(StreamTarget.file(restored)).run();
            }
            assertThat(Files.mismatch(restored, data)).isEqualTo(-1L);
        }
    }
}
