package com.eazepay.backup.redis;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.test.CuttingProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** RedisSource through the engine: zstd + age into a filesystem repository, back into a live server, and by hand with standard tools. */
class EngineRedisTest {

    @TempDir
    Path tmp;

    @Test
    void backupThroughTheEngineRestoresIntoALiveServerAndByHandWithAgeZstdAndRedisServer() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path identity = tmp.resolve("identity.txt");
        AgeKeys.writeIdentityFile(identity, keys.identity(), Clock.systemUTC());
        Path repo = tmp.resolve("repo");
        try (TestRedis source = TestRedis.debian(tmp.resolve("source"));
             TestRedis target = TestRedis.debian(tmp.resolve("target"));
             BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(Compression.zstd())
                     .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                     .source(RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).build()).build()) {
            Dataset.fill(source);
            Map<String, String> expected = Dataset.snapshot(source);

            BackupResult r = engine.backup("cache").tag("pre-deploy").run();
            assertThat(r.manifest().sourceType()).isEqualTo("redis");
            assertThat(r.manifest().stream("dump")).get().extracting(s -> s.object()).isEqualTo("dump.rdb.zst.age");
            assertThat(r.manifest().facts()).containsEntry("pointInTime", true).containsEntry("rdbVersion", 10)
                    .containsKey("redisVersion").containsKey("keys").containsKey("expiringKeys");

            RestoreResult rr = engine.restore("cache").tagged("pre-deploy").into(RedisTarget.server("127.0.0.1", target.port))
                    .checked().run();
            assertThat(rr.checksPassed()).isTrue();
            assertThat(rr.checks()).hasSize(3);
            Dataset.assertSame(Dataset.snapshot(target), expected);

            // the documented disaster path: age | zstd > dump.rdb, then redis-server loads it
            Path stored;
            try (Stream<Path> files = Files.walk(repo)) {
                stored = files.filter(p -> p.getFileName().toString().equals("dump.rdb.zst.age")).findFirst().orElseThrow();
            }
            Path byHand = tmp.resolve("by-hand");
            Files.createDirectories(byHand);
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", "age -d -i \"$1\" \"$2\" | zstd -d -o \"$3\"", "restore",
                    identity.toString(), stored.toString(), byHand.resolve("dump.rdb").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            RedisSourceTest.assertRedisCheckRdbAccepts(byHand.resolve("dump.rdb"));
            try (TestRedis loaded = TestRedis.debian(byHand)) {
                Dataset.assertSame(Dataset.snapshot(loaded), expected);
            }
        }
    }

    @Test
    void connectionDroppedMidTransferLeavesNoBackupVisible() throws Exception {
        Path repo = tmp.resolve("repo-cut");
        try (TestRedis source = TestRedis.debian(tmp.resolve("source-cut"));
             CuttingProxy proxy = CuttingProxy.cuttingResponses(source.port, 20_000);
             BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).compression(Compression.zstd())
                     .encryption(com.eazepay.backup.spi.Encryption.none()).allowUnencryptedSensitiveData()
                     .source(RedisSource.builder().name("cache").host("127.0.0.1").port(proxy.port()).build()).build()) {
            Dataset.fill(source);

            com.eazepay.backup.BackupException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    com.eazepay.backup.BackupException.class, () -> engine.backup("cache").run());

            assertThat(e.getMessage()).contains("RDB");
            assertThat(engine.list("cache")).isEmpty();
            assertThat(engine.latest("cache")).isEmpty();
        }
        if (Files.exists(repo)) {
            try (Stream<Path> files = Files.walk(repo)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("manifest"));
            }
        }
    }
}
