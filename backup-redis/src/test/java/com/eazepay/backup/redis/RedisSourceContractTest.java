package com.eazepay.backup.redis;

import com.eazepay.backup.Secret;
import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisSource} passes the source contract against a real, password-protected Debian redis-server,
 * restoring into a second real server.
 */
class RedisSourceContractTest extends SourceContract {

    static final String PASSWORD = "RedisContractPa55word";
    static final int KEYS = 50;

    @TempDir
    static Path dir;
    static TestRedis source;
    static TestRedis target;

    @BeforeAll
    static void start() {
        source = TestRedis.debian(dir.resolve("source"), "requirepass " + PASSWORD);
        target = TestRedis.debian(dir.resolve("target"));
        try (RespConnection c = source.connect()) {
            c.call("AUTH", PASSWORD);
            for (int i = 0; i < KEYS; i++) {
                c.call("SET", "payment:" + i, "{\"amount\":" + (i * 100) + ",\"currency\":\"EUR\"}");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        if (source != null) {
            source.close();
        }
        if (target != null) {
            target.close();
        }
    }

    @Override
    protected BackupSource newSource(String name) {
        return RedisSource.builder().name(name).host("127.0.0.1").port(source.port).password(Secret.of(PASSWORD)).build();
    }

    @Override
    protected String fixtureSecret() {
        return PASSWORD;
    }

    @Override
    protected RestoreTarget newTarget() {
        target.call("FLUSHALL");
        return RedisTarget.server("127.0.0.1", target.port);
    }

    @Override
    protected void assertRestored(RestoreTarget t) {
        assertThat(target.call("DBSIZE")).isEqualTo((long) KEYS);
        Object value = target.call("GET", "payment:7");
        String text = value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(value);
        assertThat(text).isEqualTo("{\"amount\":700,\"currency\":\"EUR\"}");
    }

    @Override
    protected boolean expectedSensitive() {
        return true;
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("RedisTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        return RedisSource.builder().name(name).uri("redis://backup:" + secret + "@127.0.0.1:" + TestRedis.freePort())
                .timeout(Duration.ofSeconds(2)).build();
    }
}
