package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A corruption drill swaps into place only when told ({@code swap()}): a files source backing up one directory swaps
 * it (the previous kept), a source that cannot swap is reported as such and fails; restore and checks are timed apart.
 */
class DrillSwapTest {

    @TempDir
    Path tmp;

    private final TestClock clock = TestClock.at(Instant.parse("2026-11-01T00:00:00Z"));
    private final InMemoryStorage storage = InMemoryStorage.withClock(clock);

    @Test
    void aCorruptionDrillWithSwapPutsTheRestoredDirectoryInPlaceKeepingThePreviousAndWithoutSwapTouchesNothing() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("config"));
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(config).build()).build()) {
            BackupResult backup = engine.backup("config").run();
            Files.writeString(config.resolve("app.yml"), "port: garbage\n"); // the corruption
            Files.writeString(config.resolve("junk.tmp"), "junk\n");
            Path before = tmp.resolve("config.before-" + backup.manifest().id());

            DrillReport plain = engine.drill().scenario(Drill.Scenario.CORRUPTION).run().orThrow();

            DrillReport.SourceResult p = plain.sources().get(0);
            assertThat(p.swap()).isNull();
            assertThat(p.restoredInto()).endsWith("(dropped)");
            assertThat(p.stages()).containsKeys("select", "restore", "checks", "cleanup").doesNotContainKey("swap");
            assertThat(Files.readString(config.resolve("app.yml"))).isEqualTo("port: garbage\n");
            assertThat(before).doesNotExist();

            DrillReport swapped = engine.drill().scenario(Drill.Scenario.CORRUPTION).swap().run().orThrow();

            DrillReport.SourceResult s = swapped.sources().get(0);
            assertThat(s.swap()).isEqualTo("swapped into " + config + "; previous kept as " + before);
            assertThat(s.stages()).containsKeys("select", "restore", "checks", "swap", "cleanup");
            assertThat(Files.readString(config.resolve("app.yml"))).isEqualTo("port: 8443\n");
            assertThat(config.resolve("junk.tmp")).doesNotExist();
            assertThat(Files.readString(before.resolve("app.yml"))).isEqualTo("port: garbage\n");
            assertThat(before.resolve("junk.tmp")).exists();
            assertThat(storage.listAll("locks/cleanup/")).isEmpty();
            String md = new String(storage.get(swapped.reportKeys().get(1)).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(md).contains("## Swapped into place").contains("- config: swapped into " + config);
        }
    }

    @Test
    void aSourceThatCannotSwapIsReportedAsSuchAndFailsTheDrillLeavingTheLiveDataAlone() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("x.txt"), "a\n");
        Files.writeString(b.resolve("y.txt"), "b\n");
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("two").directory(a).directory(b).build()).build()) {
            engine.backup("two").run();
            Files.writeString(a.resolve("x.txt"), "changed\n");

            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).swap().run();

            DrillReport.SourceResult s = report.sources().get(0);
            assertThat(report.passed()).isFalse();
            assertThat(s.recovered()).isFalse();
            assertThat(s.swap()).startsWith("NOT swapped: source 'two' (files) cannot swap a scratch restore into place");
            assertThat(s.why()).isEqualTo(s.swap());
            assertThat(s.restoredInto()).endsWith("(dropped)");
            assertThat(Files.readString(a.resolve("x.txt"))).isEqualTo("changed\n");
            assertThat(catchThrowableOfType(report::orThrow, BackupException.class).getMessage()).contains("cannot swap");

            BackupException e = catchThrowableOfType(() -> engine.drill().scenario(Drill.Scenario.FULL_LOSS).swap().run(),
                    BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains("corruption drills only");
        }
    }

    @Test
    void aSwapDrillBringsBackADirectoryTheCorruptionRemovedAltogether() throws Exception {
        Path config = Files.createDirectories(tmp.resolve("gone"));
        Files.writeString(config.resolve("app.yml"), "port: 8443\n");
        try (BackupEngine engine = Backup.engine().repository(storage).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("gone").directory(config).build()).build()) {
            engine.backup("gone").run();
            Files.delete(config.resolve("app.yml"));
            Files.delete(config);

            DrillReport report = engine.drill().scenario(Drill.Scenario.CORRUPTION).swap().run().orThrow();

            assertThat(report.sources().get(0).swap()).isEqualTo("swapped into " + config + "; previous kept as nothing ("
                    + config + " did not exist)");
            assertThat(Files.readString(config.resolve("app.yml"))).isEqualTo("port: 8443\n");
        }
    }
}
