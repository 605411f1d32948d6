package com.eazepay.backup.redis.internal;

import com.eazepay.backup.spi.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The restore test's child redis-server gets the minimal environment every child process gets
 * ({@link ChildProcess#BASE_ENVIRONMENT}), not the JVM's: the JVM may hold cloud credentials or database passwords in
 * its environment, which redis-server does not need. redis-server rewrites its own {@code /proc/<pid>/environ} (its
 * process title), so a wrapper script records the environment it was started with, then execs the real server.
 */
class ScratchRedisServerEnvironmentTest {

    @TempDir
    Path dir;

    @Test
    void theChildRedisServerSeesOnlyTheMinimalEnvironment() throws Exception {
        Path binary = ScratchRedisServer.find(null).orElse(null);
        assumeTrue(binary != null, "needs redis-server on the PATH");
        // the JVM running the tests always has variables outside the base list (e.g. JAVA_HOME or MAVEN_* under Maven)
        assumeTrue(System.getenv().keySet().stream().anyMatch(k -> !ChildProcess.BASE_ENVIRONMENT.contains(k)),
                "the JVM has no variable outside the base environment to leak");
        Path seen = dir.resolve("environment-seen");
        Path wrapper = dir.resolve("redis-server-wrapper");
        Files.writeString(wrapper, "#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ > '" + seen + "'\nexec '" + binary + "' \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        try (ScratchRedisServer server = ScratchRedisServer.start(wrapper, scratch, "dump.rdb", Duration.ofSeconds(30),
                Duration.ofSeconds(10))) {
            assertThat(server.endpoint().port()).isPositive();
            List<String> names = Files.readAllLines(seen).stream().filter(e -> !e.isEmpty())
                    .map(e -> e.substring(0, e.indexOf('='))).toList();
            assertThat(names).isNotEmpty().allMatch(ChildProcess.BASE_ENVIRONMENT::contains);
        }
    }
}
