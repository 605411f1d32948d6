package com.eazepay.backup.redis;

import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Capture and restore over TLS against redis-server 7.0 with a self-signed certificate made by openssl. */
class TlsTest {

    @TempDir
    Path tmp;

    @Test
    void capturesAndRestoresOverTls() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("redis", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);

        String[] tlsConfig = {"tls-cert-file " + cert, "tls-key-file " + key, "tls-ca-cert-file " + cert, "tls-auth-clients no"};
        try (TestRedis source = TestRedis.debian(tmp.resolve("source"), tlsConfig);
             TestRedis target = TestRedis.debian(tmp.resolve("target"), tlsConfig)) {
            try (RespConnection c = RespConnection.open("127.0.0.1", source.port, ssl.getSocketFactory(), Duration.ofSeconds(30))) {
                assertThat(c.call("SET", "k", "over-tls")).isEqualTo("OK");
                assertThat(c.call("RPUSH", "l", "a", "b")).isEqualTo(2L);
            }
            RedisSource redis = RedisSource.builder().host("127.0.0.1").port(source.port).tls(ssl).build();
            DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp.resolve("b"));
            redis.backup(ctx);
            assertThat(ctx.facts()).containsEntry("keys", Map.of("db0", 2L));
            RedisSourceTest.assertRedisCheckRdbAccepts(ctx.streamFile(RedisSource.STREAM));

            RestoreOutcome outcome = redis.restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", target.port).tls(ssl));
            assertThat(outcome.location()).startsWith("rediss://");
            assertThat(outcome.checks()).hasSize(1).allMatch(CheckResult::passed);
            try (RespConnection c = RespConnection.open("127.0.0.1", target.port, ssl.getSocketFactory(), Duration.ofSeconds(30))) {
                assertThat(new String((byte[]) c.call("GET", "k"))).isEqualTo("over-tls");
            }
        }
    }
}
