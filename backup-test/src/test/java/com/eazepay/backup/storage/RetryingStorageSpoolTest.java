package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.FaultyStorage;
import com.eazepay.backup.test.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries of puts whose input has no declared length and cannot be rewound (a pipeline's stream). */
class RetryingStorageSpoolTest {

    @TempDir
    Path spoolDir;

    private final RetryPolicy twice = RetryPolicy.builder().maxAttempts(2).sleeper(d -> { }).build();

    /** A stream that cannot be marked, like the engine's pipeline. */
    private static InputStream unmarkable(byte[] data) {
        return new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                int n = Math.min(len, data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static byte[] read(InMemoryStorage s, String key) throws IOException {
        try (InputStream in = s.get(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void anUnknownLengthPutLargerThanMemoryIsSpooledAndRetriedWithTheSameBytes() throws IOException {
        InMemoryStorage memory = InMemoryStorage.create();
        FaultyStorage faulty = FaultyStorage.wrap(memory).failOnCall(FaultyStorage.Operation.PUT, 1);
        RetryingStorage retrying = RetryingStorage.wrap(faulty, twice).withSpool(spoolDir, 1024 * 1024);
        byte[] data = random(300_000);

        retrying.put("db/1/data.zst", unmarkable(data), PutOptions.forData());

        assertThat(faulty.calls(FaultyStorage.Operation.PUT)).isEqualTo(2);
        assertThat(read(memory, "db/1/data.zst")).isEqualTo(data);
        try (Stream<Path> left = Files.list(spoolDir)) {
            assertThat(left).as("the spool file is deleted").isEmpty();
        }
    }

    @Test
    void aSmallUnknownLengthPutIsRetriedFromMemory() throws IOException {
        InMemoryStorage memory = InMemoryStorage.create();
        FaultyStorage faulty = FaultyStorage.wrap(memory).failOnCall(FaultyStorage.Operation.PUT_IF_ABSENT, 1);
        RetryingStorage retrying = RetryingStorage.wrap(faulty, twice).withSpool(spoolDir, 0);

        assertThat(retrying.putIfAbsent("locks/prune.json", unmarkable(random(500)), PutOptions.defaults())).isTrue();
        assertThat(read(memory, "locks/prune.json")).isEqualTo(random(500));
    }

    @Test
    void anUnknownLengthPutLongerThanTheSpoolIsTriedOnceAndTheFailureSaysWhy() {
        InMemoryStorage memory = InMemoryStorage.create();
        FaultyStorage faulty = FaultyStorage.wrap(memory).failOnCall(FaultyStorage.Operation.PUT, 1);
        RetryingStorage retrying = RetryingStorage.wrap(faulty, twice).withSpool(spoolDir, 100_000);

        assertThatThrownBy(() -> retrying.put("db/1/data.zst", unmarkable(random(300_000)), PutOptions.forData()))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("not retried by RetryingStorage")
                .hasMessageContaining("longer than the spool limit of 100000 bytes");
        assertThat(faulty.calls(FaultyStorage.Operation.PUT)).isEqualTo(1);
        assertThat(memory.stat("db/1/data.zst")).isEmpty();
    }

    @Test
    void theSpoolFileIsOwnerOnlyWhileAPutRuns() throws IOException {
        InMemoryStorage memory = InMemoryStorage.create();
        String[] perms = new String[1];
        RetryingStorage retrying = RetryingStorage.wrap(new com.eazepay.backup.spi.ForwardingStorage(memory) {
            @Override
            public void put(String key, InputStream data, PutOptions options) {
                try (Stream<Path> files = Files.list(spoolDir)) {
                    Path spool = files.findFirst().orElseThrow();
                    perms[0] = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(spool));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                super.put(key, data, options);
            }
        }, twice).withSpool(spoolDir, 1024 * 1024);

        retrying.put("db/1/data.zst", unmarkable(random(200_000)), PutOptions.forData());

        assertThat(perms[0]).isEqualTo("rw-------");
    }
}
