package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeIdentity;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Secret;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.eazepay.backup.age.AgeTestSupport.decrypt;
import static com.eazepay.backup.age.AgeTestSupport.encrypt;
import static com.eazepay.backup.age.AgeTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;

class AgeRoundTripTest {

    static final AgeKeys OPS = AgeKeys.generate();
    static final AgeKeys ESCROW = AgeKeys.generate();
    static final int CHUNK = 64 * 1024;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 5, 5 * 1024 * 1024 + 3})
    void roundTripsEverySizeAroundChunkBoundaries(int size) throws Exception {
        byte[] plain = random(size, size);
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded()).withIdentities(OPS.identity());

        byte[] cipher = encrypt(enc, plain);

        assertThat(decrypt(enc, cipher)).isEqualTo(plain);
        int chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
        int headerEnd = new String(cipher, 0, Math.min(cipher.length, 400), StandardCharsets.ISO_8859_1).indexOf("\n---") + 1;
        int macLine = new String(cipher, headerEnd, 60, StandardCharsets.ISO_8859_1).indexOf('\n') + 1;
        assertThat(cipher.length).isEqualTo(headerEnd + macLine + 16 + size + 16L * chunks);
    }

    @Test
    void anyOneOfSeveralRecipientsDecrypts() throws Exception {
        byte[] plain = random(200_000, 7);
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded(), ESCROW.recipient().encoded());
        byte[] cipher = encrypt(enc, plain);

        assertThat(decrypt(AgeEncryption.decryptOnly().withIdentities(OPS.identity()), cipher)).isEqualTo(plain);
        assertThat(decrypt(AgeEncryption.decryptOnly().withIdentities(ESCROW.identity()), cipher)).isEqualTo(plain);
        assertThat(new String(cipher, 0, 300, StandardCharsets.ISO_8859_1)).contains("-> X25519 ");
    }

    @Test
    void backupOnlyInstanceCannotDecryptAndRecordsPublicRecipientsOnly() {
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded(), ESCROW.recipient().encoded());

        assertThat(enc.canDecrypt()).isFalse();
        assertThat(enc.id()).isEqualTo("age");
        assertThat(enc.extension()).isEqualTo("age");
        assertThat(enc.parameters()).isEqualTo(Map.of("recipients",
                List.of(OPS.recipient().encoded(), ESCROW.recipient().encoded())));
        assertThat(enc.withIdentities(OPS.identity()).canDecrypt()).isTrue();
    }

    @Test
    void passphraseModeRoundTripsAndRecordsNoSecret() throws Exception {
        byte[] plain = random(100_000, 3);
        AgeEncryption enc = AgeEncryption.withPassphrase(Secret.of("tr0ub4dor&3")).withWorkFactor(10);

        byte[] cipher = encrypt(enc, plain);

        assertThat(decrypt(AgeEncryption.withPassphrase(Secret.of("tr0ub4dor&3")), cipher)).isEqualTo(plain);
        assertThat(enc.parameters()).isEqualTo(Map.of("passphrase", true));
        assertThat(new String(cipher, 0, 100, StandardCharsets.ISO_8859_1)).contains("-> scrypt ").contains(" 10\n");
        assertThat(enc.canDecrypt()).isTrue();
    }

    @Test
    void identitySupplierIsCalledLazilyAtEachDecryption() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded()).withIdentitySupplier(() -> {
            calls.incrementAndGet();
            return List.of(ESCROW.identity(), OPS.identity());
        });
        byte[] cipher = encrypt(enc, random(10, 1));
        assertThat(calls).hasValue(0);

        InputStream in = enc.decrypt(new ByteArrayInputStream(cipher));
        assertThat(calls).hasValue(0);
        assertThat(in.readAllBytes()).hasSize(10);
        decrypt(enc, cipher);

        assertThat(calls).hasValue(2);
    }

    @Test
    void rekeyIsDecryptThenEncryptToTheNewRecipients() throws Exception {
        byte[] plain = random(300_000, 11);
        byte[] old = encrypt(AgeEncryption.toRecipients(OPS.recipient().encoded()), plain);
        AgeKeys next = AgeKeys.generate();
        AgeEncryption oldKeys = AgeEncryption.decryptOnly().withIdentities(OPS.identity());
        AgeEncryption newKeys = AgeEncryption.toRecipients(next.recipient().encoded());

        ByteArrayOutputStream rekeyed = new ByteArrayOutputStream();
        try (InputStream in = oldKeys.decrypt(new ByteArrayInputStream(old)); OutputStream out = newKeys.encrypt(rekeyed)) {
            in.transferTo(out);
        }

        assertThat(decrypt(AgeEncryption.decryptOnly().withIdentities(next.identity()), rekeyed.toByteArray()))
                .isEqualTo(plain);
    }

    @Test
    void singleByteReadsAndWritesWork() throws Exception {
        byte[] plain = random(CHUNK + 3, 5);
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded()).withIdentities(OPS.identity());
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = enc.encrypt(bos)) {
            for (byte b : plain) {
                out.write(b);
            }
        }
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        try (InputStream in = enc.decrypt(new ByteArrayInputStream(bos.toByteArray()))) {
            int b;
            while ((b = in.read()) >= 0) {
                back.write(b);
            }
        }
        assertThat(back.toByteArray()).isEqualTo(plain);
    }

    @Property(tries = 60)
    void roundTripsAnyBytes(@ForAll @Size(max = 200_000) byte[] plain) throws Exception {
        AgeEncryption enc = AgeEncryption.toRecipients(OPS.recipient().encoded()).withIdentities(OPS.identity());
        assertThat(decrypt(enc, encrypt(enc, plain))).isEqualTo(plain);
    }

    @Test
    void identityAndMultipleKeysFromOneSupplierValue() {
        AgeIdentity parsed = AgeIdentity.parse(OPS.identity().reveal());
        assertThat(parsed).isEqualTo(OPS.identity());
        assertThat(parsed.recipient()).isEqualTo(OPS.recipient());
    }
}
