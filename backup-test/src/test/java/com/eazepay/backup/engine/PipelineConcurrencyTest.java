package com.eazepay.backup.engine;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.ForwardingStorage;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stream pipeline under slow storage, failed stream setups and many concurrent streams
 * (issue 21 items 2, 10 and 18). These tests use real threads on purpose: the defects were races
 * between pipeline stages, which a test clock cannot drive.
 */
class PipelineConcurrencyTest {

    @TempDir
    Path tmp;

    final TestClock clock = TestClock.create();
    final AgeKeys keys = AgeKeys.generate();

    private Encryption encryption(String kind) {
        return "age".equals(kind) ? AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity())
                : Encryption.none();
    }

    /**
     * Storage that consumes one 64 KiB chunk every 60 ms (about 1 MB/s): slower than the engine
     * writes, so the pipe to the upload is full when the source closes its stream. Real waiting is the
     * point here: this is the slow consumer the pipe must wait for.
     */
    static final class SlowStorage extends ForwardingStorage {
        SlowStorage(StorageTarget delegate) {
            super(delegate);
        }

        @Override
        public void put(String key, InputStream data, PutOptions options) {
            super.put(key, new FilterInputStream(data) {
                private long consumed;
                private long nextPause;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (consumed >= nextPause) {
                        nextPause += 64 * 1024;
                        try {
                            Thread.sleep(60);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("slow storage interrupted");
                        }
                    }
                    int n = super.read(b, off, (int) Math.min(len, nextPause - consumed));
                    consumed += Math.max(n, 0);
                    return n;
                }
            }, options);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "age"})
    void aBackupToStorageSlowerThanTheEngineSucceeds(String encryption) {
        InMemoryStorage memory = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = Backup.engine().repository(new SlowStorage(memory)).encryption(encryption(encryption))
                .clock(clock).source(TestSources.random("slow", 1536 * 1024)).build()) {
            BackupResult r = engine.backup("slow").run();

            assertThat(r.plaintextBytes()).isEqualTo(1536 * 1024);
            assertThat(memory.keys()).contains("slow/" + r.id() + "/manifest.json");
            assertThat(engine.verify("slow").id(r.id()).run().passed()).isTrue();
        }
    }

    /** An encryption whose chosen encrypt() calls (1-based) fail, as a decrypt-only AgeEncryption's do. */
    static final class FailingEncryption implements Encryption {
        private final Encryption delegate;
        private final IntPredicate failOnCall;
        private final AtomicInteger calls = new AtomicInteger();

        FailingEncryption(Encryption delegate, IntPredicate failOnCall) {
            this.delegate = delegate;
            this.failOnCall = failOnCall;
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public String extension() {
            return delegate.extension();
        }

        @Override
        public Map<String, Object> parameters() {
            return delegate.parameters();
        }

        @Override
        public OutputStream encrypt(OutputStream out) {
            if (failOnCall.test(calls.incrementAndGet())) {
                return AgeEncryption.decryptOnly().encrypt(out); // throws INVALID_CONFIGURATION
            }
            return delegate.encrypt(out);
        }

        @Override
        public InputStream decrypt(InputStream in) {
            return delegate.decrypt(in);
        }

        @Override
        public boolean canDecrypt() {
            return delegate.canDecrypt();
        }
    }

    @Test
    void aHundredFailedStreamSetupsLeakNoUploadThreadAndNoTempFile() throws IOException {
        Path repo = tmp.resolve("repo");
        List<Thread> busyBefore = busyUploadThreads();
        Encryption failing = new FailingEncryption(encryption("age"), call -> call <= 100);
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(repo)).encryption(failing).clock(clock)
                .source(TestSources.random("setup", 100_000)).build()) {
            for (int i = 0; i < 100; i++) {
                assertThatThrownBy(() -> engine.backup("setup").run())
                        .isInstanceOfSatisfying(BackupException.class,
                                e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                        .hasMessageContaining("decrypt-only");
            }
            BackupResult ok = engine.backup("setup").run();

            List<Thread> busy = busyUploadThreads();
            busy.removeAll(busyBefore);
            assertThat(busy).as("upload threads still inside a pipe or a storage put").isEmpty();
            try (Stream<Path> files = Files.walk(repo)) {
                assertThat(files.filter(Files::isRegularFile).map(p -> repo.relativize(p).toString()).sorted())
                        .containsExactly("repository.json", "setup/" + ok.id() + "/data.bin.zst.age", "setup/" + ok.id() + "/manifest.json");
            }
            assertThat(engine.verify("setup").id(ok.id()).run().passed()).isTrue();
        }
    }

    /** Upload threads whose stack is in a pipe or a storage call: leaked ones (idle pool threads wait in the pool's queue). */
    private static List<Thread> busyUploadThreads() {
        List<Thread> busy = new ArrayList<>();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("eazepay-backup-upload-") && Arrays.stream(stack).anyMatch(f ->
                    f.getClassName().contains("BoundedPipe") || f.getClassName().contains("Storage"))) {
                busy.add(t);
            }
        });
        return busy;
    }

    /** Storage whose puts of data wait, without reading, until released; counts the puts started down. */
    static final class GatedStorage extends ForwardingStorage {
        final CountDownLatch started;
        final CountDownLatch release = new CountDownLatch(1);

        GatedStorage(StorageTarget delegate, int expectedPuts) {
            super(delegate);
            this.started = new CountDownLatch(expectedPuts);
        }

        @Override
        public void put(String key, InputStream data, PutOptions options) {
            // only the stream objects are gated: manifests and the running-backup markers under locks/ pass
            if (!key.endsWith("manifest.json") && !key.startsWith("locks/")) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackupException(CoreErrorCode.INTERRUPTED, "gated put interrupted", e);
                }
            }
            super.put(key, data, options);
        }
    }

    @Test
    @Timeout(120)
    void fortyConcurrentEncryptedStreamsWaitForEachOtherInsteadOfFailing() throws Exception {
        InMemoryStorage memory = InMemoryStorage.withClock(clock);
        GatedStorage gated = new GatedStorage(memory, 32);
        CountDownLatch opening = new CountDownLatch(40);
        var builder = Backup.engine().repository(gated).encryption(AgeEncryption.toRecipients(keys.recipient().encoded()))
                .compression(Compression.none()).clock(clock);
        for (int i = 0; i < 40; i++) {
            String name = "s" + i;
            builder.source(TestSources.source(name, ctx -> {
                opening.countDown();
                try (OutputStream out = ctx.newStream("data", "bin")) {
                    // more than the pipes hold, so each stream keeps both its threads busy until the uploads go on
                    TestSources.writeRandom(out, 1536 * 1024, name.hashCode());
                }
            }));
        }
        ExecutorService callers = Executors.newFixedThreadPool(40);
        try (BackupEngine engine = builder.build()) {
            List<Future<BackupResult>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String name = "s" + i;
                results.add(callers.submit(() -> engine.backup(name).run()));
            }
            // hold every upload until all 40 backups are opening their stream and the engine's 32 slots are busy
            opening.await();
            gated.started.await();
            gated.release.countDown();

            List<String> ids = new ArrayList<>();
            for (Future<BackupResult> f : results) {
                ids.add(f.get().id());
            }
            assertThat(ids).hasSize(40).doesNotHaveDuplicates();
            for (int i = 0; i < 40; i++) {
                assertThat(engine.list("s" + i)).hasSize(1);
            }
        } finally {
            callers.shutdownNow();
            callers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(120)
    void aSourceWritingFortyEncryptedStreamsInTurnFromOneThreadNeverWaitsForItself() {
        InMemoryStorage memory = InMemoryStorage.withClock(clock);
        BackupSource many = TestSources.source("many", ctx -> {
            List<OutputStream> outs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                outs.add(ctx.newStream("part" + i, "bin"));
            }
            byte[] chunk = new byte[64 * 1024];
            for (int round = 0; round < 4; round++) {
                for (OutputStream out : outs) {
                    Arrays.fill(chunk, (byte) round);
                    out.write(chunk);
                }
            }
            for (OutputStream out : outs) {
                out.close();
            }
        });
        try (BackupEngine engine = Backup.engine().repository(memory).encryption(encryption("age")).clock(clock)
                .source(many).build()) {
            BackupResult r = engine.backup("many").run();

            assertThat(r.manifest().streams()).hasSize(40);
            assertThat(r.plaintextBytes()).isEqualTo(40L * 4 * 64 * 1024);
            assertThat(engine.verify("many").id(r.id()).run().passed()).isTrue();
        } catch (UncheckedIOException e) {
            throw new AssertionError(e);
        }
    }
}
