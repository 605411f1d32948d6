package com.eazepay.backup.files;

import com.eazepay.backup.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a successful command printed on stderr is logged (never stored) with secrets masked and bounded. */
class CommandSourceStderrRedactionTest {

    private final CommandSource source = CommandSource.builder("export", "true")
            .secretEnvironment("API_TOKEN", Secret.of("tok-123456")).build();

    @Test
    void stderrLoggedForASuccessfulCommandHasSecretsMasked() {
        String logged = source.redact("using tok-123456 for auth\n"
                + "dsn postgres://app:hunter2@db:5432/pay password=hunter2 PGPASSWORD: 'x y'\n"
                + "key AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS\n");
        assertThat(logged).doesNotContain("tok-123456", "hunter2", "'x y'", "1QYQSZQGP")
                .contains("using *** for auth", "postgres://app:***@db", "password=***", "AGE-SECRET-KEY-***");
    }

    @Test
    void stderrLoggedForASuccessfulCommandIsBounded() {
        String logged = source.redact("x".repeat(10_000) + "tail");
        assertThat(logged).hasSize(CommandSource.STDERR_LOG_LIMIT + 1).startsWith("…").endsWith("tail");
    }
}
