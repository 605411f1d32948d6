package com.eazepay.backup.files;

import com.eazepay.backup.BackupListener;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.storage.FileSystemStorage;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FilesSource#certificates} and {@link FilesSource#envFiles}, with certificates generated here (Bouncy Castle). */
class CertificatesAndEnvFilesPresetTest {

    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final AgeKeys keys = AgeKeys.generate();

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, long serial,
                                        Instant notAfter, boolean ca, String... dnsNames) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(serial),
                Date.from(NOW.minus(Duration.ofDays(100))), Date.from(notAfter), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (dnsNames.length > 0) {
            List<GeneralName> names = new ArrayList<>();
            for (String n : dnsNames) {
                names.add(n.matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        // X500Name keeps this order in the encoding; RFC 2253 (what the manifest shows) prints it reversed
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private BackupEngine engine(BackupSource source) {
        return engine(source, e -> { });
    }

    private BackupEngine engine(BackupSource source, com.eazepay.backup.BackupListener listener) {
        return Backup.engine().repository(FileSystemStorage.at(dir.resolve("repo"))).compression(Codecs.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded())).source(source).clock(clock)
                .listener(listener).build();
    }

    /** tls/chain.pem (leaf expiring in 10 days + CA), tls/ca.der (DER), tls/api.crt (valid 400 days), tls/old.pem (expired). */
    private Path certificates() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        KeyPair ca = keyPair();
        KeyPair leaf = keyPair();
        X509Certificate caCert = cert("O=Eazepay,CN=Eazepay Test CA", ca, "O=Eazepay,CN=Eazepay Test CA", ca, 1,
                NOW.plus(Duration.ofDays(1800)), true);
        X509Certificate soon = cert("O=Eazepay,CN=pay.eazepay.com", leaf, "O=Eazepay,CN=Eazepay Test CA", ca, 0x1A2B,
                NOW.plus(Duration.ofDays(10)), false, "pay.eazepay.com", "10.0.0.7");
        X509Certificate later = cert("CN=api.eazepay.com", leaf, "O=Eazepay,CN=Eazepay Test CA", ca, 77,
                NOW.plus(Duration.ofDays(400)), false, "api.eazepay.com");
        X509Certificate expired = cert("CN=old.eazepay.com", leaf, "O=Eazepay,CN=Eazepay Test CA", ca, 5,
                NOW.minus(Duration.ofDays(3)), false);
        Files.writeString(tls.resolve("chain.pem"), pem("CERTIFICATE", soon.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()));
        Files.write(tls.resolve("ca.der"), caCert.getEncoded());
        Files.writeString(tls.resolve("api.crt"), "subject=api\n" + pem("CERTIFICATE", later.getEncoded()));
        Files.writeString(tls.resolve("old.pem"), pem("CERTIFICATE", expired.getEncoded()));
        Files.writeString(tls.resolve("README"), "not a certificate\n");
        return tls;
    }

    @Test
    void certificatesPresetRecordsSubjectIssuerSansSerialAndExpiryOfPemChainsAndDer() throws Exception {
        Path tls = certificates();
        List<BackupEvent> events = new ArrayList<>();
        FilesSource source = FilesSource.builder("certs").directory(tls).inspectCertificates().build();
        assertThat(source.sensitive()).as("no private key in the directory").isFalse();
        Manifest m;
        try (BackupEngine engine = engine(source, e -> {
            if (e instanceof BackupEvent.CertificateExpiring) {
                events.add(e);
            }
        })) {
            m = engine.backup("certs").run().manifest();
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> certs = (List<Map<String, Object>>) m.facts().get("certificates");
        assertThat(certs).extracting(c -> c.get("file") + "#" + c.get("position")).containsExactly(
                "tls/api.crt#0", "tls/ca.der#0", "tls/chain.pem#0", "tls/chain.pem#1", "tls/old.pem#0");
        Map<String, Object> leaf = certs.get(2);
        assertThat(leaf).containsEntry("subject", "CN=pay.eazepay.com,O=Eazepay")
                .containsEntry("issuer", "CN=Eazepay Test CA,O=Eazepay")
                .containsEntry("subjectAlternativeNames", List.of("DNS:pay.eazepay.com", "IP:10.0.0.7"))
                .containsEntry("serial", "1A2B")
                .containsEntry("notAfter", "2026-12-11T00:00:00Z");
        assertThat(certs.get(3)).containsEntry("subject", "CN=Eazepay Test CA,O=Eazepay").containsEntry("serial", "1");
        assertThat(((Number) m.facts().get("certificateCount")).intValue()).isEqualTo(5);
        assertThat(((Number) m.facts().get("certificatesExpiringSoon")).intValue()).isEqualTo(2);
        assertThat(m.facts().get("privateKeyFiles")).isEqualTo(List.of());
        assertThat(events).containsExactly(
                new BackupEvent.CertificateExpiring("certs", "tls/chain.pem", "CN=pay.eazepay.com,O=Eazepay", "1A2B",
                        Instant.parse("2026-12-11T00:00:00Z"), NOW),
                new BackupEvent.CertificateExpiring("certs", "tls/old.pem", "CN=old.eazepay.com", "5",
                        Instant.parse("2026-11-28T00:00:00Z"), NOW));
    }

    @Test
    void expiryWarningWindowIsConfigurable() throws Exception {
        Path tls = certificates();
        List<BackupEvent> events = new ArrayList<>();
        try (BackupEngine engine = engine(FilesSource.builder("certs").directory(tls).inspectCertificates()
                .expiryWarning(Duration.ofDays(5)).build(), e -> {
            if (e instanceof BackupEvent.CertificateExpiring) {
                events.add(e);
            }
        })) {
            assertThat(((Number) engine.backup("certs").run().manifest().facts().get("certificatesExpiringSoon")).intValue()).isEqualTo(1);
        }
        assertThat(events).singleElement().extracting(e -> ((BackupEvent.CertificateExpiring) e).file()).isEqualTo("tls/old.pem");
        assertThatThrownBy(() -> FilesSource.builder("certs").expiryWarning(Duration.ofDays(-1)))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    void theEnginesListenersReceiveCertificateExpiringForACertificateExpiringInTenDays() throws Exception {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        KeyPair ca = keyPair();
        X509Certificate soon = cert("CN=pay.eazepay.com", keyPair(), "CN=Eazepay Test CA", ca, 0x2C,
                NOW.plus(Duration.ofDays(10)), false, "pay.eazepay.com");
        Files.writeString(tls.resolve("server.pem"), pem("CERTIFICATE", soon.getEncoded()));
        List<BackupEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (BackupEngine engine = engine(FilesSource.certificates("certs", tls), events::add)) {
            engine.backup("certs").run();
        }
        BackupEvent.CertificateExpiring expected = new BackupEvent.CertificateExpiring("certs", "tls/server.pem",
                "CN=pay.eazepay.com", "2C", NOW.plus(Duration.ofDays(10)), NOW);
        assertThat(events).filteredOn(e -> e instanceof BackupEvent.CertificateExpiring).containsExactly(expected);
        // raised while the backup runs: after BackupStarted, before BackupSucceeded
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsSubsequence(
                "BackupStarted", "CertificateExpiring", "BackupSucceeded");
    }

    @Test
    void aSourceMayPublishOnlyItsOwnSourceEventsThroughTheContext() throws Exception {
        List<BackupEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Throwable> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        FilesSource files = FilesSource.builder("odd").directory(data).build();
        BackupSource odd = new BackupSource() {
            @Override public String name() { return "odd"; }
            @Override public String type() { return "files"; }
            @Override public boolean sensitive() { return false; }
            @Override public void backup(com.eazepay.backup.spi.BackupContext context) {
                for (BackupEvent e : List.of(
                        new BackupEvent.BackupSucceeded("odd", "files", "x", Duration.ZERO, 0, 0, NOW),
                        new BackupEvent.CertificateExpiring("other", "f.pem", "CN=x", "1", NOW, NOW))) {
                    try {
                        context.publish(e);
                    } catch (IllegalArgumentException x) {
                        refused.add(x);
                    }
                }
                files.backup(context);
            }
            @Override public com.eazepay.backup.spi.RestoreOutcome restore(com.eazepay.backup.spi.RestoreContext c,
                                                                          com.eazepay.backup.spi.RestoreTarget t) {
                return files.restore(c, t);
            }
        };
        try (BackupEngine engine = engine(odd, events::add)) {
            engine.backup("odd").run();
        }
        assertThat(refused).extracting(Throwable::getMessage).satisfiesExactly(
                m -> assertThat(m).contains("CertificateExpiring").contains("not BackupSucceeded"),
                m -> assertThat(m).contains("about itself only").contains("'other'"));
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("BackupStarted", "BackupSucceeded");
    }

    @Test
    void privateKeysInAnyFileMakeTheCertificatesSourceSensitive() throws Exception {
        Path tls = certificates();
        assertThat(FilesSource.certificates("certs", tls).sensitive()).isFalse();
        KeyPair key = keyPair();
        // a PEM private key inside a .crt (cert + key bundle): the name alone would not tell
        Files.writeString(tls.resolve("bundle.crt"), Files.readString(tls.resolve("old.pem"))
                + pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        FilesSource withPem = FilesSource.certificates("certs", tls);
        assertThat(withPem.sensitive()).isTrue();
        assertThatThrownBy(() -> Backup.engine().repository(FileSystemStorage.at(dir.resolve("plain")))
                .encryption(Codecs.noEncryption()).source(withPem).clock(clock).build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("certs");
        try (BackupEngine engine = engine(withPem)) {
            assertThat(engine.backup("certs").run().manifest().facts().get("privateKeyFiles")).isEqualTo(List.of("tls/bundle.crt"));
        }
        Files.delete(tls.resolve("bundle.crt"));

        // a DER PKCS#8 key with a neutral name
        Files.write(tls.resolve("material.bin"), key.getPrivate().getEncoded());
        assertThat(FilesSource.certificates("certs", tls).sensitive()).isTrue();
        assertThat(FilesSource.builder("plain").directory(tls).build().sensitive())
                .as("without inspection only names and .pem contents count").isFalse();
    }

    @Test
    void envFilesAreAlwaysSensitive() throws Exception {
        Path settings = Files.writeString(dir.resolve("settings.conf"), "DB_PASSWORD=hunter2\n");
        Path dotEnv = Files.writeString(dir.resolve(".env"), "API_KEY=abc\n");
        FilesSource env = FilesSource.envFiles("env", settings, dotEnv);
        assertThat(env.sensitive()).isTrue();
        assertThat(env.paths()).containsExactly(settings.toAbsolutePath(), dotEnv.toAbsolutePath());
        assertThat(FilesSource.builder("conf").file(settings).build().sensitive()).isFalse();
        assertThatThrownBy(() -> Backup.engine().repository(FileSystemStorage.at(dir.resolve("plain")))
                .encryption(Codecs.noEncryption()).source(FilesSource.envFiles("env", settings)).clock(clock).build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("env");
        assertThatThrownBy(() -> FilesSource.envFiles("env"))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
        try (BackupEngine engine = engine(env)) {
            assertThat(((Number) engine.backup("env").run().manifest().facts().get("files")).intValue()).isEqualTo(2);
        }
    }
}
