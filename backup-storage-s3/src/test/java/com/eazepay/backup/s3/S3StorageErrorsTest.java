package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.CuttingProxy;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static com.eazepay.backup.s3.RecordingInterceptor.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Clear errors for the ways S3 goes wrong, and nothing half-visible afterwards. */
class S3StorageErrorsTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final long MIB = 1024 * 1024;
    private static final Instant RETAIN = Instant.parse("2027-01-01T00:00:00Z");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final RecordingInterceptor recorder = new RecordingInterceptor();
    private String bucket;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private RetryPolicy fastRetries() {
        return RetryPolicy.builder().maxAttempts(3).sleeper(sleeps::add).build();
    }

    private S3Storage storage(Consumer<S3Storage.Builder> custom, ExecutionInterceptor... faults) {
        List<ExecutionInterceptor> all = new ArrayList<>(List.of(faults));
        all.add(recorder);
        S3Client client = S3.newClient(all.toArray(ExecutionInterceptor[]::new));
        toClose.add(client);
        bucket = S3.createBucket();
        S3Storage.Builder b = S3Storage.from(client, bucket).partSize(5 * MIB).retryPolicy(fastRetries());
        custom.accept(b);
        S3Storage s = b.build();
        toClose.add(0, s);
        return s;
    }

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingBucketFailsEveryOperationNamingTheBucketAndRegion() {
        S3Storage s = S3Storage.bucket("eazepay-no-such-bucket").endpoint(S3.endpoint()).pathStyle(true).region("us-east-1")
                .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                .partSize(5 * MIB).retryPolicy(fastRetries()).build();
        toClose.add(s);
        for (Runnable op : List.<Runnable>of(
                () -> s.put("a.txt", bytes("x"), PutOptions.defaults()),
                () -> s.put("big.bin", new GeneratedInputStream(6 * MIB, 1), PutOptions.defaults()),
                () -> s.get("a.txt"),
                () -> s.listAll(""))) {
            assertThatThrownBy(op::run).isInstanceOfSatisfying(BackupException.class, e -> {
                assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                assertThat(e.isRetryable()).isFalse();
                assertThat(e.getMessage()).contains("bucket 'eazepay-no-such-bucket' does not exist in region us-east-1",
                        "create it or fix the name");
            });
        }
        // No sleeps are asserted: S3Proxy may close a kept-alive connection after an error response, and the
        // next request on it is then retried (STORAGE_UNAVAILABLE) before it gets the real answer.
    }

    @Test
    void rejectedCredentialsSayCredentialsWithoutShowingThem() {
        String wrongSecret = "wrong-SECRET-value-0000";
        S3Client client = S3.newClient(S3.endpoint(), wrongSecret);
        toClose.add(client);
        // one attempt: SignatureDoesNotMatch is retried (a byte altered in transit breaks it too), and S3Proxy may
        // close the kept-alive connection after the error, so a retry could end on that instead
        S3Storage s = S3Storage.from(client, S3.createBucket()).retryPolicy(RetryPolicy.none()).build();
        toClose.add(0, s);
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("credentials were rejected", "bucket '" + s.bucketName() + "'")
                            .doesNotContain(wrongSecret);
                    assertThat(allMessages(e)).doesNotContain(wrongSecret);
                });
    }

    @Test
    void accessDeniedNamesTheBucketTheOperationAndTheMissingIamAction() {
        FaultInterceptor denied = new FaultInterceptor(r -> r.method().name().equals("GET"), Integer.MAX_VALUE,
                403, "AccessDenied", Map.of());
        S3Storage s = storage(b -> { }, denied);
        s.put("a.txt", bytes("x"), PutOptions.defaults());
        assertThatThrownBy(() -> s.get("a.txt")).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
            assertThat(e.getMessage()).contains("access denied to bucket '" + bucket + "'", "operation get",
                    "s3:GetObject", "arn:aws:s3:::" + bucket + "/*");
        });
        assertThatThrownBy(() -> s.listAll("")).isInstanceOfSatisfying(BackupException.class,
                e -> assertThat(e.getMessage()).contains("s3:ListBucket"));
    }

    @Test
    void aBucketInAnotherRegionNamesTheRightRegion() {
        FaultInterceptor redirect = new FaultInterceptor(r -> true, Integer.MAX_VALUE, 301, "PermanentRedirect",
                Map.of("x-amz-bucket-region", "eu-west-1"));
        S3Storage s = storage(b -> { }, redirect);
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("is not in region us-east-1", "it is in eu-west-1",
                            "region(\"eu-west-1\")");
                });
    }

    @Test
    void aNetworkDropMidPartFailsRetryablyAndLeavesNoUploadAndNoObject() throws Exception {
        try (CuttingProxy cut = CuttingProxy.cuttingRequests(S3.endpoint().getPort(), 2 * MIB)) {
            S3Client client = S3.newClient(cut.httpEndpoint(), S3ProxyExtension.SECRET_KEY);
            toClose.add(client);
            bucket = S3.createBucket();
            S3Storage s = S3Storage.from(client, bucket).partSize(5 * MIB).partsInFlight(1).retryPolicy(fastRetries()).build();
            toClose.add(0, s);
            assertThatThrownBy(() -> s.put("pg/cut.bin", new GeneratedInputStream(12 * MIB, 9), PutOptions.defaults()))
                    .isInstanceOfSatisfying(BackupException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                        assertThat(e.isRetryable()).isTrue();
                        assertThat(e.getMessage()).contains("pg/cut.bin", "part 1", "network error");
                    });
            assertThat(cut.cuts()).isEqualTo(3);
            assertThat(S3.admin().listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
            assertThat(S3.admin().listObjectsV2(r -> r.bucket(bucket)).contents()).isEmpty();
        }
    }

    @Test
    void anEndpointThatRefusesConnectionsIsUnavailableAndRetryable() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        S3Storage s = S3Storage.bucket("b").endpoint(URI.create("http://127.0.0.1:" + closedPort)).pathStyle(true)
                .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                .retryPolicy(fastRetries()).build();
        toClose.add(s);
        assertThatThrownBy(() -> s.stat("x")).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("network error", "s3://b/x");
        });
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void objectLockOnAStoreThatDoesNotSupportItFailsClearly() {
        S3Storage s = storage(b -> b.objectLock(ObjectLockMode.GOVERNANCE));
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults().withRetainUntil(RETAIN)))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("does not support Object Lock", "501");
                });
        assertThat(s.stat("a.txt")).isEmpty();
    }

    @Test
    void objectLockOnABucketWithoutLockConfigurationSaysHowToCreateOne() {
        FaultInterceptor notConfigured = new FaultInterceptor(r -> r.rawQueryParameters().containsKey("object-lock"),
                Integer.MAX_VALUE, 404, "ObjectLockConfigurationNotFoundError", Map.of());
        S3Storage s = storage(b -> b.objectLock(ObjectLockMode.COMPLIANCE), notConfigured);
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults().withRetainUntil(RETAIN)))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("bucket '" + bucket + "' has no Object Lock configuration",
                            "--object-lock-enabled-for-bucket");
                });
        assertThat(recorder.matching(RecordingInterceptor::isSinglePut)).isEmpty();
    }

    @Test
    void objectLockSendsModeAndRetainUntilDateOnceTheBucketHasLockEnabled() {
        ExecutionInterceptor lockEnabled = new LockEnabledInterceptor();
        S3Storage s = storage(b -> b.objectLock(ObjectLockMode.COMPLIANCE), lockEnabled);
        try {
            s.put("a.txt", bytes("x"), PutOptions.defaults().withRetainUntil(RETAIN));
            s.put("big.bin", new GeneratedInputStream(6 * MIB, 2), PutOptions.defaults().withRetainUntil(RETAIN));
        } catch (BackupException s3ProxyRefusesLockHeaders) {
            assertThat(s3ProxyRefusesLockHeaders.errorCode()).isEqualTo(CoreErrorCode.STORAGE_FAILED);
        }
        List<software.amazon.awssdk.http.SdkHttpRequest> puts = new ArrayList<>(recorder.matching(RecordingInterceptor::isSinglePut));
        puts.addAll(recorder.matching(RecordingInterceptor::isCreateMultipart));
        assertThat(puts).isNotEmpty().allSatisfy(p -> {
            assertThat(header(p, "x-amz-object-lock-mode")).isEqualTo("COMPLIANCE");
            assertThat(header(p, "x-amz-object-lock-retain-until-date")).startsWith("2027-01-01T00:00:00");
        });
        assertThat(recorder.matching(r -> r.rawQueryParameters().containsKey("object-lock"))).hasSize(1);
    }

    @Test
    void aRetainUntilDateWithoutObjectLockModeIsAConfigurationError() {
        S3Storage s = storage(b -> { });
        assertThatThrownBy(() -> s.put("a.txt", bytes("x"), PutOptions.defaults().withRetainUntil(RETAIN)))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("objectLock(ObjectLockMode.GOVERNANCE)");
                });
    }

    @Test
    void anUnknownStorageClassFailsAtBuildListingTheValidNames() {
        assertThatThrownBy(() -> S3Storage.bucket("b").region("us-east-1").storageClass("STANDARD_INFREQUENT").build())
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("unknown storage class 'STANDARD_INFREQUENT'", "STANDARD_IA",
                            "GLACIER_IR", "DEEP_ARCHIVE", "INTELLIGENT_TIERING");
                });
    }

    @Test
    void buildReportsEveryProblemAtOnceAndSettersRejectBadValues() {
        S3Client client = S3.newClient();
        toClose.add(client);
        assertThatThrownBy(() -> S3Storage.from(client, " ").region("us-east-1").storageClass("COLD").build())
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.getMessage())
                        .contains("bucket name is blank", "unknown storage class 'COLD'", "configure the client instead"));
        assertThatThrownBy(() -> S3Storage.bucket("b").partSize(4 * MIB))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 MiB");
        assertThatThrownBy(() -> S3Storage.bucket("b").partsInFlight(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 1 and 64");
    }

    @Test
    void aSettingGivenTwiceIsRefusedAtOnce() {
        assertThatThrownBy(() -> S3Storage.bucket("b").region("eu-west-1").region("us-east-1"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("S3Storage: region was already set");
        // the three encryption verbs are one setting: sseKms then sseNone is a contradiction, not an override
        assertThatThrownBy(() -> S3Storage.bucket("b").sseKms("key-1").sseNone())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("serverSideEncryption was already set");
        assertThatThrownBy(() -> S3Storage.bucket("b").credentials("AKIDEXAMPLE", Secret.of("s3cr3t-kEy-9"))
                .credentials("AKIDOTHER", Secret.of("other-kEy-1")))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("s3cr3t-kEy-9");
    }

    @Test
    void deleteAllRemovesManyKeysInBatchesAndIgnoresMissingOnes() {
        S3Storage s = storage(b -> b.prefix("p"));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_050; i++) {
            String k = String.format("d/%04d", i);
            keys.add(k);
            if (i % 100 == 0) {
                // Only some exist: S3 treats the others as deleted, and 1,050 keys still need two batches.
                s.put(k, bytes("v"), PutOptions.defaults());
            }
        }
        s.put("keep/me", bytes("v"), PutOptions.defaults());
        keys.add("d/never-existed");
        s.deleteAll(keys);
        assertThat(s.listAll("")).extracting(ObjectInfo::key).containsExactly("keep/me");
        assertThat(recorder.matching(r -> r.method().name().equals("POST") && r.rawQueryParameters().containsKey("delete")))
                .hasSize(2);
    }

    @Test
    void describeIsTheBucketAndPrefixAndListingIsRelativeToThePrefix() {
        S3Storage s = storage(b -> b.prefix("prod"));
        assertThat(s.describe()).isEqualTo("s3://" + bucket + "/prod/");
        s.put("pg/m.json", bytes("{}"), PutOptions.defaults());
        assertThat(S3.admin().listObjectsV2(r -> r.bucket(bucket)).contents()).extracting(o -> o.key())
                .containsExactly("prod/pg/m.json");
        assertThat(s.listAll("pg/")).extracting(ObjectInfo::key).containsExactly("pg/m.json");
    }

    static String allMessages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                sb.append(allMessages(s));
            }
        }
        return sb.toString();
    }

    /** Answers GetObjectLockConfiguration with "enabled", as a bucket created with Object Lock would. */
    private static final class LockEnabledInterceptor implements ExecutionInterceptor {
        private final ThreadLocal<Boolean> faking = ThreadLocal.withInitial(() -> false);

        @Override
        public software.amazon.awssdk.http.SdkHttpResponse modifyHttpResponse(
                software.amazon.awssdk.core.interceptor.Context.ModifyHttpResponse c,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            boolean lockConfig = c.httpRequest().rawQueryParameters().containsKey("object-lock");
            faking.set(lockConfig);
            return lockConfig ? software.amazon.awssdk.http.SdkHttpResponse.builder().statusCode(200)
                    .putHeader("Content-Type", "application/xml").build() : c.httpResponse();
        }

        @Override
        public java.util.Optional<java.io.InputStream> modifyHttpResponseContent(
                software.amazon.awssdk.core.interceptor.Context.ModifyHttpResponse c,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            if (!faking.get()) {
                return c.responseBody();
            }
            faking.set(false);
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ObjectLockConfiguration>"
                    + "<ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
            return java.util.Optional.of(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
