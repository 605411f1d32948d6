package com.eazepay.backup.files;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FilesSource} passes the source contract on a real directory. */
class FilesSourceContractTest extends SourceContract {

    @TempDir
    Path tmp;
    Path config;
    int targets;

    @BeforeEach
    void fixture() throws IOException {
        config = tmp.resolve("payments-config");
        Files.createDirectories(config.resolve("conf.d"));
        Files.writeString(config.resolve("application.yml"), "server:\n  port: 8443\n" + "# padding\n".repeat(40));
        Files.writeString(config.resolve("conf.d/limits.yml"), "daily: 10000\n");
    }

    @Override
    protected BackupSource newSource(String name) {
        return FilesSource.builder(name).directory(config).build();
    }

    @Override
    protected RestoreTarget newTarget() {
        return FilesTarget.directory(tmp.resolve("restored-" + (++targets)));
    }

    @Override
    protected void assertRestored(RestoreTarget target) {
        Path root = ((FilesTarget) target).directory().resolve("payments-config");
        try {
            assertThat(Files.readString(root.resolve("application.yml"))).isEqualTo(Files.readString(config.resolve("application.yml")));
            assertThat(Files.readString(root.resolve("conf.d/limits.yml"))).isEqualTo("daily: 10000\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected boolean expectedSensitive() {
        return false;
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("FilesTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        return null; // a files source has no password or token setting
    }
}
