package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.IntegrityReport;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StreamValidator;
import com.eazepay.backup.test.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code engine.verify(..).integrity()} on files backups: every target, the tar walked without extracting. */
class FilesIntegrityTest {

    @TempDir
    Path tmp;

    private static AgeEncryption age(AgeKeys keys) {
        return AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
    }

    private Path config() throws IOException {
        Path dir = tmp.resolve("config");
        Files.createDirectories(dir.resolve("nested"));
        Files.writeString(dir.resolve("app.yml"), "port: 8443\n");
        Files.writeString(dir.resolve("nested/db.yml"), "url: jdbc:postgresql://db/app\n");
        return dir;
    }

    @Test
    void integrityWalksTheTarOnTheRepositoryAndTheReplicaAndARepositoryOnlyHostDoesTheSame() throws IOException {
        AgeKeys keys = AgeKeys.generate();
        InMemoryStorage primary = InMemoryStorage.create();
        InMemoryStorage replica = InMemoryStorage.create();
        try (BackupEngine engine = Backup.engine().repository(primary).replica(replica).compression(Compression.zstd())
                .encryption(age(keys)).source(FilesSource.builder("config").directory(config()).build()).build()) {
            engine.backup("config").run();

            IntegrityReport report = engine.verify("config").integrity().orThrow();

            assertThat(report.targets()).hasSize(2);
            assertThat(report.targets()).allSatisfy(t -> assertThat(t.validation().get("files"))
                    .extracting(CheckResult::name, CheckResult::passed)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("tar walk", true), org.assertj.core.groups.Tuple.tuple("files", true)));
        }
        try (BackupEngine dr = Backup.repository(primary).encryption(age(keys)).build()) {
            IntegrityReport report = dr.verify("config").integrity().orThrow();
            assertThat(report.targets().get(0).validation().get("files").get(0).detail()).startsWith("2 files, ");
        }
    }

    @Test
    void aTarWithAValidCodecButGarbageInsideFailsValidationAlthoughItsSha256Matches() {
        AgeKeys keys = AgeKeys.generate();
        InMemoryStorage storage = InMemoryStorage.create();
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd()).encryption(age(keys))
                .source(garbageFiles("config")).build()) {
            BackupResult r = engine.backup("config").run();
            assertThat(engine.verify("config").run().passed()).as("SHA-256, age and zstd all check out").isTrue();

            IntegrityReport report = engine.verify("config").integrity();

            assertThat(report.passed()).isFalse();
            assertThat(report.targets().get(0).validation().get("files").get(0).passed()).isFalse();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).contains(r.manifest().id()).contains("files.tar.zst.age").contains("tar walk");
            // the result is recorded in the repository
            assertThat(storage.keys()).anyMatch(k -> k.startsWith("reports/verify/config-" + r.manifest().id()));
        }
    }

    @Test
    void aCorruptObjectOnTheReplicaIsNamedWithItsFirstDifferingOffset() throws IOException {
        AgeKeys keys = AgeKeys.generate();
        InMemoryStorage primary = InMemoryStorage.create();
        InMemoryStorage replica = InMemoryStorage.create();
        try (BackupEngine engine = Backup.engine().repository(primary).replica(replica).compression(Compression.zstd())
                .encryption(age(keys)).source(FilesSource.builder("config").directory(config()).build()).build()) {
            BackupResult r = engine.backup("config").run();
            String key = "config/" + r.manifest().id() + "/files.tar.zst.age";
            byte[] bytes = replica.bytes(key);
            bytes[100] ^= 0x01;
            replica.overwrite(key, bytes);

            IntegrityReport report = engine.verify("config").integrity();

            assertThat(report.targets().get(0).passed()).isTrue();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH);
            assertThat(e.getMessage()).startsWith("on " + replica.describe()).contains(key).contains("at offset 100");
        }
    }

    /** A files-type source whose tar stream is random bytes, validated by the real tar validator. */
    private static BackupSource garbageFiles(String name) {
        StreamValidator validator = FilesSource.tarValidator();
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return "files";
            }

            @Override
            public void backup(BackupContext context) {
                byte[] junk = new byte[10_000];
                new java.util.Random(7).nextBytes(junk);
                try (OutputStream out = context.newStream("files", "tar")) {
                    out.write(junk);
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
