package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeIdentity;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Secret;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static com.eazepay.backup.age.AgeTestSupport.decrypt;
import static com.eazepay.backup.age.AgeTestSupport.encrypt;
import static com.eazepay.backup.age.AgeTestSupport.random;
import static com.eazepay.backup.age.AgeTestSupport.run;
import static com.eazepay.backup.age.AgeTestSupport.runWithTty;
import static org.assertj.core.api.Assertions.assertThat;

/** Byte compatibility with the real age 1.1.1 CLI (Debian package {@code age}), both ways. */
class AgeCliInteropTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @BeforeAll
    static void ageIsInstalled() {
        AgeTestSupport.requireAge();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 17})
    void ageCliDecryptsWhatWeWrite(int size) throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path key = dir.resolve("key.txt");
        AgeKeys.writeIdentityFile(key, keys.identity(), CLOCK);
        byte[] plain = random(size, size);
        Files.write(dir.resolve("data.age"), encrypt(AgeEncryption.toRecipients(keys.recipient().encoded()), plain));

        AgeTestSupport.Run r = run(dir, null, "/usr/bin/age", "-d", "-i", "key.txt", "data.age");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(plain);
    }

    @Test
    void ageCliDecryptsWithTheEscrowKeyOfTwoRecipients() throws Exception {
        AgeKeys ops = AgeKeys.generate();
        AgeKeys escrow = AgeKeys.generate();
        AgeKeys.writeIdentityFile(dir.resolve("escrow.txt"), escrow.identity(), CLOCK);
        byte[] plain = random(100_000, 2);
        Files.write(dir.resolve("data.age"), encrypt(
                AgeEncryption.toRecipients(ops.recipient().encoded(), escrow.recipient().encoded()), plain));

        AgeTestSupport.Run r = run(dir, null, "/usr/bin/age", "-d", "-i", "escrow.txt", "data.age");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(plain);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65536, 65537, 2 * 1024 * 1024 + 1})
    void weDecryptWhatAgeCliWritesForRecipients(int size) throws Exception {
        AgeTestSupport.Run gen = run(dir, null, "/usr/bin/age-keygen", "-o", "key.txt");
        assertThat(gen.exit()).as(gen.stderr()).isZero();
        String recipient = run(dir, null, "/usr/bin/age-keygen", "-y", "key.txt").out().strip();
        AgeKeys other = AgeKeys.generate();
        byte[] plain = random(size, size + 1);
        Files.write(dir.resolve("plain.bin"), plain);

        AgeTestSupport.Run enc = run(dir, null, "/usr/bin/age", "-r", other.recipient().encoded(),
                "-r", recipient, "-o", "data.age", "plain.bin");
        assertThat(enc.exit()).as(enc.stderr()).isZero();

        List<AgeIdentity> ids = AgeKeys.readIdentityFile(dir.resolve("key.txt"));
        assertThat(ids).hasSize(1);
        assertThat(ids.get(0).recipient().encoded()).isEqualTo(recipient);
        assertThat(decrypt(AgeEncryption.decryptOnly().withIdentityFile(dir.resolve("key.txt")),
                Files.readAllBytes(dir.resolve("data.age")))).isEqualTo(plain);
    }

    @Test
    void identityFilesWeWriteLoadInAgeKeygenAndLookLikeItsOwn() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        Path key = dir.resolve("ours.txt");
        AgeKeys.writeIdentityFile(key, keys.identity(), CLOCK);

        AgeTestSupport.Run y = run(dir, null, "/usr/bin/age-keygen", "-y", "ours.txt");

        assertThat(y.exit()).as(y.stderr()).isZero();
        assertThat(y.out().strip()).isEqualTo(keys.recipient().encoded());
        List<String> lines = Files.readAllLines(key);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("# created: 2026-11-24T02:00:00Z");
        assertThat(lines.get(1)).isEqualTo("# public key: " + keys.recipient().encoded());
        assertThat(lines.get(2)).startsWith("AGE-SECRET-KEY-1").isUpperCase().hasSize(74);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    @Test
    @Tag("slow") // age -p always uses scrypt work factor 18: ~8 s of Bouncy Castle scrypt here
    void weDecryptWhatAgeCliWritesWithAPassphrase() throws Exception {
        byte[] plain = random(70_000, 9);
        Files.write(dir.resolve("plain.bin"), plain);

        // age reads passphrases only from a terminal: script(1) gives it one.
        AgeTestSupport.Run r = runWithTty(dir, "pass phrase one\npass phrase one\n", "/usr/bin/age -p -o data.age plain.bin");

        assertThat(r.exit()).as(r.stderr() + r.out()).isZero();
        byte[] cipher = Files.readAllBytes(dir.resolve("data.age"));
        assertThat(new String(cipher, 0, 40, StandardCharsets.US_ASCII)).contains("-> scrypt ");
        assertThat(decrypt(AgeEncryption.withPassphrase(Secret.of("pass phrase one")), cipher)).isEqualTo(plain);
    }

    @Test
    void ageCliDecryptsWhatWeWriteWithAPassphrase() throws Exception {
        byte[] plain = random(70_000, 10);
        Files.write(dir.resolve("data.age"),
                encrypt(AgeEncryption.withPassphrase(Secret.of("pass phrase two")).withWorkFactor(12), plain));

        AgeTestSupport.Run r = runWithTty(dir, "pass phrase two\n", "/usr/bin/age -d -o plain.bin data.age");

        assertThat(r.exit()).as(r.stderr() + r.out()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("plain.bin"))).isEqualTo(plain);
    }

    @Test
    void committedPassphraseVectorFromAgeCliDecrypts() throws Exception {
        // Written once by age 1.1.1 with 'age -p' (work factor 18); see src/test/resources/age/README.md.
        byte[] cipher;
        try (InputStream in = getClass().getResourceAsStream("/age/passphrase-hello.age")) {
            cipher = in.readAllBytes();
        }
        assertThat(decrypt(AgeEncryption.withPassphrase(Secret.of("correct horse")), cipher))
                .asString(StandardCharsets.UTF_8).isEqualTo("hello\n");
    }
}
