package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeIdentity;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.age.AgeRecipient;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static com.eazepay.backup.age.AgeKeysAndSecretsTest.AGE_KEYGEN_PUBLIC;
import static com.eazepay.backup.age.AgeKeysAndSecretsTest.AGE_KEYGEN_SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Issue 21 item 12: a secret key pasted where a recipient (or, mangled, where an identity) is expected
 * is never echoed, wherever {@code AGE-SECRET-KEY-} sits in the value and in whatever case. Uses the
 * fixed age-keygen test key, so the "no 8 characters of the key body" check cannot collide by chance.
 */
class AgeSecretKeyNeverEchoedTest {

    /** The key material: everything after {@code AGE-SECRET-KEY-1}. */
    private static final String BODY = AGE_KEYGEN_SECRET.substring("AGE-SECRET-KEY-1".length());

    @TempDir
    Path dir;

    static Stream<String> secretKeyVariants() {
        String k = AGE_KEYGEN_SECRET;
        return Stream.of(
                "\"" + k + "\"",                                   // quoted
                "'" + k + "'",
                "BACKUP_KEY=" + k,                                 // a line of an env file
                "export BACKUP_KEY=\"" + k.toLowerCase(Locale.ROOT) + "\"",
                "\u00A0" + k,                                      // leading non-breaking space (not stripped by strip())
                "\u200B" + k,                                      // zero-width space
                k.toLowerCase(Locale.ROOT),                        // lower case
                "Age-Secret-Key-1" + BODY.toLowerCase(Locale.ROOT), // mixed case
                k + "\u00A0",
                k.substring(0, 40) + "#" + k.substring(41),        // one character broken
                "# public key: " + AGE_KEYGEN_PUBLIC + " " + k);   // a whole identity-file line pasted
    }

    @ParameterizedTest
    @MethodSource("secretKeyVariants")
    void aSecretKeyGivenAsRecipientIsRefusedAsASecretAndNeverEchoed(String value) throws Exception {
        List<String> seen = new ArrayList<>();
        String log = AgeKeysAndSecretsTest.captureStderr(() -> {
            seen.add(expectInvalid(() -> AgeRecipient.parse(value)));
            seen.add(expectInvalid(() -> AgeEncryption.toRecipients(AGE_KEYGEN_PUBLIC, value)));
        });
        seen.add(log);

        assertThat(seen.get(0)).contains("an AGE-SECRET-KEY was given where a public age1… recipient is expected")
                .contains("(value not shown)");
        assertNoKeyMaterial(seen);
    }

    @ParameterizedTest
    @MethodSource("secretKeyVariants")
    void aMangledSecretKeyGivenAsIdentityIsRefusedAndNeverEchoed(String value) throws Exception {
        Path file = dir.resolve("key.txt");
        Files.writeString(file, "# created: 2026-11-24T02:00:00Z\n" + value + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--")); // also logs a WARN
        List<String> seen = new ArrayList<>();
        String log = AgeKeysAndSecretsTest.captureStderr(() -> {
            for (Runnable parse : List.<Runnable>of(
                    () -> AgeIdentity.parse(Secret.of(value)),
                    () -> AgeKeys.parseIdentities(Secret.of(value)),
                    () -> AgeKeys.readIdentityFile(file))) {
                try {
                    parse.run();
                    // some variants (lower case, trailing NBSP is not stripped) may parse or fail; only echoing is wrong
                } catch (BackupException e) {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    seen.add(everything(e));
                }
            }
        });
        seen.add(log);

        assertNoKeyMaterial(seen);
    }

    @Test
    void aSecretKeyBehindAPrefixIsLocatedWithoutBeingShown() {
        String msg = expectInvalid(() -> AgeIdentity.parse(Secret.of("BACKUP_KEY=" + AGE_KEYGEN_SECRET)));

        assertThat(msg).contains("malformed AGE-SECRET-KEY (value not shown)")
                .contains("the key starts at character 12 of 85")
                .contains("remove what precedes it");
        assertNoKeyMaterial(List.of(msg));
    }

    @Test
    void aMalformedRecipientIsDescribedByLengthAndFirstCharacterClassOnly() {
        String nbsp = expectInvalid(() -> AgeRecipient.parse("\u00A0" + AGE_KEYGEN_PUBLIC));
        String body = expectInvalid(() -> AgeRecipient.parse(BODY)); // a key body without its prefix
        String typo = expectInvalid(() -> AgeRecipient.parse("age1notarealrecipient"));

        assertThat(nbsp).contains("the value (63 characters, starting with U+00A0 (NO-BREAK SPACE)) is not an age recipient")
                .doesNotContain(AGE_KEYGEN_PUBLIC.substring(4, 20));
        assertThat(body).contains("the value (58 characters, starting with a digit) is not an age recipient");
        assertThat(typo).contains("the value (21 characters, starting with a letter) is not an age recipient")
                .doesNotContain("notarealrecipient");
        assertNoKeyMaterial(List.of(nbsp, body, typo));
    }

    @Test
    void aValidRecipientStillParsesWithSurroundingWhitespace() {
        assertThat(AgeRecipient.parse("  " + AGE_KEYGEN_PUBLIC + "\n").encoded()).isEqualTo(AGE_KEYGEN_PUBLIC);
        assertThat(AgeIdentity.parse(Secret.of(" " + AGE_KEYGEN_SECRET.toLowerCase(Locale.ROOT) + "\t"))
                .recipient().encoded()).isEqualTo(AGE_KEYGEN_PUBLIC);
    }

    /** Runs {@code call}, expects INVALID_CONFIGURATION, returns message + toString + causes + stack trace. */
    private static String expectInvalid(Runnable call) {
        try {
            call.run();
        } catch (BackupException e) {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            return everything(e);
        }
        return fail("expected INVALID_CONFIGURATION");
    }

    private static String everything(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return e.getMessage() + "\n" + e + "\n" + w;
    }

    /** No 8 consecutive characters of the key body, in either case, anywhere. */
    private static void assertNoKeyMaterial(List<String> texts) {
        for (String text : texts) {
            String lower = text.toLowerCase(Locale.ROOT);
            for (int i = 0; i + 8 <= BODY.length(); i++) {
                String window = BODY.substring(i, i + 8).toLowerCase(Locale.ROOT);
                assertThat(lower).as("key material at body offset %d in: %s", i, text).doesNotContain(window);
            }
        }
    }
}
