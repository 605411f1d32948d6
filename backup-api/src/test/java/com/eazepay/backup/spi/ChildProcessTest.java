package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The merged child-process helper (formerly also a copy in the PostgreSQL module), against real /bin/sh programs. */
class ChildProcessTest {

    private static final String SECRET = "pw:with\\colon-8d1e";

    @TempDir
    Path tmp;

    private static String stdoutOf(ChildProcess p) {
        StringBuilder sb = new StringBuilder();
        p.run(out -> sb.append(new String(out.readAllBytes(), StandardCharsets.UTF_8)));
        return sb.toString();
    }

    @Test
    void secretFileIsOwnerOnlyWhileTheProgramRunsAndDeletedAfterwardsAndNeverInTheEnvironment() {
        String out = stdoutOf(ChildProcess.of(List.of("/bin/sh", "-c",
                        "echo \"FILE=$SECRET_FILE\"; echo \"MODE=$(stat -c %a \"$SECRET_FILE\")\"; printf 'BODY=%s\\n' \"$(cat \"$SECRET_FILE\")\"; env"))
                .secretFile("SECRET_FILE", Secret.of(SECRET)).secretFileDirectory(tmp));
        assertThat(out).contains("MODE=600").contains("BODY=" + SECRET);
        String file = out.lines().filter(l -> l.startsWith("FILE=")).findFirst().orElseThrow().substring(5);
        assertThat(Path.of(file).getParent()).isEqualTo(tmp);
        assertThat(Path.of(file)).doesNotExist();
        // the secret itself is in no variable: only the file's path is
        assertThat(out.lines().filter(l -> !l.startsWith("BODY="))).noneMatch(l -> l.contains(SECRET));
    }

    @Test
    void secretFileIsDeletedWhenTheProgramFailsAndTheSecretIsInNoMessage() throws IOException {
        BackupException e = catchThrowableOfType(BackupException.class, () -> ChildProcess.of(List.of("/bin/sh", "-c",
                        "echo failing >&2; exit 3")).secretFile("PGPASSFILE", Secret.of(SECRET)).secretFileDirectory(tmp)
                .run(out -> out.transferTo(java.io.OutputStream.nullOutputStream())));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED);
        assertThat(e.getMessage()).contains("exited with code 3").contains("failing").doesNotContain(SECRET);
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void theChildGetsOnlyTheBaseEnvironmentAndWhatWasGiven() {
        String out = stdoutOf(ChildProcess.of(List.of("/usr/bin/env")).environment(Map.of("PGHOST", "db.example")));
        for (String line : out.lines().toList()) {
            String name = line.substring(0, line.indexOf('='));
            assertThat(name).isIn(List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PGHOST"));
        }
        assertThat(out).contains("PGHOST=db.example");
    }

    @Test
    void killStopsTheProgramAndItsDescendantsAndCloseDeletesTheSecretFile() throws Exception {
        long grandchild;
        ChildProcess.Running running = ChildProcess.of(List.of("/bin/sh", "-c", "sleep 300 & echo $!; wait"))
                .name("sleeper").secretFile("F", Secret.of(SECRET)).secretFileDirectory(tmp).start();
        try (running) {
            BufferedReader r = new BufferedReader(new InputStreamReader(running.stdout(), StandardCharsets.UTF_8));
            grandchild = Long.parseLong(r.readLine().trim());
            assertThat(ProcessHandle.of(grandchild)).isPresent();
            running.kill();
            running.waitFor(); // sh may exit 0 (its child died first) or by SIGKILL: both are fine here
            assertThat(running.wasKilled()).isTrue();
        }
        ProcessHandle.of(grandchild).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void closingAHandleKillsAProgramStillRunning() {
        ChildProcess.Running running = ChildProcess.of(List.of("/bin/sh", "-c", "sleep 300")).start();
        long pid = running.pid();
        running.close();
        running.close(); // idempotent
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(running.wasKilled()).isTrue();
    }

    @Test
    void aTimeoutKillsTheProgramTreeAndIsReportedAsTimeout() {
        BackupException e = catchThrowableOfType(BackupException.class, () -> ChildProcess.of(List.of("/bin/sh", "-c",
                "sleep 300 & wait")).timeout(Duration.ofMillis(200)).run(out -> out.readAllBytes()));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TIMEOUT);
        // the grandchild held stdout open: had it survived, readAllBytes above would never have returned
    }

    @Test
    void stderrTailKeepsTheLastBytesOfALongStderr() {
        try (ChildProcess.Running running = ChildProcess.of(List.of("/bin/sh", "-c",
                "head -c 40000 /dev/zero | tr '\\0' x >&2; echo THE-END >&2; exit 2")).start()) {
            int exit = running.waitFor();
            assertThat(running.describeExit(exit)).isEqualTo("exited with code 2");
            assertThat(running.stderrTail()).startsWith("…").endsWith("THE-END")
                    .hasSizeLessThanOrEqualTo(ChildProcess.STDERR_LIMIT + 1);
        }
    }
}
