package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.StorageContract.GeneratedInputStream;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link GcsStorage} on the client library's own in-memory fake, {@code LocalStorageHelper}
 * (google-cloud-nio), through {@link GcsStorage#from}: the code paths that do not depend on HTTP work
 * against the library's {@code Storage} implementation as well.
 *
 * <p>Not run here, and why (they run against {@link FakeGcsServer} in {@link GcsStorageContractTest}):
 * the fake makes an object visible when its upload <em>starts</em> (a failed put leaves a ghost
 * object), is not thread-safe (no concurrency-safe {@code ifGenerationMatch}: the putIfAbsent race
 * cannot be tested on it), has no batch, no holds or HTTP status codes. (It also truncates listings
 * at {@code maxResults} without a next page; {@code GcsStorage} does not set a page size, so that
 * one does not bite.)
 */
class GcsStorageLocalHelperTest {

    private Storage client;
    private GcsStorage storage;

    @BeforeEach
    void open() {
        client = LocalStorageHelper.getOptions().getService();
        storage = GcsStorage.from(client, "local-bucket").prefix("prod/").chunkSize(GcsStorage.CHUNK_GRANULARITY).build();
    }

    @AfterEach
    void close() throws Exception {
        storage.close();
        client.close();
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private String read(InputStream stream) throws IOException {
        try (InputStream in = stream) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void putGetStatAndRangedReadsWork() throws IOException {
        storage.put("pg/1/db.bin", text("0123456789"), PutOptions.defaults());
        assertThat(read(storage.get("pg/1/db.bin"))).isEqualTo("0123456789");
        assertThat(read(storage.get("pg/1/db.bin", ByteRange.of(2, 3)))).isEqualTo("234");
        assertThat(read(storage.get("pg/1/db.bin", ByteRange.from(8)))).isEqualTo("89");
        assertThat(storage.stat("pg/1/db.bin")).get().extracting(ObjectInfo::size).isEqualTo(10L);
        assertThat(client.get("local-bucket", "prod/pg/1/db.bin")).isNotNull();
    }

    @Test
    void multiChunkUploadRoundTrips() throws IOException {
        long size = 5L * GcsStorage.CHUNK_GRANULARITY + 17;
        storage.put("big.bin", new GeneratedInputStream(size, 11), PutOptions.defaults());
        try (InputStream in = storage.get("big.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(new GeneratedInputStream(size, 11).readAllBytes());
        }
    }

    @Test
    void listIsRelativeToThePrefixAndDeleteRemoves() {
        storage.put("pg/a.bin", text("a"), PutOptions.defaults());
        storage.put("pg/b.bin", text("b"), PutOptions.defaults());
        storage.put("redis/c.bin", text("c"), PutOptions.defaults());
        assertThat(storage.listAll("pg/")).extracting(ObjectInfo::key).containsExactly("pg/a.bin", "pg/b.bin");
        storage.delete("pg/a.bin");
        storage.delete("pg/a.bin");
        assertThat(storage.listAll("")).extracting(ObjectInfo::key).containsExactly("pg/b.bin", "redis/c.bin");
    }

    @Test
    void listingPastOneThousandKeysIsComplete() {
        for (int i = 0; i < 1_100; i++) {
            // written with the client's one-shot create: this test is about listing
            client.create(BlobInfo.newBuilder("local-bucket", String.format("prod/many/%05d.bin", i)).build(),
                    new byte[]{1});
        }
        assertThat(storage.listAll("many/")).hasSize(1_100);
    }

    @Test
    void sequentialPutIfAbsentDoesNotOverwrite() throws IOException {
        assertThat(storage.putIfAbsent("locks/l.json", text("first"), PutOptions.defaults())).isTrue();
        assertThat(storage.putIfAbsent("locks/l.json", text("second"), PutOptions.defaults())).isFalse();
        assertThat(read(storage.get("locks/l.json"))).isEqualTo("first");
    }

    @Test
    void missingObjectIsNotFound() {
        assertThat(storage.stat("nope")).isEmpty();
        // the fake implements no bucket lookups, so get's "is it the bucket?" check reports the bucket
        // as missing here; against GCS (and FakeGcsServer) the answer is NOT_FOUND for the key
        assertThatThrownBy(() -> storage.get("nope"))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isIn(CoreErrorCode.NOT_FOUND, CoreErrorCode.STORAGE_FAILED);
                    assertThat(e.isRetryable()).isFalse();
                })
                .hasMessageContaining("gs://local-bucket/prod/nope");
    }
}
