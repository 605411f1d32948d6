package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Restores into programs, what a command's stderr and environment may carry (issue 21 items 11, 19, 22). */
class CommandSafetyTest {

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;

    @BeforeEach
    void setUp() {
        clock = TestClock.create();
        storage = InMemoryStorage.withClock(clock);
    }

    private BackupEngine engine(CommandSource source) {
        return Backup.engine().repository(storage).compression(Compression.none()).encryption(Encryption.none())
                .clock(clock).source(source).build();
    }

    /** 256 KiB of output, then the stored object gets one byte flipped in its middle: caught only at the end. */
    private BackupResult corruptedBackup(BackupEngine engine) {
        BackupResult r = engine.backup("export").run();
        String key = "export/" + r.id() + "/output.bin";
        byte[] data = storage.bytes(key);
        data[data.length / 2] ^= 0x5a;
        storage.overwrite(key, data);
        return r;
    }

    private static CommandSource bigExport() {
        return CommandSource.builder("export", "sh", "-c", "head -c 262144 /dev/zero | tr '\\0' 'x'").build();
    }

    // ------------------------------------------------------------------ item 11

    @Test
    void aProgramTargetIsNeverStartedBeforeTheStreamWasVerified() {
        Path out = tmp.resolve("out");
        Path committed = tmp.resolve("committed");
        try (BackupEngine engine = engine(bigExport())) {
            corruptedBackup(engine);
            assertThatThrownBy(() -> engine.restore("export").latest()
                    .into(StreamTarget.command("sh", "-c", "cat > '" + out + "' && touch '" + committed + "'")
                            .spoolDirectory(tmp)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        }
        assertThat(out).doesNotExist();
        assertThat(committed).doesNotExist();
        assertThat(spoolFiles(tmp)).isEmpty();
    }

    @Test
    void aStreamingProgramTargetIsKilledBeforeItsStdinIsClosedOnAChecksumFailure() {
        Path committed = tmp.resolve("committed");
        try (BackupEngine engine = engine(bigExport())) {
            corruptedBackup(engine);
            for (int i = 0; i < 5; i++) {
                Path out = tmp.resolve("out" + i);
                assertThatThrownBy(() -> engine.restore("export").latest()
                        .into(StreamTarget.command("sh", "-c", "cat > '" + out + "' && touch '" + committed + "'").streaming()).run())
                        .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
                assertThat(committed).as("attempt %d", i).doesNotExist();
            }
        }
    }

    @Test
    void aProgramTargetReadsTheVerifiedBytesFromAnOwnerOnlySpoolThatIsDeletedAfterwards() throws IOException {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Path out = tmp.resolve("out");
        Path mode = tmp.resolve("mode");
        CommandSource source = CommandSource.builder("export", "sh", "-c", "printf 'a: 1\\nb: 2\\n'").build();
        try (BackupEngine engine = engine(source)) {
            engine.backup("export").run();
            // The program sees the spool file (already complete) while it runs.
            engine.restore("export").latest().into(StreamTarget.command("sh", "-c",
                    "stat -c '%a %s' \"$0\"/.eazepay-restore-*.spool > '" + mode + "' && cat > '" + out + "'", spool.toString())
                    .spoolDirectory(spool)).run();
        }
        assertThat(out).hasContent("a: 1\nb: 2");
        assertThat(Files.readString(mode).strip()).isEqualTo("600 10");
        assertThat(spoolFiles(spool)).isEmpty();
    }

    @Test
    void aFailedFileRestoreRemovesTheParentDirectoriesItCreated() {
        Path file = tmp.resolve("new/parent/export.bin");
        try (BackupEngine engine = engine(bigExport())) {
            corruptedBackup(engine);
            assertThatThrownBy(() -> engine.restore("export").latest().into(StreamTarget.file(file)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        }
        assertThat(tmp.resolve("new")).doesNotExist();
    }

    @Test
    void spoolOptionsApplyOnlyToProgramTargets() {
        assertThatThrownBy(() -> StreamTarget.file(tmp.resolve("f")).streaming()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StreamTarget.file(tmp.resolve("f")).spoolDirectory(tmp)).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ item 19

    @Test
    void aCommandsStderrIsNeverStoredInTheManifest() {
        CommandSource source = CommandSource.builder("export", "sh", "-c",
                "echo 'warning: connected to postgres://app:hunter2@db with password=hunter2' >&2; echo data").build();
        try (BackupEngine engine = engine(source)) {
            BackupResult r = engine.backup("export").run();
            assertThat(r.manifest().facts()).doesNotContainKey("stderr").containsEntry("bytes", 5L);
            String json = new String(storage.bytes("export/" + r.id() + "/manifest.json"), StandardCharsets.UTF_8);
            assertThat(json).doesNotContain("hunter2").doesNotContain("warning");
        }
    }

    // ------------------------------------------------------------------ item 22

    @Test
    void aChildSeesOnlyTheMinimalEnvironmentPlusWhatWasPassed() throws IOException {
        Set<String> allowed = Set.copyOf(ChildProcess.BASE_ENVIRONMENT);
        String leaked = System.getenv().keySet().stream().filter(k -> !allowed.contains(k)).sorted().findFirst().orElse(null);
        assumeThat(leaked).as("the test JVM has a variable outside the base environment (JAVA_HOME, MAVEN_*, ...)").isNotNull();

        Map<String, String> seen = childEnvironment(CommandSource.builder("export", "env")
                .environment("EXPLICIT", "1").secretEnvironment("TOKEN", Secret.of("s3cr3t")).build());
        assertThat(seen).doesNotContainKey(leaked).containsEntry("EXPLICIT", "1").containsEntry("TOKEN", "s3cr3t");
        Set<String> expected = new java.util.HashSet<>(Set.of("EXPLICIT", "TOKEN"));
        ChildProcess.BASE_ENVIRONMENT.stream().filter(k -> System.getenv(k) != null).forEach(expected::add);
        // sh-less `env` adds nothing of its own; PWD etc. would show up here if the JVM's environment leaked
        assertThat(seen.keySet()).isEqualTo(expected);
        if (System.getenv("PATH") != null) {
            assertThat(seen).containsEntry("PATH", System.getenv("PATH"));
        }

        storage = InMemoryStorage.withClock(clock);
        Map<String, String> inherited = childEnvironment(CommandSource.builder("export", "env").inheritEnvironment(leaked).build());
        assertThat(inherited).containsEntry(leaked, System.getenv(leaked));
    }

    private Map<String, String> childEnvironment(CommandSource source) throws IOException {
        Path file = tmp.resolve("env-" + System.nanoTime());
        try (BackupEngine engine = engine(source)) {
            engine.backup("export").run();
            engine.restore("export").latest().into(StreamTarget.file(file)).run();
        }
        Map<String, String> env = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    private static Set<Path> spoolFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".spool")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
