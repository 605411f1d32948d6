package com.eazepay.backup.s3;

import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.Secret;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Starts S3Proxy in-process on 127.0.0.1 with a free port, with an in-memory blob store (or a
 * filesystem one in a temporary directory, for large uploads), and hands out storages on fresh buckets. Register as a static field:
 *
 * <pre>{@code @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();}</pre>
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

    /** The access key S3Proxy accepts. */
    public static final String ACCESS_KEY = "eazepay-test-access";
    /** The secret key S3Proxy accepts: distinctive so leak tests can search for it. */
    public static final String SECRET_KEY = "s3proxy-SECRET-must-never-leak-8f3a";

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final String blobStoreProvider;
    private S3Proxy proxy;
    private BlobStore blobStore;
    private Path dir;
    private URI endpoint;
    private S3Client admin;

    /** An in-memory ({@code transient-nio2}) blob store, which supports the SSE headers. */
    public S3ProxyExtension() {
        this("transient-nio2");
    }

    /**
     * @param blobStoreProvider {@code transient-nio2} (in memory, SSE headers accepted) or
     *                          {@code filesystem-nio2} (files in a temporary directory; answers 501 to SSE
     *                          headers, so use {@code sseNone()}), for large uploads
     */
    public S3ProxyExtension(String blobStoreProvider) {
        this.blobStoreProvider = blobStoreProvider;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    /** Starts the server (called by JUnit; public for benchmark mains). */
    public void start() throws Exception {
        dir = Files.createTempDirectory("s3proxy-");
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        p.setProperty("jclouds.identity", ACCESS_KEY);
        p.setProperty("jclouds.credential", SECRET_KEY);
        blobStore = BlobStores.create(blobStoreProvider, p);
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        if (!"STARTED".equals(proxy.getState())) {
            throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        admin = newClient();
    }

    /** Stops the server and deletes its files. */
    public void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (blobStore != null) {
            blobStore.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
    }

    /** {@code http://127.0.0.1:port}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A client with the right credentials, no SDK retries, and the given interceptors. */
    public S3Client newClient(ExecutionInterceptor... interceptors) {
        return newClient(endpoint, SECRET_KEY, interceptors);
    }

    /** A client for {@code endpoint} (e.g. a fault-injecting proxy in front of S3Proxy) with {@code secret}. */
    public S3Client newClient(URI endpoint, String secret, ExecutionInterceptor... interceptors) {
        return S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, secret)))
                .httpClient(ApacheHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build())
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    o.executionInterceptors(List.of(interceptors));
                })
                .build();
    }

    /** A client for administration in tests (create buckets, list uploads). Closed by the extension. */
    public S3Client admin() {
        return admin;
    }

    /** Creates a new, empty bucket and returns its name. */
    public String createBucket() {
        String name = "test-" + BUCKETS.incrementAndGet();
        admin.createBucket(b -> b.bucket(name));
        return name;
    }

    /** A builder for a storage on a new bucket through the server's endpoint, with small parts (5 MiB) for speed. */
    public S3Storage.Builder freshBucket() {
        return S3Storage.bucket(createBucket())
                .endpoint(endpoint)
                .pathStyle(true)
                .region("us-east-1")
                .credentials(ACCESS_KEY, Secret.of(SECRET_KEY))
                .partSize(5L * 1024 * 1024)
                .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ZERO).maxBackoff(Duration.ZERO).build());
    }

    /** A storage on a new, empty bucket. */
    public S3Storage freshBucketStorage() {
        return freshBucket().build();
    }

    /** A storage on a new, empty bucket, customised. */
    public S3Storage freshBucketStorage(Consumer<S3Storage.Builder> customizer) {
        S3Storage.Builder b = freshBucket();
        customizer.accept(b);
        return b.build();
    }
}
