package com.eazepay.backup.s3;

import com.eazepay.backup.storage.RetryPolicy;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.PutObjectLegalHoldRequest;
import software.amazon.awssdk.services.s3.model.PutObjectLegalHoldResponse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's own legal hold ({@code PutObjectLegalHold}). S3Proxy has no Object Lock legal holds, so the
 * S3 client here is a fake (the {@link S3Client} interface is ours to implement) that records the requests.
 */
class S3LegalHoldTest {

    private static final class RecordingClient implements S3Client {
        final List<PutObjectLegalHoldRequest> holds = new CopyOnWriteArrayList<>();

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }

        @Override
        public S3ServiceClientConfiguration serviceClientConfiguration() {
            return S3ServiceClientConfiguration.builder().region(Region.US_EAST_1).build();
        }

        @Override
        public PutObjectLegalHoldResponse putObjectLegalHold(PutObjectLegalHoldRequest r) {
            holds.add(r);
            return PutObjectLegalHoldResponse.builder().build();
        }
    }

    @Test
    void legalHoldSendsPutObjectLegalHoldOnAnObjectLockStorageAndIsUnsupportedWithout() {
        RecordingClient client = new RecordingClient();
        try (S3Storage locked = S3Storage.from(client, "vault").prefix("prod/").objectLock(ObjectLockMode.COMPLIANCE)
                .retryPolicy(RetryPolicy.none()).build()) {
            assertThat(locked.legalHold("pg/1/db.pgdump.zst.age", true)).isTrue();
            assertThat(locked.legalHold("pg/1/db.pgdump.zst.age", false)).isTrue();
        }
        assertThat(client.holds).hasSize(2);
        assertThat(client.holds.get(0).bucket()).isEqualTo("vault");
        assertThat(client.holds.get(0).key()).isEqualTo("prod/pg/1/db.pgdump.zst.age");
        assertThat(client.holds.get(0).legalHold().status()).isEqualTo(ObjectLockLegalHoldStatus.ON);
        assertThat(client.holds.get(1).legalHold().status()).isEqualTo(ObjectLockLegalHoldStatus.OFF);

        RecordingClient plain = new RecordingClient();
        try (S3Storage unlocked = S3Storage.from(plain, "plain").retryPolicy(RetryPolicy.none()).build()) {
            assertThat(unlocked.legalHold("pg/1/db.pgdump.zst.age", true)).as("no Object Lock, no legal hold").isFalse();
        }
        assertThat(plain.holds).isEmpty();
    }
}
