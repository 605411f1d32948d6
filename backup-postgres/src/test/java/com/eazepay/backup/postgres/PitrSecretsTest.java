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
    void thePassfileGoesThroughTheSharedSecretFileOwnerOnlyEscapedAndGoneAfterTheRun() throws Exception {
        Secret line = com.eazepay.backup.postgres.internal.ConnectionSettings.passfile("db:1", 5432, "back\\up",
                Secret.of("pa:ss"));
        assertThat(line.toString()).doesNotContain("pa:ss");
        StringBuilder seen = new StringBuilder();
        // The child reports the file's mode, contents and path, as pg_basebackup/pg_receivewal would find them.
        com.eazepay.backup.spi.ChildProcess.of(java.util.List.of("sh", "-c",
                        "stat -c %a \"$PGPASSFILE\"; cat \"$PGPASSFILE\"; echo \"$PGPASSFILE\""))
                .secretFile("PGPASSFILE", line)
                .run(out -> seen.append(new String(out.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        String[] lines = seen.toString().split("\n");
        assertThat(lines[0]).isEqualTo("600");
        assertThat(lines[1]).isEqualTo("db\\:1:5432:*:back\\\\up:pa\\:ss");
        assertThat(java.nio.file.Path.of(lines[2])).doesNotExist();
        assertThat(com.eazepay.backup.postgres.internal.ConnectionSettings.passfile("h", 1, null, Secret.of("p")).reveal())
                .isEqualTo("h:1:*:*:p\n");
    }
}
