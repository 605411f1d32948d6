package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeIdentity;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.age.AgeRecipient;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.age.Bech32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static com.eazepay.backup.age.AgeTestSupport.decrypt;
import static com.eazepay.backup.age.AgeTestSupport.encrypt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgeKeysAndSecretsTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T02:00:00Z"), ZoneOffset.UTC);
    // A throwaway key pair written by age-keygen 1.1.1 (test-only), to check Bech32 and X25519 against it.
    static final String AGE_KEYGEN_SECRET = "AGE-SECRET-KEY-13KKUA8XJ3C4VQ6H4JKV850S87JR2S49MN2YQUDGZP3W5TGSQGGUSTN6ZZY";
    static final String AGE_KEYGEN_PUBLIC = "age1q9ama2k7sa9g0wtyj0skzxm7lg74fff30m36tz3e5hmva426dsps4eea6c";

    @TempDir
    Path dir;

    @Test
    void bech32MatchesTheBip173Vectors() {
        assertThat(Bech32.decode("A12UEL5L").hrp()).isEqualTo("a");
        assertThat(Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw").hrp()).isEqualTo("abcdef");
        assertThatThrownBy(() -> Bech32.decode("A12uEL5L")).hasMessageContaining("mixed");
        assertThatThrownBy(() -> Bech32.decode("a12uel5m")).hasMessageContaining("checksum");
        byte[] data = new byte[32];
        data[0] = 1;
        assertThat(Bech32.decode(Bech32.encode("age", data)).data()).isEqualTo(data);
    }

    @Test
    void ageKeygenIdentityGivesAgeKeygensPublicKey() {
        AgeIdentity identity = AgeIdentity.parse(Secret.of(AGE_KEYGEN_SECRET));

        assertThat(identity.recipient().encoded()).isEqualTo(AGE_KEYGEN_PUBLIC);
        assertThat(identity.reveal().reveal()).isEqualTo(AGE_KEYGEN_SECRET);
        assertThat(identity).hasToString("AgeIdentity[" + AGE_KEYGEN_PUBLIC + "]");
    }

    @Test
    void generatedKeysRoundTripThroughTheirEncodings() {
        AgeKeys keys = AgeKeys.generate();
        String secret = keys.identity().reveal().reveal();

        assertThat(secret).startsWith("AGE-SECRET-KEY-1").hasSize(74).isEqualTo(secret.toUpperCase(Locale.ROOT));
        assertThat(keys.recipient().encoded()).startsWith("age1").hasSize(62);
        assertThat(AgeIdentity.parse(Secret.of(secret.toLowerCase(Locale.ROOT)))).isEqualTo(keys.identity());
        assertThat(AgeRecipient.parse(keys.recipient().encoded())).isEqualTo(keys.recipient());
    }

    @Test
    void identityFilesRoundTripWithSeveralKeysAndComments() {
        AgeKeys a = AgeKeys.generate();
        AgeKeys b = AgeKeys.generate();
        String text = "# ops\n" + a.identity().reveal().reveal() + "\n\n# escrow\r\n" + b.identity().reveal().reveal() + "\n";

        assertThat(AgeKeys.parseIdentities(Secret.of(text))).containsExactly(a.identity(), b.identity());
        Path file = dir.resolve("k.txt");
        AgeKeys.writeIdentityFile(file, a.identity(), CLOCK);
        assertThat(AgeKeys.readIdentityFile(file)).containsExactly(a.identity());
        assertThatThrownBy(() -> AgeKeys.writeIdentityFile(file, b.identity(), CLOCK))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.ALREADY_EXISTS));
    }

    @Test
    void identityFromAnEnvironmentVariableDecrypts() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        byte[] plain = AgeTestSupport.random(100_000, 4);
        Path file = dir.resolve("data.age");
        Files.write(file, encrypt(AgeEncryption.toRecipients(keys.recipient().encoded()), plain));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EnvIdentityMain.class.getName(), file.toString());
        // identity-file contents (comment + key), as a secret manager would inject them
        pb.environment().put("AGE_TEST_IDENTITY", "# backup key\n" + keys.identity().reveal().reveal() + "\n");

        AgeTestSupport.Run r = AgeTestSupport.run(dir, null, pb.command().toArray(String[]::new));
        Process p = pb.redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.waitFor()).as(err).isZero();
        assertThat(out).isEqualTo(plain);
        assertThat(r.exit()).as("without the variable the child fails").isNotZero();
        assertThat(r.stderr()).contains("environment variable AGE_TEST_IDENTITY is not set");
    }

    @Test
    void malformedRecipientIsDescribedNotQuotedAndASecretKeyIsNamedAsSuch() {
        String bad = "age1notarealrecipient";
        assertThatThrownBy(() -> AgeEncryption.toRecipients(bad)).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains("the value (21 characters, starting with a letter) is not an age recipient")
                    .doesNotContain(bad);
        });
        String secret = AgeKeys.generate().identity().reveal().reveal();
        assertThatThrownBy(() -> AgeEncryption.toRecipients(secret)).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains("(value not shown)").doesNotContain(secret).doesNotContain(secret.substring(16, 40));
        });
    }

    @Test
    void malformedSecretKeyIsNeverShown() {
        String secret = AgeKeys.generate().identity().reveal().reveal();
        String broken = secret.substring(0, 40) + (secret.charAt(40) == 'Q' ? 'P' : 'Q') + secret.substring(41);

        for (String value : List.of(broken, secret.substring(0, 60), "AGE-SECRET-KEY-1" + "Q".repeat(58))) {
            assertThatThrownBy(() -> AgeIdentity.parse(Secret.of(value))).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                assertThat(e.getMessage()).startsWith("malformed AGE-SECRET-KEY (value not shown)")
                        .doesNotContain(value.substring(16, 50).toUpperCase(Locale.ROOT))
                        .doesNotContain(value.substring(16, 50).toLowerCase(Locale.ROOT));
                assertThat(e.getCause()).isNull();
            });
        }
        assertThatThrownBy(() -> AgeKeys.parseIdentities(Secret.of("# c\n" + broken)))
                .hasMessageContaining("line 2: malformed AGE-SECRET-KEY (value not shown)")
                .hasMessageNotContaining(broken.substring(16, 50));
    }

    @Test
    void secretsAppearInNoToStringParametersMessageOrLog() throws Exception {
        AgeKeys keys = AgeKeys.generate();
        String secret = keys.identity().reveal().reveal();
        String passphrase = "hunter2-correct-horse";
        Path file = dir.resolve("exposed.txt");
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        List<String> seen = new ArrayList<>();
        String log = captureStderr(() -> {
            AgeEncryption withFile = AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentityFile(file);
            AgeEncryption withIds = AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity())
                    .withIdentitySupplier(() -> List.of(keys.identity()));
            AgeEncryption withPass = AgeEncryption.withPassphrase(Secret.of(passphrase)).withWorkFactor(8);
            byte[] cipher = encrypt(withFile, "data".getBytes(StandardCharsets.US_ASCII));
            assertThat(decrypt(withFile, cipher)).hasSize(4);
            seen.addAll(List.of(withFile.toString(), withIds.toString(), withPass.toString(),
                    withFile.parameters().toString(), withPass.parameters().toString(),
                    keys.toString(), keys.identity().toString(), keys.recipient().toString(),
                    keys.identity().reveal().toString()));
            byte[] passCipher = encrypt(withPass, "data".getBytes(StandardCharsets.US_ASCII));
            for (Runnable failing : List.<Runnable>of(
                    () -> AgeEncryption.toRecipients(secret),
                    () -> AgeIdentity.parse(Secret.of(secret + "x")),
                    () -> call(() -> decrypt(AgeEncryption.withPassphrase(Secret.of(passphrase + "!")), passCipher)),
                    () -> call(() -> decrypt(AgeEncryption.decryptOnly().withIdentities(AgeKeys.generate().identity()), cipher)),
                    () -> call(() -> decrypt(AgeEncryption.decryptOnly().withIdentityFromEnv("AGE_TEST_UNSET_VARIABLE_X"), cipher)),
                    () -> call(() -> decrypt(AgeEncryption.decryptOnly().withIdentityFromEnv("PATH"), cipher)),
                    () -> call(() -> decrypt(ENC_WITH_THROWING_SUPPLIER, cipher)))) {
                try {
                    failing.run();
                    throw new AssertionError("expected a failure");
                } catch (BackupException e) {
                    seen.add(e.toString());
                    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                        seen.add(String.valueOf(c.getMessage()));
                    }
                }
            }
        });
        seen.add(log);

        assertThat(log).contains("WARN").contains("exposed.txt").contains("chmod 600");
        assertThat(seen).anySatisfy(s -> assertThat(s).contains("environment variable AGE_TEST_UNSET_VARIABLE_X is not set"));
        assertThat(seen).anySatisfy(s -> assertThat(s).contains("environment variable PATH, line 1: malformed AGE-SECRET-KEY (value not shown)"));
        String secretBody = secret.substring("AGE-SECRET-KEY-1".length());
        for (String s : seen) {
            assertThat(s).doesNotContain(secretBody.substring(0, 20))
                    .doesNotContain(secretBody.substring(0, 20).toLowerCase(Locale.ROOT))
                    .doesNotContain(passphrase);
        }
    }

    static final AgeEncryption ENC_WITH_THROWING_SUPPLIER = AgeEncryption.decryptOnly().withIdentitySupplier(() -> {
        throw new IllegalStateException("vault sealed");
    });

    interface IoCall {
        void run() throws Exception;
    }

    static void call(IoCall c) {
        try {
            c.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String captureStderr(IoCall body) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
