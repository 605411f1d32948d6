package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Configured passwords appear in no toString(), exception message or log line. */
class SecretsTest {

    static final String PASSWORD = "s3cr3t-Pa55word-xyz";

    @TempDir
    Path tmp;

    @Test
    void passwordNeverAppearsInToStringMessagesOrLogs() throws Exception {
        RedisSource fromUri = RedisSource.builder().uri("redis://backup:" + PASSWORD + "@127.0.0.1:6390").build();
        RedisTarget target = RedisTarget.server("127.0.0.1", 6390).user("backup").password(Secret.of(PASSWORD));
        assertThat(fromUri.toString()).doesNotContain(PASSWORD).contains("backup@127.0.0.1:6390");
        assertThat(target.toString()).doesNotContain(PASSWORD);
        assertThat(target.describe()).doesNotContain(PASSWORD);

        try (TestRedis server = TestRedis.debian(tmp.resolve("server"), "requirepass " + PASSWORD,
                "user backup on >" + PASSWORD + " ~* &* +@all -psync -sync")) {
            // wrong password
            RedisSource wrong = RedisSource.builder().host("127.0.0.1").port(server.port).password(Secret.of("not-" + PASSWORD)).build();
            BackupException e = catchThrowableOfType(BackupException.class, () -> wrong.backup(DirectoryBackupContext.in(tmp.resolve("a"))));
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.AUTHENTICATION_FAILED); // WRONGPASS
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("authentication").doesNotContain(PASSWORD);
            assertThat(wrong.toString()).doesNotContain(PASSWORD);

            // an ACL user without SYNC/PSYNC: NOPERM, pointing at KEY_DUMP; KEY_DUMP then works with the same user
            RedisSource acl = RedisSource.builder().host("127.0.0.1").port(server.port).user("backup").password(Secret.of(PASSWORD)).build();
            server.call("AUTH", PASSWORD);
            try (var c = server.connect()) {
                c.call("AUTH", PASSWORD);
                c.call("SET", "k", "v");
            }
            BackupException refused = catchThrowableOfType(BackupException.class, () -> acl.backup(DirectoryBackupContext.in(tmp.resolve("b"))));
            assertThat(refused.getMessage()).contains("NOPERM").contains("Mode.KEY_DUMP").doesNotContain(PASSWORD);

            DirectoryBackupContext ok = DirectoryBackupContext.in(tmp.resolve("c"));
            RedisSource.builder().host("127.0.0.1").port(server.port).user("backup").password(Secret.of(PASSWORD))
                    .mode(RedisSource.Mode.KEY_DUMP).build().backup(ok);
            assertThat(ok.facts()).containsEntry("keys", Map.of("db0", 1L)).doesNotContainValue(PASSWORD);
            assertThat(ok.facts().toString()).doesNotContain(PASSWORD);

            // a user that may not run INFO cannot take a key dump: it fails instead of storing an empty backup
            server.call("AUTH", PASSWORD);
            try (var c = server.connect()) {
                c.call("AUTH", PASSWORD);
                c.call("ACL", "SETUSER", "noinfo", "on", ">" + PASSWORD, "~*", "+@all", "-info");
            }
            BackupException noInfo = catchThrowableOfType(BackupException.class, () -> RedisSource.builder().host("127.0.0.1")
                    .port(server.port).user("noinfo").password(Secret.of(PASSWORD)).mode(RedisSource.Mode.KEY_DUMP).build()
                    .backup(DirectoryBackupContext.in(tmp.resolve("d"))));
            assertThat(noInfo.getMessage()).contains("INFO keyspace").doesNotContain(PASSWORD);

            // restore into a password-protected server with the right and the wrong password
            BackupException restoreWrong = catchThrowableOfType(BackupException.class, () -> acl.restore(ok.restoreContext(),
                    RedisTarget.server("127.0.0.1", server.port).password(Secret.of("nope-" + PASSWORD))));
            assertThat(restoreWrong.getMessage()).doesNotContain(PASSWORD);
        }

        Path log = Path.of(System.getProperty("org.slf4j.simpleLogger.logFile", "target/redis-test.log"));
        if (Files.exists(log)) {
            assertThat(Files.readString(log)).doesNotContain(PASSWORD);
        }
    }
}
