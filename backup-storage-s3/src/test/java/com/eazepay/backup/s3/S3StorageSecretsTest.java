package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configured credentials never appear in toString(), describe(), log output or exception messages. */
class S3StorageSecretsTest {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    private static final String WRONG_SECRET = "wrong-SECRET-do-not-print-77c1";
    private static final long MIB = 1024 * 1024;

    @Test
    void credentialsAppearInNoStringLogLineOrExceptionMessage() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        List<String> texts = new ArrayList<>();
        System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
        try {
            String bucket = S3.createBucket();
            RetryPolicy quick = RetryPolicy.builder().maxAttempts(2).sleeper(d -> { }).build();
            try (S3Storage good = S3Storage.bucket(bucket).endpoint(S3.endpoint()).pathStyle(true).region("us-east-1")
                    .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                    .partSize(5 * MIB).retryPolicy(quick).build();
                 S3Storage wrong = S3Storage.bucket(bucket).endpoint(S3.endpoint()).pathStyle(true).region("us-east-1")
                         .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(WRONG_SECRET)).retryPolicy(quick).build();
                 S3Storage missing = S3Storage.bucket("no-such-bucket-secrets").endpoint(S3.endpoint()).pathStyle(true)
                         .credentials(S3ProxyExtension.ACCESS_KEY, Secret.of(S3ProxyExtension.SECRET_KEY))
                         .retryPolicy(quick).build()) {
                texts.add(good.toString());
                texts.add(good.describe());
                texts.add(wrong.toString());
                good.put("a/small.txt", new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)), PutOptions.defaults());
                good.put("a/big.bin", new GeneratedInputStream(6 * MIB, 1), PutOptions.defaults());
                try (InputStream in = good.get("a/small.txt")) {
                    in.readAllBytes();
                }
                good.listAll("a/");
                good.delete("a/small.txt");
                for (Runnable failing : List.<Runnable>of(
                        () -> wrong.put("x", new ByteArrayInputStream(new byte[1]), PutOptions.defaults()),
                        () -> wrong.get("a/big.bin"),
                        () -> wrong.listAll(""),
                        () -> missing.put("x", new GeneratedInputStream(6 * MIB, 2), PutOptions.defaults()),
                        () -> good.get("no/such/key"))) {
                    assertThatThrownBy(failing::run).isInstanceOfSatisfying(BackupException.class, e -> {
                        texts.add(S3StorageErrorsTest.allMessages(e));
                        texts.add(e.toString());
                    });
                }
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("log capture works").contains("DEBUG", "software.amazon.awssdk.request");
        texts.add(log);
        assertThat(texts).hasSizeGreaterThan(10).allSatisfy(t -> assertThat(t)
                .doesNotContain(S3ProxyExtension.SECRET_KEY)
                .doesNotContain(WRONG_SECRET));
    }

    @Test
    void builderAndStorageToStringsNameNoCredentials() {
        S3Storage s = S3Storage.bucket("eazepay-backups").region("us-east-1").prefix("prod/")
                .credentials("AKIAEXAMPLE", Secret.of(WRONG_SECRET)).retryPolicy(RetryPolicy.none()).build();
        try (s) {
            assertThat(s.describe()).isEqualTo("s3://eazepay-backups/prod/");
            assertThat(s.toString()).contains("s3://eazepay-backups/prod/", "us-east-1", "STANDARD", "AES256")
                    .doesNotContain(WRONG_SECRET).doesNotContain("AKIAEXAMPLE");
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
