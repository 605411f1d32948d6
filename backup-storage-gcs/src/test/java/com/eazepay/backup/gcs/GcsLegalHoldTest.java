package com.eazepay.backup.gcs;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's legal hold also sets the GCS temporary hold on every object of the backup, and releases it. */
class GcsLegalHoldTest {

    @TempDir
    Path dir;

    @Test
    void engineLegalHoldSetsAndReleasesTheTemporaryHoldOfEveryObjectOfTheBackup() throws Exception {
        Path data = dir.resolve("ledger.csv");
        Files.writeString(data, "1,EUR,10.00\n2,EUR,20.00\n");
        try (FakeGcsServer server = FakeGcsServer.start()) {
            server.createBucket("held");
            try (GcsStorage gcs = GcsStorage.bucket("held").prefix("prod/").host(server.host())
                    .retryPolicy(RetryPolicy.none()).build();
                 BackupEngine engine = Backup.engine().repository(gcs).compression(Compression.zstd())
                         .encryption(Encryption.none())
                         .source(CommandSource.builder("ledger", "cat", data.toString()).stream("ledger", "csv").build())
                         .clock(Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC)).build()) {
                Manifest m = engine.backup("ledger").run().manifest();
                String stream = "prod/ledger/" + m.id() + "/" + m.streams().get(0).object();
                String manifest = "prod/ledger/" + m.id() + "/manifest.json";

                engine.legalHold("ledger", m.id(), true);
                assertThat(server.metadata("held", stream).path("temporaryHold").asBoolean()).isTrue();
                assertThat(server.metadata("held", manifest).path("temporaryHold").asBoolean()).isTrue();
                assertThat(engine.legalHolds("ledger")).containsExactly(m.id());
                // the store itself refuses to delete a held object, whoever asks
                assertThatThrownBy(() -> gcs.delete("ledger/" + m.id() + "/manifest.json"))
                        .isInstanceOfSatisfying(BackupException.class,
                                e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED));

                engine.legalHold("ledger", m.id(), false);
                assertThat(server.metadata("held", stream).path("temporaryHold").asBoolean()).isFalse();
                assertThat(server.metadata("held", manifest).path("temporaryHold").asBoolean()).isFalse();
                assertThat(engine.legalHolds("ledger")).isEmpty();
            }
        }
    }
}
