package com.eazepay.backup.examples;

import com.eazepay.backup.age.AgeKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ExamplesTest {

    @TempDir
    Path work;

    @Test
    void filesDemoBacksUpVerifiesAndRestoresAndPrintsTheStandardToolsCommand() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = FilesDemo.run(work, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(out).isTrue();
        assertThat(out).contains("backup id", "restore verified", "age -d -i", "| zstd -d | tar -x");
        assertThat(work.resolve("demo-identity.txt")).exists();
        try (Stream<Path> s = Files.walk(work.resolve("demo-repository"))) {
            assertThat(s.map(Path::toString)).anyMatch(p -> p.endsWith("files.tar.zst.age")).anyMatch(p -> p.endsWith("manifest.json"));
        }
    }

    @Test
    void filesDemoPrintsStandardToolsCommandsThatRestoreAsPrintedWithOwnerOnlySecrets() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertThat(FilesDemo.run(work, new PrintStream(buf, true, StandardCharsets.UTF_8))).isTrue();
        String out = buf.toString(StandardCharsets.UTF_8);
        Path key = work.resolve("demo-config/payments/tls/server.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        // the lines after "without this library:", pasted into a shell exactly as printed (needs age and zstd)
        List<String> lines = out.lines().dropWhile(l -> !l.contains("without this library:")).skip(1).map(String::strip).toList();
        assertThat(lines).hasSize(3);
        Process shell = new ProcessBuilder("bash", "-euo", "pipefail", "-c", String.join("\n", lines))
                .directory(work.toFile()).redirectErrorStream(true).start();
        String shellOut = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor()).as(String.join("\n", lines) + "\n" + shellOut).isZero();

        Path byHand;
        try (Stream<Path> s = Files.list(work.resolve("demo-restore-by-hand"))) {
            byHand = s.findFirst().orElseThrow().resolve("payments");
        }
        assertThat(FilesDemo.sameTree(work.resolve("demo-config/payments"), byHand)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(byHand.resolve("tls/server.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void mongoDemoBacksUpAndRestoresWithCountChecks() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean ok = com.eazepay.backup.examples.mongo.MongoDemo.run(work, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(ok).as(out).isTrue();
        assertThat(out).contains("restore verified", "mongorestore --archive", "users");
    }

    @Test
    void preDeployHookPrintsIdsAndFailsTheDeployWhenABackupFails() throws Exception {
        Path dir = Files.createDirectories(work.resolve("etc/app"));
        Files.writeString(dir.resolve("app.yml"), "a: 1\n");
        String recipient = AgeKeys.generate().recipient().encoded();
        assertThat(PreDeployBackup.run(Map.of("BACKUP_REPOSITORY", work.resolve("repo").toString(),
                "BACKUP_CONFIG_DIRS", dir.toString(), "BACKUP_AGE_RECIPIENTS", recipient))).isZero();
        assertThat(PreDeployBackup.run(Map.of("BACKUP_REPOSITORY", work.resolve("repo").toString(),
                "BACKUP_CONFIG_DIRS", work.resolve("missing").toString(), "BACKUP_AGE_RECIPIENTS", recipient))).isEqualTo(1);
        assertThat(PreDeployBackup.run(Map.of())).isEqualTo(2);
    }
}
