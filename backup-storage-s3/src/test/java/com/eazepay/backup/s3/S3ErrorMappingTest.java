package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.PutOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkGlobalTime;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each S3 error is reported as what it is: transient ones (a byte corrupted in flight, a conflicting
 * operation, a temporary redirect) are retried; an archived object and a KMS denial say so instead of
 * blaming s3:GetObject / s3:PutObject; a skewed clock says it is the clock and is corrected. Faults are
 * injected into S3Proxy's real responses by {@link FaultInterceptor}; the skew is real (S3Proxy refuses
 * requests signed 1 hour off).
 */
class S3ErrorMappingTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private S3Storage storage(ExecutionInterceptor... faults) {
        S3Client client = S3.newClient(faults);
        toClose.add(client);
        S3Storage s = S3Storage.from(client, S3.createBucket())
                .retryPolicy(RetryPolicy.builder().maxAttempts(5).sleeper(sleeps::add).build()).build();
        toClose.add(0, s);
        return s;
    }

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
            "400, BadDigest, not match its checksum",
            "400, XAmzContentSHA256Mismatch, not match its checksum",
            "403, SignatureDoesNotMatch, altered in transit",
            "409, OperationAborted, conflicting operation",
            "307, TemporaryRedirect, redirected temporarily",
            "400, RequestTimeTooSkewed, clock is off",
            "403, RequestExpired, clock is off"})
    void transientErrorsAreRetriedAndSayWhatHappened(int status, String code, String says) {
        FaultInterceptor once = new FaultInterceptor(r -> r.method().name().equals("PUT"), 1, status, code, Map.of());
        S3Storage s = storage(once);
        s.put("a.txt", bytes("x"), PutOptions.defaults());
        assertThat(once.injected()).isEqualTo(1);
        // retried (S3Proxy may also close a kept-alive connection after an error: that retry is counted too)
        assertThat(sleeps).as("retried").isNotEmpty();

        // every GET answered with the error (GETs carry no body, so S3Proxy keeps the connection: no broken pipe)
        FaultInterceptor always = new FaultInterceptor(r -> r.method().name().equals("GET"), Integer.MAX_VALUE, status, code,
                Map.of("Date", "Wed, 02 Dec 2026 05:00:00 GMT"));
        S3Storage failing = storage(always);
        failing.put("a.txt", bytes("x"), PutOptions.defaults());
        assertThatThrownBy(() -> failing.get("a.txt").close())
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.getMessage()).contains(says).doesNotContain("IAM permission");
                });
    }

    @Test
    void anArchivedObjectSaysToRestoreItNotThatGetObjectIsMissing() {
        FaultInterceptor archived = new FaultInterceptor(r -> r.method().name().equals("GET"), Integer.MAX_VALUE,
                403, "InvalidObjectState", "The operation is not valid for the object's storage class", Map.of());
        S3Storage s = storage(archived);
        s.put("a.txt", bytes("x"), PutOptions.defaults());
        assertThatThrownBy(() -> s.get("a.txt")).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getMessage()).contains("archived", "restore-object").doesNotContain("s3:GetObject");
        });
    }

    @Test
    void aKmsDenialNamesTheKmsPermissionNotS3s() {
        FaultInterceptor kms = new FaultInterceptor(r -> r.method().name().equals("PUT"), Integer.MAX_VALUE, 403,
                "AccessDenied", "User: arn:aws:iam::111122223333:user/backup is not authorized to perform:"
                + " kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/k", Map.of());
        S3Storage s = storage(kms);
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("SSE-KMS key", "kms:GenerateDataKey").doesNotContain("s3:PutObject");
                });
        FaultInterceptor disabled = new FaultInterceptor(r -> r.method().name().equals("GET"), Integer.MAX_VALUE, 400,
                "KMS.DisabledException", "key is disabled", Map.of());
        S3Storage r = storage(disabled);
        r.put("a.txt", bytes("x"), PutOptions.defaults());
        assertThatThrownBy(() -> r.get("a.txt")).isInstanceOfSatisfying(BackupException.class,
                e -> assertThat(e.getMessage()).contains("SSE-KMS key", "kms:Decrypt").doesNotContain("s3:GetObject"));
    }

    @Test
    void aSkewedClockIsReportedAsTheClockAndTheSigningTimeIsCorrectedFromTheServersDate() {
        // This JVM's signing clock 1 hour behind: S3Proxy (like S3, beyond 15 minutes) answers RequestTimeTooSkewed.
        int before = SdkGlobalTime.getGlobalTimeOffset();
        SdkGlobalTime.setGlobalTimeOffset(3600);
        try {
            S3Client client = S3.newClient();
            toClose.add(client);
            S3Storage s = S3Storage.from(client, S3.createBucket())
                    .retryPolicy(RetryPolicy.builder().maxAttempts(2).sleeper(sleeps::add).build()).build();
            toClose.add(0, s);
            s.put("a.txt", bytes("x"), PutOptions.defaults());
            assertThat(sleeps).as("one retry, signed with the corrected time").hasSize(1);
            assertThat(s.stat("a.txt")).isPresent();

            // with no retry left, the message says it is the clock
            SdkGlobalTime.setGlobalTimeOffset(3600);
            S3Storage once = S3Storage.bucket(s.bucketName()).endpoint(S3.endpoint()).pathStyle(true).region("us-east-1")
                    .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                    .retryPolicy(RetryPolicy.none()).build();
            toClose.add(0, once);
            assertThatThrownBy(() -> once.put("b.txt", bytes("x"), PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.getMessage()).contains("clock is off", "RequestTimeTooSkewed", "NTP")
                                .doesNotContain("IAM permission");
                    });
        } finally {
            SdkGlobalTime.setGlobalTimeOffset(before);
        }
    }
}
