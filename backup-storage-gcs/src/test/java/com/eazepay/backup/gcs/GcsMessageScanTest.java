package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every failure of a resumable upload (the session's chunk PUT answered 400, 403, 410, 503, or its start
 * refused) yields a message, and a stack trace with all its causes, that carry no resumable session URL,
 * upload id, request dump, token or key: a session URL lets anyone upload to that object for a week.
 */
class GcsMessageScanTest {

    private static final Pattern FORBIDDEN = Pattern.compile(
            "upload_id|uploadType=resumable|x-guploader|X-GUploader|Authorization|Bearer|ya29\\.|TOP-SECRET"
                    + "|PRIVATE KEY|content-range:|Content-Range:|\\bPUT https?://|\\bPOST https?://", Pattern.CASE_INSENSITIVE);

    @Test
    void uploadFailureMessagesAndTheirCausesCarryNoSessionUrlUploadIdRequestDumpOrToken() throws Exception {
        String token = "ya29.TOP-SECRET-" + UUID.randomUUID();
        GoogleCredentials credentials = GoogleCredentials.create(new AccessToken(token, new Date(4_102_444_800_000L)));
        List<String> texts = new ArrayList<>();
        try (FakeGcsServer server = FakeGcsServer.start()) {
            server.createBucket("scan");
            try (GcsStorage storage = GcsStorage.bucket("scan").prefix("prod/").host(server.host()).credentials(credentials)
                    .retryPolicy(RetryPolicy.none()).build()) {
                int i = 0;
                for (int status : new int[]{400, 403, 410, 503}) {
                    // fail the chunk PUTs of the session (their URL carries the upload id)
                    server.failNext("PUT /upload/.*upload_id=", status, 50);
                    BackupException e = catchThrowableOfType(BackupException.class, () -> storage.put("obj-" + status,
                            new GeneratedInputStream(600 * 1024, 3), PutOptions.defaults()));
                    assertThat(e).as("status %d", status).isNotNull();
                    texts.add(everything(e));
                    server.clearFaults();
                    i++;
                }
                server.failNext("POST /upload/", 400, 1);
                BackupException start = catchThrowableOfType(BackupException.class, () -> storage.put("small",
                        new ByteArrayInputStream(new byte[10]), PutOptions.defaults()));
                assertThat(start).isNotNull();
                texts.add(everything(start));
                assertThat(i).isEqualTo(4);
            }
        }
        assertThat(texts).allSatisfy(text -> assertThat(FORBIDDEN.matcher(text).find())
                .as("forbidden text in:%n%s", text).isFalse());
    }

    @Test
    void redactKeepsTheFirstLineAndRemovesQueriesUploadIdsTokensAndKeys() {
        String raw = "410 Gone https://storage.googleapis.com/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=ADPycdu"
                + " upload_id: ADPycdv Bearer ya29.a0AfH6SM access_token=abc -----BEGIN PRIVATE KEY-----MIIE-----END PRIVATE KEY-----"
                + "\n\t|> PUT https://storage.googleapis.com/upload?upload_id=ADPycdw\n\t|> Authorization: Bearer ya29.x";
        String redacted = com.eazepay.backup.gcs.internal.GcsErrors.redact(raw);
        assertThat(redacted).startsWith("410 Gone https://storage.googleapis.com/upload/storage/v1/b/b/o?<query removed>")
                .doesNotContain("ADPycd").doesNotContain("ya29").doesNotContain("abc").doesNotContain("MIIE")
                .doesNotContain("Authorization").contains("[request/response details removed]");
    }

    private static String everything(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return t + "\n" + w;
    }
}
