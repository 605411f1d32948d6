package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Age through the engine: stored streams restore with the engine and with standard tools only. */
class AgeEngineEndToEndTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @BeforeAll
    static void toolsInstalled() {
        AgeTestSupport.requireAge();
        if (!Files.isExecutable(Path.of("/usr/bin/zstd"))) {
            throw new AssertionError("/usr/bin/zstd is missing: install the Debian package zstd");
        }
    }

    private BackupEngine engine(Path repo, Path data, Encryption encryption) {
        return Backup.engine()
                .repository(FileSystemStorage.at(repo))
                .compression(Compression.zstd())
                .encryption(encryption)
                .source(CommandSource.builder("ledger", "cat", data.toString()).stream("ledger", "csv").sensitive().build())
                .clock(CLOCK)
                .build();
    }

    @Test
    @Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a pipeline bug must fail, not hang the build
    void backupToRecipientsRestoresWithAgeAndZstdCliAndWithTheEngineHoldingTheIdentity() throws Exception {
        AgeKeys ops = AgeKeys.generate();
        AgeKeys escrow = AgeKeys.generate();
        Path key = dir.resolve("escrow-key.txt");
        AgeKeys.writeIdentityFile(key, escrow.identity(), CLOCK);
        Path data = dir.resolve("ledger.csv");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            rows.append(i).append(",EUR,").append(i * 37 % 10_000).append(".25,settled\n");
        }
        Files.writeString(data, rows);
        Path repo = dir.resolve("repo");

        BackupResult result;
        try (BackupEngine backupOnly = engine(repo, data,
                AgeEncryption.toRecipients(ops.recipient().encoded(), escrow.recipient().encoded()))) {
            result = backupOnly.backup("ledger").run();
            assertThat(backupOnly.verify("ledger").latest().run()).isNotNull();
            assertThatThrownBy(() -> backupOnly.restore("ledger").latest().into(StreamTarget.file(dir.resolve("x"))).run())
                    .isInstanceOf(BackupException.class);
        }
        assertThat(result.manifest().encryption().id()).isEqualTo("age");
        assertThat(result.manifest().encryption().parameters())
                .containsEntry("recipients", List.of(ops.recipient().encoded(), escrow.recipient().encoded()));
        Path stored;
        try (Stream<Path> files = Files.walk(repo)) {
            stored = files.filter(p -> p.toString().endsWith(".zst.age")).findFirst().orElseThrow();
        }
        String manifestJson;
        try (Stream<Path> files = Files.walk(repo)) {
            manifestJson = Files.readString(files.filter(p -> p.getFileName().toString().equals("manifest.json")).findFirst().orElseThrow());
        }
        assertThat(manifestJson).contains(escrow.recipient().encoded()).doesNotContain("AGE-SECRET-KEY");

        // standard tools only
        AgeTestSupport.Run cli = AgeTestSupport.run(dir, null, "/bin/sh", "-c",
                "age -d -i escrow-key.txt '" + stored + "' | zstd -d");
        assertThat(cli.exit()).as(cli.stderr()).isZero();
        assertThat(cli.stdout()).isEqualTo(Files.readAllBytes(data));

        // the engine on a restore host
        Path restored = dir.resolve("restored.csv");
        try (BackupEngine restoring = engine(repo, data, AgeEncryption.decryptOnly().withIdentityFile(key))) {
            restoring.restore("ledger").latest().into(StreamTarget.file(restored)).run();
        }
        assertThat(Files.readAllBytes(restored)).isEqualTo(Files.readAllBytes(data));

        // a host with an unrelated key gets a clear error and no file
        Path wrongTarget = dir.resolve("wrong.csv");
        try (BackupEngine wrong = engine(repo, data, AgeEncryption.decryptOnly().withIdentities(AgeKeys.generate().identity()))) {
            assertThatThrownBy(() -> wrong.restore("ledger").latest().into(StreamTarget.file(wrongTarget)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.DECRYPTION_FAILED);
                        assertThat(e.getMessage()).contains("no identity matches any recipient");
                    });
        }
        assertThat(wrongTarget).doesNotExist();
    }
}
