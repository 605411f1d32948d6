package com.eazepay.backup.gcs;

import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.StorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The full storage contract against {@link FakeGcsServer}, through the real client library's HTTP
 * transport ({@code host(..)} + no credentials). The contract is not run on {@code LocalStorageHelper}
 * because that fake makes an object visible as soon as its upload starts (so "a failed put leaves
 * nothing visible" cannot hold there) and is not thread-safe (so {@code ifGenerationMatch=0} does not
 * hold under concurrency); see {@link GcsStorageLocalHelperTest} for what it can check.
 */
class GcsStorageContractTest extends StorageContract {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static FakeGcsServer server;

    @BeforeAll
    static void startServer() {
        server = FakeGcsServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected StorageTarget newStorage() {
        String bucket = "contract-" + BUCKETS.incrementAndGet();
        server.createBucket(bucket);
        return GcsStorage.bucket(bucket).prefix("prod/").host(server.host())
                .chunkSize(GcsStorage.CHUNK_GRANULARITY * 4).build();
    }
}
