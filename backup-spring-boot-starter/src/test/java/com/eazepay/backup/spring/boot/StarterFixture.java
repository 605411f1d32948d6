package com.eazepay.backup.spring.boot;

import com.eazepay.backup.age.AgeKeys;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A files source in a temporary directory backed up to a temporary filesystem repository, age-encrypted. */
final class StarterFixture {

    final Path data;
    final Path repository;
    final AgeKeys keys = AgeKeys.generate();

    StarterFixture(Path tmp) {
        this.data = tmp.resolve("app-config");
        this.repository = tmp.resolve("repository");
        try {
            Files.createDirectories(data);
            Files.writeString(data.resolve("application.properties"), "payments.currency=EUR\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String recipient() {
        return keys.recipient().toString();
    }

    /** Our auto-configuration only, with a files source {@code config} and its retention, as an application.yml would give. */
    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BackupAutoConfiguration.class))
                .withPropertyValues(
                        "eazepay.backup.repository.type=filesystem",
                        "eazepay.backup.repository.path=" + repository,
                        "eazepay.backup.encryption.recipients=" + recipient(),
                        "eazepay.backup.sources.config.type=files",
                        "eazepay.backup.sources.config.paths[0]=" + data,
                        "eazepay.backup.sources.config.retention.keep-daily=7",
                        "eazepay.backup.sources.config.retention.keepWeekly=4",
                        "eazepay.backup.sources.config.objectives.rpo=24h");
    }
}
