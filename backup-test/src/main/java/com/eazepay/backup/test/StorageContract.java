package com.eazepay.backup.test;

import com.eazepay.backup.spi.BatchDelete;
import com.eazepay.backup.spi.DeletionGuard;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.LegalHolds;
import com.eazepay.backup.spi.ObjectLock;
import com.eazepay.backup.storage.RetryPolicy;
import com.eazepay.backup.storage.RetryingStorage;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ByteRange;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link StorageTarget} must have. Extend it in the implementation's tests:
 *
 * <pre>{@code
 * class S3StorageTest extends StorageContract {
 *     @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();
 *     @Override protected StorageTarget newStorage() { return S3.freshBucketStorage(); }
 * }
 * }</pre>
 *
 * Each test gets a fresh, empty storage from {@link #newStorage()} and closes it afterwards.
 */
public abstract class StorageContract {

    /** A fresh, empty storage for one test. */
    protected abstract StorageTarget newStorage();

    /**
     * Size of the "large object" test, streamed from a generator (never held in memory). Default
     * 24 MiB: big enough to cross multipart/resumable chunk boundaries of 5-16 MiB.
     */
    protected long largeObjectSize() {
        return 24L * 1024 * 1024;
    }

    /** Number of keys in the listing test. Default 1,100: more than one S3/GCS page of 1,000. */
    protected int manyKeys() {
        return 1_100;
    }

    protected StorageTarget storage;

    @BeforeEach
    void openStorage() {
        storage = newStorage();
    }

    @AfterEach
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private String read(String key) {
        try (InputStream in = storage.get(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] readBytes(InputStream stream) {
        try (InputStream in = stream) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void putThenGetReturnsTheSameBytes() {
        storage.put("a/b/hello.txt", bytes("hello, world"), PutOptions.defaults());
        assertThat(read("a/b/hello.txt")).isEqualTo("hello, world");
    }

    @Test
    void emptyObjectRoundTrips() {
        storage.put("empty.bin", InputStream.nullInputStream(), PutOptions.defaults());
        assertThat(readBytes(storage.get("empty.bin"))).isEmpty();
        assertThat(storage.stat("empty.bin")).get().extracting(ObjectInfo::size).isEqualTo(0L);
    }

    @Test
    void everyByteValueRoundTrips() {
        byte[] all = new byte[512];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        storage.put("binary.bin", new ByteArrayInputStream(all), PutOptions.defaults());
        assertThat(readBytes(storage.get("binary.bin"))).isEqualTo(all);
    }

    @Test
    void knownContentLengthIsHonoured() {
        byte[] data = "sized".getBytes(StandardCharsets.UTF_8);
        storage.put("sized.txt", new ByteArrayInputStream(data), PutOptions.defaults().withContentLength(data.length));
        assertThat(readBytes(storage.get("sized.txt"))).isEqualTo(data);
    }

    @Test
    void largeObjectStreamsInAndOutUnchanged() throws Exception {
        long size = largeObjectSize();
        GeneratedInputStream source = new GeneratedInputStream(size, 42);
        storage.put("large/object.bin", source, PutOptions.defaults());
        assertThat(storage.stat("large/object.bin")).get().extracting(ObjectInfo::size).isEqualTo(size);
        MessageDigest expected = sha256();
        try (InputStream in = new GeneratedInputStream(size, 42)) {
            digest(in, expected);
        }
        MessageDigest actual = sha256();
        long read;
        try (InputStream in = storage.get("large/object.bin")) {
            read = digest(in, actual);
        }
        assertThat(read).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(actual.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));
    }

    @Test
    void putReplacesAnExistingObject() {
        storage.put("k.txt", bytes("first"), PutOptions.defaults());
        storage.put("k.txt", bytes("second, longer"), PutOptions.defaults());
        assertThat(read("k.txt")).isEqualTo("second, longer");
    }

    @Test
    void getOfAMissingKeyFailsWithNotFound() {
        assertThatThrownBy(() -> storage.get("missing/key"))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND))
                .hasMessageContaining("missing/key");
    }

    @Test
    void statOfAMissingKeyIsEmptyAndOfAnObjectGivesItsSize() {
        assertThat(storage.stat("nothing-here")).isEmpty();
        storage.put("x/y.bin", bytes("12345"), PutOptions.defaults());
        ObjectInfo info = storage.stat("x/y.bin").orElseThrow();
        assertThat(info.key()).isEqualTo("x/y.bin");
        assertThat(info.size()).isEqualTo(5);
    }

    @Test
    void rangedReadsReturnExactlyTheRange() {
        storage.put("r.txt", bytes("0123456789"), PutOptions.defaults());
        assertThat(new String(readBytes(storage.get("r.txt", ByteRange.of(2, 3))), StandardCharsets.UTF_8)).isEqualTo("234");
        assertThat(new String(readBytes(storage.get("r.txt", ByteRange.from(7))), StandardCharsets.UTF_8)).isEqualTo("789");
        assertThat(new String(readBytes(storage.get("r.txt", ByteRange.of(8, 100))), StandardCharsets.UTF_8)).isEqualTo("89");
        assertThat(new String(readBytes(storage.get("r.txt", ByteRange.of(0, 10))), StandardCharsets.UTF_8)).isEqualTo("0123456789");
    }

    @Test
    void rangedReadOfAMissingKeyFailsWithNotFound() {
        assertThatThrownBy(() -> storage.get("missing", ByteRange.of(0, 1)))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.NOT_FOUND));
    }

    @Test
    void listReportsEveryKeyUnderAPrefixAcrossPages() {
        int n = manyKeys();
        for (int i = 0; i < n; i++) {
            storage.put(String.format("many/%05d.bin", i), bytes("v" + i), PutOptions.defaults());
        }
        storage.put("other/x.bin", bytes("x"), PutOptions.defaults());
        List<ObjectInfo> listed = storage.listAll("many/");
        assertThat(listed).hasSize(n);
        assertThat(listed.get(0).key()).isEqualTo("many/00000.bin");
        assertThat(listed.get(n - 1).key()).isEqualTo(String.format("many/%05d.bin", n - 1));
        assertThat(listed).allSatisfy(o -> assertThat(o.size()).isPositive());
    }

    @Test
    void listMatchesPrefixesThatEndInsideASegment() {
        storage.put("pg/20261124T020000Z-aaaaaa/manifest.json", bytes("{}"), PutOptions.defaults());
        storage.put("pg/20261125T020000Z-bbbbbb/manifest.json", bytes("{}"), PutOptions.defaults());
        storage.put("pgx/20261124T020000Z-cccccc/manifest.json", bytes("{}"), PutOptions.defaults());
        assertThat(storage.listAll("pg/20261124")).extracting(ObjectInfo::key)
                .containsExactly("pg/20261124T020000Z-aaaaaa/manifest.json");
        assertThat(storage.listAll("pg")).hasSize(3);
        assertThat(storage.listAll("pg/")).hasSize(2);
        assertThat(storage.listAll("nothing/")).isEmpty();
        assertThat(storage.listAll("")).hasSize(3);
    }

    @Test
    void deleteRemovesAnObjectAndDeletingAMissingKeyIsNotAnError() {
        storage.put("d/1.txt", bytes("1"), PutOptions.defaults());
        storage.put("d/2.txt", bytes("2"), PutOptions.defaults());
        storage.delete("d/1.txt");
        storage.delete("d/1.txt");
        storage.delete("never/existed.txt");
        assertThat(storage.stat("d/1.txt")).isEmpty();
        assertThat(storage.listAll("d/")).extracting(ObjectInfo::key).containsExactly("d/2.txt");
    }

    @Test
    void putIfAbsentCreatesOnceAndNeverOverwrites() {
        assertThat(storage.putIfAbsent("locks/prune.json", bytes("first"), PutOptions.defaults())).isTrue();
        assertThat(storage.putIfAbsent("locks/prune.json", bytes("second"), PutOptions.defaults())).isFalse();
        assertThat(read("locks/prune.json")).isEqualTo("first");
        storage.delete("locks/prune.json");
        assertThat(storage.putIfAbsent("locks/prune.json", bytes("third"), PutOptions.defaults())).isTrue();
        assertThat(read("locks/prune.json")).isEqualTo("third");
    }

    @Test
    void putIfAbsentRaceHasExactlyOneWinner() throws Exception {
        int threads = 8;
        for (int round = 0; round < 5; round++) {
            String key = "locks/race-" + round + ".json";
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String body = "owner-" + t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return storage.putIfAbsent(key, bytes(body), PutOptions.defaults());
                    }));
                }
                start.countDown();
                int winners = 0;
                int winner = -1;
                for (int t = 0; t < threads; t++) {
                    if (results.get(t).get(60, TimeUnit.SECONDS)) {
                        winners++;
                        winner = t;
                    }
                }
                assertThat(winners).as("winners of round %d", round).isEqualTo(1);
                assertThat(read(key)).isEqualTo("owner-" + winner);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aFailedPutLeavesNothingVisible() {
        InputStream failing = new FailingInputStream(new GeneratedInputStream(8L * 1024 * 1024, 7), 3L * 1024 * 1024);
        assertThatThrownBy(() -> storage.put("partial/object.bin", failing, PutOptions.defaults()))
                .isInstanceOf(BackupException.class);
        assertThat(storage.stat("partial/object.bin")).isEmpty();
        assertThat(storage.listAll("partial/")).isEmpty();
    }

    @Test
    void aFailedPutKeepsThePreviousVersion() {
        storage.put("keep/me.txt", bytes("precious"), PutOptions.defaults());
        InputStream failing = new FailingInputStream(new GeneratedInputStream(1024 * 1024, 9), 100_000);
        assertThatThrownBy(() -> storage.put("keep/me.txt", failing, PutOptions.defaults()))
                .isInstanceOf(BackupException.class);
        assertThat(read("keep/me.txt")).isEqualTo("precious");
    }

    @Test
    void aFailedPutIfAbsentLeavesTheKeyFree() {
        InputStream failing = new FailingInputStream(new GeneratedInputStream(1024 * 1024, 3), 10_000);
        assertThatThrownBy(() -> storage.putIfAbsent("locks/l.json", failing, PutOptions.defaults()))
                .isInstanceOf(BackupException.class);
        assertThat(storage.stat("locks/l.json")).isEmpty();
        assertThat(storage.putIfAbsent("locks/l.json", bytes("ok"), PutOptions.defaults())).isTrue();
    }

    @Test
    void keysWithDotsDashesAndUnderscoresWork() {
        String key = "my-source_1.v2/20261124T020000Z-k3f9qa/db.pgdump.zst.age";
        storage.put(key, bytes("data"), PutOptions.defaults());
        assertThat(storage.listAll("my-source_1.v2/")).extracting(ObjectInfo::key).containsExactly(key);
        assertThat(read(key)).isEqualTo("data");
    }

    @Test
    void describeNamesTheTargetWithoutSecrets() {
        assertThat(storage.describe()).isNotBlank();
        assertThat(storage.describe().toLowerCase()).doesNotContain("secret", "password");
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    private static long digest(InputStream in, MessageDigest md) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
            total += n;
        }
        return total;
    }

    /** Deterministic pseudo-random bytes of a given length, generated on the fly (constant memory). */
    public static final class GeneratedInputStream extends InputStream {
        private final Random random;
        private long remaining;

        public GeneratedInputStream(long size, long seed) {
            this.remaining = size;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return random.nextInt(256);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            remaining -= n;
            return n;
        }
    }

    /** Passes bytes through, then throws an {@link IOException} after {@code failAfter} bytes. */
    public static final class FailingInputStream extends InputStream {
        private final InputStream in;
        private final long failAfter;
        private long read;

        public FailingInputStream(InputStream in, long failAfter) {
            this.in = in;
            this.failAfter = failAfter;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read >= failAfter) {
                throw new IOException("source failed after " + read + " bytes (injected by the test)");
            }
            int n = in.read(b, off, (int) Math.min(len, failAfter - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }

    @Test
    void wrappersPassCapabilitiesThrough() {
        StorageTarget wrapped = FaultyStorage.wrap(RetryingStorage.wrap(storage, RetryPolicy.none()));
        for (Class<?> type : List.of(ObjectLock.class, LegalHolds.class, DeletionGuard.class, BatchDelete.class)) {
            assertThat(wrapped.capability(type).isPresent()).as(type.getSimpleName()).isEqualTo(storage.capability(type).isPresent());
        }
        assertThat(wrapped.supportsObjectLock()).isEqualTo(storage.supportsObjectLock());
        assertThat(((ForwardingStorage) ((ForwardingStorage) wrapped).unwrap()).unwrap()).isSameAs(storage);
    }
}
