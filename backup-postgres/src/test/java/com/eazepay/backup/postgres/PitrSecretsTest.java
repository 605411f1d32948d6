package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.Secret;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replication password never shows in toString() or in builder errors of the PITR classes. */
class PitrSecretsTest {

    static final String PASSWORD = "s3cr3t-repl-pw";

    @TempDir
    Path tmp;

    @Test
    void theReplicationPasswordAppearsInNoToStringAndNoBuilderError() {
        PostgresBaseBackupSource source = PostgresBaseBackupSource.builder().host("db.internal").user("backup")
                .password(Secret.of(PASSWORD)).build();
        WalArchive archive = WalArchive.builder().repository(FileSystemStorage.at(tmp)).source("postgres")
                .encryption(AgeEncryption.toRecipients(AgeKeys.generate().recipient().encoded())).build();
        WalReceiver receiver = WalReceiver.builder().host("db.internal").password(Secret.of(PASSWORD))
                .spool(tmp.resolve("spool")).archive(archive).build();
        assertThat(source.toString()).doesNotContain(PASSWORD).contains("db.internal");
        assertThat(receiver.toString()).doesNotContain(PASSWORD).contains("db.internal");
        assertThatThrownBy(() -> WalReceiver.builder().host("db.internal").password(Secret.of(PASSWORD)).slot("Bad Slot")
                .build())
                .isInstanceOf(BackupException.class)
                .hasMessageContaining("slot name 'Bad Slot' is invalid").hasMessageContaining("spool directory is required")
                .hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> PostgresBaseBackupSource.builder().name("wal").password(Secret.of(PASSWORD)).build())
                .isInstanceOf(BackupException.class).hasMessageContaining("host is required")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void thePassfileIsOwnerOnlyEscapedAndGoneAfterClose() throws Exception {
        java.nio.file.Path file;
        try (com.eazepay.backup.postgres.internal.Passfile p = com.eazepay.backup.postgres.internal.Passfile.write(
                "db:1", 5432, "back\\up", Secret.of("pa:ss"))) {
            file = java.nio.file.Path.of(p.environment().get("PGPASSFILE"));
            assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            assertThat(java.nio.file.Files.readString(file)).isEqualTo("db\\:1:5432:*:back\\\\up:pa\\:ss\n");
        }
        assertThat(file).doesNotExist();
        assertThat(com.eazepay.backup.postgres.internal.Passfile.write("h", 1, "u", null).environment()).isEmpty();
    }
}
