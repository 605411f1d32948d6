package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.config.BackupConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** eazepay.backup.* written in an application.yml, as applications write it, read by a real Spring Boot context. */
class BackupPropertyBindingTest {

    @TempDir
    Path tmp;

    private ApplicationContextRunner withYaml(String yaml) throws IOException {
        Path file = tmp.resolve("application.yml");
        Files.writeString(file, yaml);
        return new ApplicationContextRunner()
                .withInitializer(new ConfigDataApplicationContextInitializer())
                .withConfiguration(AutoConfigurations.of(BackupAutoConfiguration.class))
                .withPropertyValues("spring.config.location=file:" + file);
    }

    @Test
    void applicationYmlMapsOntoTheSameModelAsTheCliYaml() throws IOException {
        StarterFixture f = new StarterFixture(tmp);
        withYaml("""
                eazepay:
                  backup:
                    repository:
                      type: filesystem
                      path: %s
                    replicas:
                      - type: filesystem
                        path: %s
                    encryption:
                      recipients:
                        - %s
                        - %s
                    compression: {type: zstd, level: 1}
                    objectives:
                      rpo: 1h30m
                      rto: 4h
                    sources:
                      config:
                        type: files
                        paths: [%s]
                        retention:
                          keep-daily: 7
                          keep-within: 2w
                        objectives:
                          rto: 1h
                """.formatted(f.repository, tmp.resolve("replica"), f.recipient(), new StarterFixture(tmp.resolve("b")).recipient(),
                f.data)).run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    BackupConfig config = ctx.getBean(BackupConfig.class);
                    assertThat(config.replicas()).hasSize(1);
                    assertThat(config.encryption().toString()).contains(f.recipient());
                    BackupConfig.SourceEntry s = config.source("config");
                    assertThat(s.objectives().rpo()).isEqualTo(Duration.ofMinutes(90));
                    assertThat(s.objectives().rto()).isEqualTo(Duration.ofHours(1));
                    assertThat(s.retention()).isNotNull();
                    // the typed properties (IDE metadata) see the same values
                    BackupProperties p = ctx.getBean(BackupProperties.class);
                    assertThat(p.getSources().get("config").getRetention().getKeepDaily()).isEqualTo(7);
                    assertThat(p.getEncryption().getRecipients()).hasSize(2);
                });
    }

    @Test
    void aBadValueInApplicationYmlIsReportedWithItsFileLineAndColumn() throws IOException {
        StarterFixture f = new StarterFixture(tmp);
        withYaml("""
                eazepay:
                  backup:
                    repository:
                      type: filesystem
                      path: %s
                    encryption:
                      recipients: %s
                    sources:
                      config:
                        type: files
                        paths: [%s]
                        objectives:
                          rpo: soon
                """.formatted(f.repository, f.recipient(), f.data)).run(ctx -> {
                    assertThat(ctx).hasFailed();
                    Throwable c = ctx.getStartupFailure();
                    while (!(c instanceof BackupException) && c.getCause() != null) {
                        c = c.getCause();
                    }
                    assertThat(c).isInstanceOf(BackupException.class)
                            .hasMessageContaining("application.yml] line 13, column 16: eazepay.backup.sources.config.objectives.rpo: "
                                    + "expected a duration");
                });
    }
}
