package com.eazepay.backup.internal.files;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds X.509 certificates (PEM, several per file for chains, or DER) and private keys (PEM of any
 * kind, DER PKCS#8) under a set of paths. Reads files of at most {@value #MAX_FILE_BYTES} bytes;
 * never returns key material, only where keys are.
 */
public final class CertificateInspector {

    /** Files larger than this are not certificates or keys; they are skipped. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final Pattern PEM_CERT = Pattern.compile(
            "-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----");
    private static final Pattern PEM_PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----");

    /**
     * One certificate found.
     *
     * @param file     the path relative to the configured path's parent (as stored in the tar)
     * @param position 0 for the first certificate of the file, 1 for the next in a chain, ...
     */
    public record Found(String file, int position, String subject, String issuer, List<String> subjectAlternativeNames,
                        String serial, Instant notBefore, Instant notAfter) {
    }

    /** What the inspection found. */
    public record Result(List<Found> certificates, List<String> privateKeyFiles) {
    }

    private CertificateInspector() {
    }

    /** Inspects every regular file under {@code roots} (symbolic links are not followed). */
    public static Result inspect(List<Path> roots) throws IOException {
        List<Found> certs = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        for (Path root : roots) {
            Path base = root.getParent() == null ? root : root.getParent();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
            }
            for (Path file : files) {
                if (Files.size(file) > MAX_FILE_BYTES) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                String rel = base.relativize(file).toString().replace('\\', '/');
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                if (PEM_PRIVATE_KEY.matcher(text).find()) {
                    keys.add(rel);
                }
                Matcher m = PEM_CERT.matcher(text);
                int position = 0;
                boolean pem = false;
                while (m.find()) {
                    pem = true;
                    byte[] der;
                    try {
                        der = Base64.getMimeDecoder().decode(m.group(1));
                    } catch (IllegalArgumentException e) {
                        continue; // not base64: not a certificate
                    }
                    X509Certificate c = parse(factory, der);
                    if (c != null) {
                        certs.add(found(rel, position++, c));
                    }
                }
                if (!pem && bytes.length > 0 && bytes[0] == 0x30) { // DER SEQUENCE
                    X509Certificate c = parse(factory, bytes);
                    if (c != null) {
                        certs.add(found(rel, 0, c));
                    } else if (isPkcs8PrivateKey(bytes)) {
                        keys.add(rel);
                    }
                }
            }
        }
        return new Result(List.copyOf(certs), List.copyOf(keys));
    }

    private static X509Certificate parse(CertificateFactory factory, byte[] der) {
        try {
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            return null; // not a certificate
        }
    }

    private static boolean isPkcs8PrivateKey(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "X25519", "DSA")) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return true;
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                // not a key of this algorithm: try the next
            }
        }
        return false;
    }

    private static Found found(String file, int position, X509Certificate c) {
        List<String> sans = new ArrayList<>();
        try {
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    sans.add(sanPrefix((Integer) n.get(0)) + (n.get(1) instanceof String v ? v : "(binary)"));
                }
            }
        } catch (CertificateParsingException e) {
            sans.add("unparseable: " + e.getMessage());
        }
        BigInteger serial = c.getSerialNumber();
        return new Found(file, position, c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
                List.copyOf(sans), serial.toString(16).toUpperCase(Locale.ROOT), c.getNotBefore().toInstant(),
                c.getNotAfter().toInstant());
    }

    private static String sanPrefix(int type) {
        return switch (type) {
            case 1 -> "email:";
            case 2 -> "DNS:";
            case 4 -> "DirName:";
            case 6 -> "URI:";
            case 7 -> "IP:";
            case 8 -> "RID:";
            default -> "other(" + type + "):";
        };
    }
}
