package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 20: a restore's streams are read from storage, verified (SHA-256, size), decrypted and decompressed on a
 * thread of their own, handed over through a bounded pipe, while the source parses and loads on its thread. The
 * hand-off must not weaken the integrity contract: the end of data is handed over only after the stored object
 * was verified, and closing early still closes the stored object.
 */
class DecodingAheadTest {

    private static final long SIZE = 3L << 20; // many more bytes than the 16 × 64 KiB hand-off holds

    private final TestClock clock = TestClock.create();
    private final InMemoryStorage memory = InMemoryStorage.withClock(clock);
    /** Threads that read a stored data object, and how often such an object was closed. */
    private final Set<Thread> storageReaders = ConcurrentHashMap.newKeySet();
    private final AtomicInteger storedClosed = new AtomicInteger();

    private final ForwardingStorage recording = new ForwardingStorage(memory) {
        @Override
        public InputStream get(String key) {
            InputStream in = super.get(key);
            if (!key.contains("/data.")) {
                return in;
            }
            return new FilterInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    storageReaders.add(Thread.currentThread());
                    return super.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    storedClosed.incrementAndGet();
                    super.close();
                }
            };
        }
    };

    /** What the restore did: which thread read the plaintext, its digest, and whether it "committed". */
    private volatile Thread restoreThread;
    private volatile byte[] restoredDigest;
    private volatile boolean committed;

    private BackupSource source(long readBeforeClose) {
        return new BackupSource() {
            @Override
            public String name() {
                return "ahead";
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public void backup(BackupContext context) {
                try (OutputStream out = context.newStream("data", "bin")) {
                    TestSources.writeRandom(out, SIZE, 20);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                restoreThread = Thread.currentThread();
                if (readBeforeClose < 0) {
                    context.openStream("data"); // opened, never read nor closed: a buggy source
                    return new RestoreOutcome("test", List.of(), Map.of());
                }
                MessageDigest sha = sha256();
                try (InputStream in = context.openStream("data")) {
                    byte[] buf = new byte[1000]; // small reads: many hand-offs per pipe chunk
                    long total = 0;
                    int n;
                    while (total < readBeforeClose && (n = in.read(buf)) >= 0) {
                        sha.update(buf, 0, n);
                        total += n;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                restoredDigest = sha.digest();
                committed = true; // what a source does only after reading to the end
                return new RestoreOutcome("test", List.of(), Map.of());
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] expectedDigest() throws IOException {
        MessageDigest sha = sha256();
        TestSources.writeRandom(new OutputStream() {
            @Override
            public void write(int b) {
                sha.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                sha.update(b, off, len);
            }
        }, SIZE, 20);
        return sha.digest();
    }

    private BackupEngine engine(BackupSource source, Compression compression) {
        return Backup.engine().repository(recording).encryption(Encryption.none()).compression(compression).clock(clock)
                .source(source).build();
    }

    @Test
    void aRestoredStreamIsReadFromStorageOnAThreadOfItsOwnAndArrivesByteForByte() throws IOException {
        try (BackupEngine engine = engine(source(Long.MAX_VALUE), Compression.zstd())) {
            engine.backup("ahead").run();
            storageReaders.clear();
            engine.restore("ahead").latest().into(() -> "test").run();
        }
        assertThat(committed).isTrue();
        assertThat(restoredDigest).isEqualTo(expectedDigest());
        assertThat(storageReaders).isNotEmpty().doesNotContain(restoreThread);
        assertThat(storedClosed).hasValue(1);
    }

    @Test
    void aFlippedLastStoredByteFailsTheReadWithChecksumMismatchInsteadOfTheEndOfData() {
        // no compression, no encryption: nothing but the SHA-256 at the end can notice the flipped byte
        try (BackupEngine engine = engine(source(Long.MAX_VALUE), Compression.none())) {
            engine.backup("ahead").run();
            String key = memory.keys().stream().filter(k -> k.contains("/data.")).findFirst().orElseThrow();
            byte[] stored = memory.bytes(key);
            stored[stored.length - 1] ^= 0x01;
            memory.overwrite(key, stored);
            assertThatThrownBy(() -> engine.restore("ahead").latest().into(() -> "test").run())
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH))
                    .hasMessageContaining(key);
        }
        assertThat(committed).isFalse();
        assertThat(storedClosed).hasValue(1);
    }

    @Test
    void closingARestoredStreamEarlyStopsItsDecodingThreadAndClosesTheStoredObjectBeforeCloseReturns() {
        try (BackupEngine engine = engine(source(100_000), Compression.zstd())) {
            engine.backup("ahead").run();
            engine.restore("ahead").latest().into(() -> "test").run();
        }
        assertThat(committed).isTrue();
        // counted by the decoding thread's close, which the reader's close() waited for
        assertThat(storedClosed).hasValue(1);
    }

    @Test
    void aStreamTheSourceOpenedAndAbandonedIsClosedByTheEngineWhenTheRestoreEnds() {
        try (BackupEngine engine = engine(source(-1), Compression.zstd())) {
            engine.backup("ahead").run();
            engine.restore("ahead").latest().into(() -> "test").run();
            // closed by the engine before run() returned: the decoding thread no longer waits for a reader
            assertThat(storedClosed).hasValue(1);
        }
    }
}
