package com.eazepay.backup.micrometer;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@value BackupMetrics#CERTIFICATE_EXPIRY}: real certificate backups ({@link FilesSource#certificates}, certificates
 * generated here with Bouncy Castle) through a real engine, scraped from a real {@link PrometheusMeterRegistry}.
 */
class CertificateExpiryMetricTest {

    static final Instant T0 = Instant.parse("2026-12-01T02:00:00Z");
    static final String GAUGE = "backup_certificate_expiry_timestamp_seconds";
    static final Map<String, String> CERTS = Map.of("source", "certs");

    @TempDir
    Path dir;
    TestClock clock;
    InMemoryStorage storage;
    Path tls;

    @BeforeEach
    void setUp() throws Exception {
        clock = TestClock.at(T0);
        storage = InMemoryStorage.withClock(clock);
        tls = Files.createDirectories(dir.resolve("tls"));
    }

    BackupEngine engine(BackupMetrics metrics) {
        var b = Backup.engine().repository(storage).compression(Codecs.noCompression()).encryption(Codecs.noEncryption())
                .clock(clock).source(FilesSource.certificates("certs", tls));
        if (metrics != null) {
            b.listener(metrics);
        }
        return b.build();
    }

    static PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** Writes {@code file} holding a self-signed certificate valid until {@code notAfter}. */
    void certificate(String file, String cn, Instant notAfter) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair keys = g.generateKeyPair();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + cn), BigInteger.valueOf(cn.hashCode() & 0xffff),
                Date.from(T0.minus(Duration.ofDays(100))), Date.from(notAfter), new X500Name("CN=" + cn), keys.getPublic());
        byte[] der = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))).getEncoded();
        Files.writeString(tls.resolve(file), "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n");
    }

    static double epoch(Instant t) {
        return t.getEpochSecond();
    }

    @Test
    void theGaugeIsTheEarliestNotAfterOfTheLastBackupFromEventsAndFromTheRepository() throws Exception {
        Instant soon = T0.plus(Duration.ofDays(10));
        Instant sooner = T0.plus(Duration.ofDays(12));
        certificate("server.pem", "pay.eazepay.com", soon);
        certificate("other.pem", "api.eazepay.com", sooner);
        certificate("later.pem", "www.eazepay.com", T0.plus(Duration.ofDays(400)));
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        metrics.bindTo(registry);
        try (BackupEngine engine = engine(metrics)) {
            assertThat(Scrape.parse(registry.scrape()).names()).doesNotContain(GAUGE);
            engine.backup("certs").run();
            // from the CertificateExpiring events, applied when the backup succeeded
            assertThat(Scrape.parse(registry.scrape()).require(GAUGE, CERTS)).isEqualTo(epoch(soon));

            // a restarted service: the manifest fact 'certificates' gives the same value
            BackupMetrics restarted = BackupMetrics.create();
            PrometheusMeterRegistry fresh = prometheus();
            restarted.bindTo(fresh);
            restarted.readRepository(engine);
            assertThat(Scrape.parse(fresh.scrape()).require(GAUGE, CERTS)).isEqualTo(epoch(soon));

            // the certificates are renewed: no event, the earliest is beyond the window; the events cannot tell it
            Instant renewed = T0.plus(Duration.ofDays(90));
            certificate("server.pem", "pay.eazepay.com", renewed);
            certificate("other.pem", "api.eazepay.com", T0.plus(Duration.ofDays(200)));
            clock.advance(Duration.ofDays(1));
            engine.backup("certs").run();
            assertThat(Scrape.parse(registry.scrape()).require(GAUGE, CERTS)).as("no stale expiry after a renewal").isNaN();
            metrics.readRepository(engine);
            assertThat(Scrape.parse(registry.scrape()).require(GAUGE, CERTS)).isEqualTo(epoch(renewed));
        }
    }

    @Test
    void aFailedBackupNeitherChangesTheGaugeNorLeaksIntoTheNextOne() throws Exception {
        Instant soon = T0.plus(Duration.ofDays(10));
        certificate("server.pem", "pay.eazepay.com", soon);
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = prometheus();
        metrics.bindTo(registry);
        try (BackupEngine engine = engine(metrics)) {
            engine.backup("certs").run();
        }
        certificate("server.pem", "pay.eazepay.com", T0.plus(Duration.ofDays(2)));
        clock.advance(Duration.ofHours(1));
        // a backup whose manifest cannot be written (the commit point): its events arrive, nothing is committed
        java.util.List<com.eazepay.backup.BackupEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (BackupEngine failing = Backup.engine().repository(com.eazepay.backup.test.FaultyStorage.wrap(
                        InMemoryStorage.withClock(clock)).onKeys(k -> k.endsWith("/manifest.json")).failPutAfterBytes(0)
                        .retryableFaults(false))
                .compression(Codecs.noCompression()).encryption(Codecs.noEncryption()).clock(clock)
                .source(FilesSource.certificates("certs", tls)).listener(metrics).listener(events::add).build()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> failing.backup("certs").run())
                    .isInstanceOf(com.eazepay.backup.BackupException.class);
        }
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).as("the failed backup raised the event")
                .contains("CertificateExpiring", "BackupFailed");
        assertThat(Scrape.parse(registry.scrape()).require(GAUGE, CERTS)).isEqualTo(epoch(soon));
        // the next committed backup shows its own certificates, not those of the failed one
        Instant renewed = T0.plus(Duration.ofDays(20));
        certificate("server.pem", "pay.eazepay.com", renewed);
        clock.advance(Duration.ofHours(1));
        try (BackupEngine engine = engine(metrics)) {
            engine.backup("certs").run();
        }
        assertThat(Scrape.parse(registry.scrape()).require(GAUGE, CERTS)).isEqualTo(epoch(renewed));
    }
}
