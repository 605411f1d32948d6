package com.eazepay.backup.redis;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.IntegrityReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StreamValidator;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code engine.verify(..).integrity()} on Redis backups: the RDB parsed to its CRC-64 trailer, keys compared with the manifest. */
class RedisIntegrityTest {

    @TempDir
    Path tmp;

    private static AgeEncryption age(AgeKeys keys) {
        return AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
    }

    @Test
    void integrityParsesTheRdbOfARealServerAndComparesKeysWithTheManifest() {
        AgeKeys keys = AgeKeys.generate();
        try (TestRedis source = TestRedis.debian(tmp.resolve("source"));
             BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(tmp.resolve("repo"))).compression(Compression.zstd())
                     .encryption(age(keys)).source(RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).build())
                     .build()) {
            Dataset.fill(source);
            engine.backup("cache").run();

            IntegrityReport report = engine.verify("cache").integrity().orThrow();

            List<CheckResult> checks = report.targets().get(0).validation().get("dump");
            assertThat(checks).extracting(CheckResult::name).containsExactly("rdb structure and CRC-64", "keys per database");
            assertThat(checks).allMatch(CheckResult::passed);
            assertThat(checks.get(0).detail()).contains("CRC-64 trailer matches");
        }
    }

    @Test
    void anRdbWithAValidCodecButABrokenStructureFailsValidationNamingTheOffset() throws IOException {
        AgeKeys keys = AgeKeys.generate();
        Path dir = tmp.resolve("source");
        byte[] rdb;
        try (TestRedis source = TestRedis.debian(dir)) {
            Dataset.fill(source);
            source.call("SAVE");
            rdb = java.nio.file.Files.readAllBytes(dir.resolve("dump.rdb"));
        }
        byte[] cut = java.util.Arrays.copyOf(rdb, rdb.length / 2); // an RDB whose end is missing
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(tmp.resolve("repo"))).compression(Compression.zstd())
                .encryption(age(keys)).source(writing("cache", cut)).build()) {
            engine.backup("cache").run();
            assertThat(engine.verify("cache").run().passed()).as("SHA-256, age and zstd all check out").isTrue();

            IntegrityReport report = engine.verify("cache").integrity();

            CheckResult parsed = report.targets().get(0).validation().get("dump").get(0);
            assertThat(parsed.passed()).isFalse();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).contains("fails format validation").contains("dump.rdb.zst.age");
        }
    }

    /** A "redis" source whose backup is the given bytes as an RDB stream, checked by the real Redis validator. */
    private static BackupSource writing(String name, byte[] bytes) {
        StreamValidator validator = RedisSource.builder().name(name).host("127.0.0.1").port(1).build().validator().orElseThrow();
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return "redis";
            }

            @Override
            public void backup(BackupContext context) {
                try (OutputStream out = context.newStream("dump", "rdb")) {
                    out.write(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                throw new UnsupportedOperationException("not restored in this test");
            }

            @Override
            public Optional<StreamValidator> validator() {
                return Optional.of(validator);
            }
        };
    }
}
