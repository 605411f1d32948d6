package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.PutOptions;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The configured credentials (an OAuth access token) reach the server but never our
 * {@code toString()}, {@code describe()}, exception messages or stack traces, nor the logs: ours
 * (SLF4J at DEBUG, see {@code simplelogger.properties}) and the Google client's (JUL at CONFIG, where
 * it logs HTTP requests).
 */
class GcsCredentialsSecrecyTest {

    @Test
    void credentialsAreSentButNeverPrintedLoggedOrPutInErrors() throws Exception {
        String token = "ya29.TOP-SECRET-" + UUID.randomUUID();
        GoogleCredentials credentials = GoogleCredentials.create(
                new AccessToken(token, new Date(4_102_444_800_000L))); // 2100-01-01

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        List<String> julRecords = new ArrayList<>();
        Handler jul = new Handler() {
            @Override
            public void publish(LogRecord r) {
                julRecords.add(r.getLoggerName() + " " + r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger google = Logger.getLogger("com.google");
        Level originalLevel = google.getLevel();
        google.setLevel(Level.CONFIG);
        google.addHandler(jul);
        List<String> texts = new ArrayList<>();
        try (FakeGcsServer server = FakeGcsServer.start()) {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            server.createBucket("secret-test");
            try (GcsStorage storage = GcsStorage.bucket("secret-test").prefix("prod/").host(server.host())
                    .credentials(credentials).retryPolicy(RetryPolicy.none()).build()) {
                storage.put("a.txt", new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), PutOptions.defaults());
                texts.add(storage.toString());
                texts.add(storage.describe());

                server.deny("storage.objects.create");
                BackupException denied = catchThrowableOfType(BackupException.class,
                        () -> storage.put("b.txt", new ByteArrayInputStream(new byte[1]), PutOptions.defaults()));
                assertThat(denied).hasMessageContaining("permission denied");
                texts.add(everything(denied));
            }
            try (GcsStorage missing = GcsStorage.bucket("no-such-bucket").host(server.host())
                    .credentials(credentials).retryPolicy(RetryPolicy.none()).build()) {
                BackupException noBucket = catchThrowableOfType(BackupException.class, () -> missing.listAll(""));
                assertThat(noBucket).hasMessageContaining("does not exist");
                texts.add(everything(noBucket));
            }
            // the credentials were really used: the server received the token
            assertThat(server.authorizationHeaders()).contains("Bearer " + token);
        } finally {
            System.setErr(originalErr);
            google.removeHandler(jul);
            google.setLevel(originalLevel);
        }
        String logs = err.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("put gs://secret-test/prod/a.txt"); // logging was on
        texts.add(logs);
        texts.addAll(julRecords);
        assertThat(texts).allSatisfy(text -> assertThat(text).doesNotContain(token).doesNotContain("TOP-SECRET"));
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return t + "\n" + w;
    }
}
