package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.age.AgeHeader;
import com.eazepay.backup.internal.age.AgePrimitives;
import com.eazepay.backup.internal.age.Stanza;
import com.eazepay.backup.internal.age.X25519Stanzas;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

import static com.eazepay.backup.age.AgeTestSupport.decrypt;
import static com.eazepay.backup.age.AgeTestSupport.encrypt;
import static com.eazepay.backup.age.AgeTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgeTamperingTest {

    static final int CHUNK = 64 * 1024;
    static final int ENC = CHUNK + 16;
    static final AgeKeys KEYS = AgeKeys.generate();
    static final AgeEncryption ENCRYPTION = AgeEncryption.toRecipients(KEYS.recipient().encoded())
            .withIdentities(KEYS.identity());
    static final byte[] PLAIN = random(3 * CHUNK + 100, 42);

    static byte[] sample() throws Exception {
        return encrypt(ENCRYPTION, PLAIN);
    }

    /** Offset of the payload nonce: just after the '--- mac' line. */
    static int headerLength(byte[] cipher) {
        String s = new String(cipher, 0, Math.min(cipher.length, 2000), StandardCharsets.ISO_8859_1);
        int mac = s.indexOf("\n--- ") + 1;
        return s.indexOf('\n', mac) + 1;
    }

    static void assertFails(ThrowingCallable call, CoreErrorCode code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(code);
            assertThat(e.isRetryable()).isFalse();
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
    }

    @Test
    void wrongIdentityIsNamedWithTheBackupsRecipients() throws Exception {
        byte[] cipher = sample();
        AgeKeys stranger = AgeKeys.generate();
        AgeEncryption wrong = AgeEncryption.decryptOnly().withIdentities(stranger.identity());

        assertFails(() -> decrypt(wrong, cipher), CoreErrorCode.DECRYPTION_FAILED,
                "no identity matches any recipient of this backup (recipients: 1 X25519 recipient(s)",
                "tried identities of " + stranger.recipient().encoded(), "configure the identity for one of them");
        assertFails(() -> wrong.decrypt(new ByteArrayInputStream(cipher), List.of(KEYS.recipient().encoded())).read(),
                CoreErrorCode.DECRYPTION_FAILED,
                "no identity matches any recipient of this backup (recipients: " + KEYS.recipient().encoded()
                        + "); tried identities of " + stranger.recipient().encoded()
                        + "; configure the identity for one of them");
    }

    @Test
    void wrongPassphraseAndWrongModeFailClearly() throws Exception {
        byte[] withPass = encrypt(AgeEncryption.withPassphrase(Secret.of("right")).withWorkFactor(8), PLAIN);

        assertFails(() -> decrypt(AgeEncryption.withPassphrase(Secret.of("wrong")), withPass),
                CoreErrorCode.DECRYPTION_FAILED, "wrong passphrase");
        assertFails(() -> decrypt(ENCRYPTION, withPass), CoreErrorCode.DECRYPTION_FAILED,
                "passphrase-encrypted", "withPassphrase");
        assertFails(() -> decrypt(AgeEncryption.withPassphrase(Secret.of("right")), sample()),
                CoreErrorCode.DECRYPTION_FAILED, "encrypted to 1 age recipient(s), not with a passphrase");
    }

    @Test
    void flippedByteInTheHeaderMacFailsTheMacCheck() throws Exception {
        byte[] cipher = sample();
        int macStart = headerLength(cipher) - 44;
        cipher[macStart + 3] = (byte) (cipher[macStart + 3] == 'A' ? 'B' : 'A');

        assertFails(() -> decrypt(ENCRYPTION, cipher), CoreErrorCode.DECRYPTION_FAILED, "header MAC check failed");
    }

    @Test
    void alteredStanzaOfAnotherRecipientFailsTheMacCheck() throws Exception {
        AgeKeys escrow = AgeKeys.generate();
        byte[] cipher = encrypt(AgeEncryption.toRecipients(KEYS.recipient().encoded(), escrow.recipient().encoded()), PLAIN);
        String header = new String(cipher, 0, headerLength(cipher), StandardCharsets.ISO_8859_1);
        int secondBody = header.indexOf('\n', header.lastIndexOf("-> X25519 ")) + 1;
        cipher[secondBody + 2] = (byte) (cipher[secondBody + 2] == 'A' ? 'B' : 'A');

        assertFails(() -> decrypt(ENCRYPTION, cipher), CoreErrorCode.DECRYPTION_FAILED, "header MAC check failed");
    }

    @Test
    void flippedPayloadByteNamesTheChunkAndOffset() throws Exception {
        byte[] cipher = sample();
        int payload = headerLength(cipher) + 16;
        cipher[payload + ENC + 500] ^= 1;

        assertFails(() -> decrypt(ENCRYPTION, cipher), CoreErrorCode.DECRYPTION_FAILED,
                "payload chunk 1 authentication failed at byte offset " + (payload + ENC));
    }

    @Test
    void plaintextOfChunksBeforeTheAlteredOneIsReturnedButNeverTheAlteredChunk() throws Exception {
        byte[] cipher = sample();
        int payload = headerLength(cipher) + 16;
        cipher[payload + ENC + 500] ^= 1;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[1000];

        assertThatThrownBy(() -> {
            try (var in = ENCRYPTION.decrypt(new ByteArrayInputStream(cipher))) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            }
        }).isInstanceOf(BackupException.class);
        assertThat(got.toByteArray()).isEqualTo(Arrays.copyOf(PLAIN, CHUNK));
    }

    @Test
    void readsAfterAFailureKeepFailing() throws Exception {
        byte[] cipher = sample();
        cipher[headerLength(cipher) + 16 + 10] ^= 1;
        var in = ENCRYPTION.decrypt(new ByteArrayInputStream(cipher));

        assertFails(in::read, CoreErrorCode.DECRYPTION_FAILED, "payload chunk 0 authentication failed");
        assertFails(in::read, CoreErrorCode.DECRYPTION_FAILED, "payload chunk 0 authentication failed");
        var wrong = AgeEncryption.decryptOnly().withIdentities(AgeKeys.generate().identity())
                .decrypt(new ByteArrayInputStream(sample()));
        assertFails(wrong::read, CoreErrorCode.DECRYPTION_FAILED, "no identity matches");
        assertFails(wrong::read, CoreErrorCode.DECRYPTION_FAILED, "no identity matches");
    }

    @Test
    void aFailedWriteIsNeverFinishedIntoAValidLookingFile() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        java.io.OutputStream failing = new java.io.OutputStream() {
            long written;

            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                if (written > 1000) {
                    throw new java.io.IOException("disk full");
                }
                written += len;
                sink.write(b, off, len);
            }
        };
        var out = ENCRYPTION.encrypt(failing);
        out.write(new byte[CHUNK]);
        assertThatThrownBy(() -> out.write(new byte[2 * CHUNK])).hasMessageContaining("disk full");
        out.close();

        assertThatThrownBy(() -> decrypt(ENCRYPTION, sink.toByteArray())).isInstanceOf(BackupException.class);
    }

    @Test
    void reorderedChunksFailAtTheFirstMovedChunk() throws Exception {
        byte[] cipher = sample();
        int payload = headerLength(cipher) + 16;
        byte[] chunk0 = Arrays.copyOfRange(cipher, payload, payload + ENC);
        System.arraycopy(cipher, payload + ENC, cipher, payload, ENC);
        System.arraycopy(chunk0, 0, cipher, payload + ENC, ENC);

        assertFails(() -> decrypt(ENCRYPTION, cipher), CoreErrorCode.DECRYPTION_FAILED,
                "payload chunk 0 authentication failed at byte offset " + payload, "reordered");
    }

    @Test
    void removedFinalChunkIsReportedAsTruncation() throws Exception {
        byte[] cipher = sample();
        int payload = headerLength(cipher) + 16;
        byte[] cut = Arrays.copyOf(cipher, payload + 3 * ENC);

        assertFails(() -> decrypt(ENCRYPTION, cut), CoreErrorCode.DECRYPTION_FAILED,
                "truncated", "ends after chunk 2", "without the final chunk");
    }

    @Test
    void truncationInsideAChunkFailsThatChunk() throws Exception {
        byte[] cipher = sample();
        int payload = headerLength(cipher) + 16;
        byte[] cut = Arrays.copyOf(cipher, payload + ENC + 1000);

        assertFails(() -> decrypt(ENCRYPTION, cut), CoreErrorCode.DECRYPTION_FAILED,
                "payload chunk 1 authentication failed at byte offset " + (payload + ENC), "truncated");
        byte[] tiny = Arrays.copyOf(cipher, payload + 2 * ENC + 5);
        assertFails(() -> decrypt(ENCRYPTION, tiny), CoreErrorCode.DECRYPTION_FAILED,
                "payload chunk 2 at byte offset " + (payload + 2 * ENC) + " is truncated");
    }

    @Test
    void truncationInTheHeaderOrNonceIsReported() throws Exception {
        byte[] cipher = sample();
        int header = headerLength(cipher);

        assertFails(() -> decrypt(ENCRYPTION, Arrays.copyOf(cipher, 60)), CoreErrorCode.CORRUPT_DATA,
                "age header is truncated");
        assertFails(() -> decrypt(ENCRYPTION, Arrays.copyOf(cipher, header + 7)), CoreErrorCode.DECRYPTION_FAILED,
                "truncated", "payload nonce");
        assertFails(() -> decrypt(ENCRYPTION, Arrays.copyOf(cipher, header + 16)), CoreErrorCode.DECRYPTION_FAILED,
                "truncated", "with no chunk");
    }

    @Test
    void trailingBytesAfterTheFinalChunkAreRejected() throws Exception {
        byte[] cipher = encrypt(ENCRYPTION, random(CHUNK, 1));
        byte[] longer = Arrays.copyOf(cipher, cipher.length + 20);

        assertFails(() -> decrypt(ENCRYPTION, longer), CoreErrorCode.DECRYPTION_FAILED, "after the final age payload chunk");
    }

    @Test
    void emptyPlaintextIsOneEmptyFinalChunk() throws Exception {
        byte[] cipher = encrypt(ENCRYPTION, new byte[0]);

        assertThat(cipher.length).isEqualTo(headerLength(cipher) + 16 + 16);
        assertThat(decrypt(ENCRYPTION, cipher)).isEmpty();
    }

    @Test
    void emptyFinalChunkAfterDataIsRejected() throws Exception {
        byte[] fileKey = random(16, 5);
        byte[] header = AgeHeader.write(List.of(X25519Stanzas.wrap(fileKey, recipientKey(), new SecureRandom())), fileKey);
        byte[] nonce = random(16, 6);
        byte[] payloadKey = AgePrimitives.hkdf(fileKey, nonce, "payload", 32);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(header);
        file.write(nonce);
        file.write(seal(payloadKey, 0, false, random(CHUNK, 7)));
        file.write(seal(payloadKey, 1, true, new byte[0]));

        assertFails(() -> decrypt(ENCRYPTION, file.toByteArray()), CoreErrorCode.DECRYPTION_FAILED,
                "final age payload chunk 1", "is empty", "only for an empty file");
    }

    @Test
    void tooLargeScryptWorkFactorIsRefusedBeforeAllocating() {
        byte[] fileKey = random(16, 8);
        Stanza stanza = new Stanza("scrypt", List.of(AgePrimitives.b64(random(16, 9)), "23"), random(32, 10));
        byte[] cipher = AgeHeader.write(List.of(stanza), fileKey);

        assertFails(() -> decrypt(AgeEncryption.withPassphrase(Secret.of("x")), cipher),
                CoreErrorCode.DECRYPTION_FAILED, "scrypt work factor 23 exceeds the maximum 22");
    }

    @Test
    void scryptWorkFactorBeyondTheHeapIsRefusedWithAHint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // work factor 18 needs 256 MiB: run it in a child JVM whose heap is 128 MiB
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        AgeTestSupport.Run r = AgeTestSupport.run(tmp, null,
                javaBin, "-Xmx128m", "-cp", System.getProperty("java.class.path"), ScryptHeapMain.class.getName(), "18");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("decrypt: BackupException[DECRYPTION_FAILED]: cannot use the age scrypt stanza: "
                        + "scrypt work factor 18 needs 256 MiB of heap")
                .contains("encrypt: BackupException[INVALID_CONFIGURATION]: cannot encrypt with a passphrase: "
                        + "scrypt work factor 18 needs 256 MiB of heap")
                .contains("-Xmx");
    }

    @Test
    void scryptStanzaMustBeTheOnlyStanza() {
        byte[] fileKey = random(16, 8);
        Stanza scrypt = new Stanza("scrypt", List.of(AgePrimitives.b64(random(16, 9)), "10"), random(32, 10));
        Stanza x = X25519Stanzas.wrap(fileKey, recipientKey(), new SecureRandom());
        byte[] cipher = AgeHeader.write(List.of(x, scrypt), fileKey);

        assertFails(() -> decrypt(AgeEncryption.withPassphrase(Secret.of("x")), cipher),
                CoreErrorCode.CORRUPT_DATA, "scrypt stanza must be the only stanza");
    }

    @Test
    void unknownStanzasAreSkipped() throws Exception {
        byte[] fileKey = random(16, 11);
        Stanza grease = new Stanza("x-grease", List.of("a", "b"), random(70, 12));
        Stanza x = X25519Stanzas.wrap(fileKey, recipientKey(), new SecureRandom());
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(AgeHeader.write(List.of(grease, x), fileKey));
        byte[] nonce = random(16, 13);
        file.write(nonce);
        file.write(seal(AgePrimitives.hkdf(fileKey, nonce, "payload", 32), 0, true, "hi".getBytes(StandardCharsets.US_ASCII)));

        assertThat(decrypt(ENCRYPTION, file.toByteArray())).asString(StandardCharsets.US_ASCII).isEqualTo("hi");
    }

    @Test
    void dataThatIsNotAgeIsCorruptData() {
        assertFails(() -> decrypt(ENCRYPTION, "hello world\n".getBytes(StandardCharsets.US_ASCII)),
                CoreErrorCode.CORRUPT_DATA, "not an age v1 file");
        assertFails(() -> decrypt(ENCRYPTION, random(5000, 1)), CoreErrorCode.CORRUPT_DATA, "not an age v1 file");
        assertFails(() -> decrypt(ENCRYPTION, new byte[0]), CoreErrorCode.CORRUPT_DATA, "empty");
        assertFails(() -> decrypt(ENCRYPTION, "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n".getBytes(StandardCharsets.US_ASCII)),
                CoreErrorCode.CORRUPT_DATA, "ASCII-armored");
    }

    @Test
    void everyTruncationOfAFileFailsWithABackupException() throws Exception {
        byte[] cipher = encrypt(ENCRYPTION, random(CHUNK + 10, 3));
        for (int len = 0; len < cipher.length; len += (len < 300 ? 1 : 997)) {
            byte[] cut = Arrays.copyOf(cipher, len);
            assertThatThrownBy(() -> decrypt(ENCRYPTION, cut)).as("length %d", len)
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode())
                            .isIn(CoreErrorCode.CORRUPT_DATA, CoreErrorCode.DECRYPTION_FAILED));
        }
    }

    @Test
    void backupOnlyInstanceRefusesToDecrypt() {
        AgeEncryption backupOnly = AgeEncryption.toRecipients(KEYS.recipient().encoded());

        assertFails(() -> backupOnly.decrypt(new ByteArrayInputStream(new byte[0])), CoreErrorCode.INVALID_CONFIGURATION,
                "cannot decrypt", "withIdentityFile");
        assertFails(() -> AgeEncryption.decryptOnly().encrypt(new ByteArrayOutputStream()),
                CoreErrorCode.INVALID_CONFIGURATION, "decrypt-only");
    }

    private static byte[] recipientKey() {
        // the test identity's public key, via a round trip through the format code
        return com.eazepay.backup.internal.age.Bech32.decode(KEYS.recipient().encoded()).data();
    }

    private static byte[] seal(byte[] key, long counter, boolean last, byte[] plain) throws Exception {
        byte[] nonce = new byte[12];
        for (int i = 0; i < 8; i++) {
            nonce[3 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        nonce[11] = (byte) (last ? 1 : 0);
        Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        return c.doFinal(plain);
    }
}
