package com.eazepay.backup.test;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.StorageTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every {@link BackupSource} must have, checked through the real engine on
 * {@link InMemoryStorage}. Extend it in the source's tests; the subclass owns the fixture (a server, a
 * directory) and says what the source must do with it:
 *
 * <pre>{@code
 * class RedisSourceContractTest extends SourceContract {
 *     static TestRedis redis;                                      // started in @BeforeAll, stopped in @AfterAll
 *     @Override protected BackupSource newSource(String name) { return RedisSource.builder().name(name).port(redis.port()).build(); }
 *     @Override protected RestoreTarget newTarget() { ... }        // a fresh, empty target of an accepted type
 *     @Override protected void assertRestored(RestoreTarget t) { ... }   // what the fixture holds is in t
 *     @Override protected boolean expectedSensitive() { return true; }
 *     @Override protected List<String> acceptedTargetTypes() { return List.of("RedisTarget"); }
 *     @Override protected BackupSource unreachableSourceWithSecret(String name, String secret) { ... }
 * }
 * }</pre>
 *
 * What it checks:
 * <ul>
 *   <li>sensitivity: {@code sensitive()} is what the source declares, and the engine refuses a sensitive source
 *       without encryption unless {@code allowUnencryptedSensitiveData()};</li>
 *   <li>secrets: a configured secret is in no {@code toString()}, in no exception message (causes and suppressed
 *       included), event or log line of a failing backup (a server that is not there), nor in a manifest;</li>
 *   <li>a restore target of a type the source does not accept fails with {@code INVALID_CONFIGURATION} naming the
 *       accepted types, and writes nothing to the repository;</li>
 *   <li>a storage failure mid-stream ({@link FaultyStorage#failPutAfterBytes}) fails the backup and commits
 *       nothing: no backup is listed and nothing but repository bookkeeping is left in storage;</li>
 *   <li>name rules ({@link com.eazepay.backup.spi.SourceNames}): reserved words, a slash, upper case, a space or
 *       more than 63 characters are refused with {@code INVALID_CONFIGURATION} when the source is built, and a
 *       63-character name round-trips;</li>
 *   <li>a round trip through zstd and age: what {@link #assertRestored} expects is in a fresh target.</li>
 * </ul>
 * Log lines are captured from {@code System.err} and, when set, from the file named by the system property
 * {@code org.slf4j.simpleLogger.logFile} (slf4j-simple, as the modules' tests use).
 */
public abstract class SourceContract {

    /** A 63-character name, the longest allowed, used by the round trip. */
    protected static final String LONGEST_NAME = "contract-source." + "x".repeat(63 - "contract-source.".length() - 2) + "_1";

    /**
     * The source under test, reading the fixture, named {@code name}. Must throw {@link BackupException}
     * {@code INVALID_CONFIGURATION} (from its builder) for a name the repository cannot hold.
     */
    protected abstract BackupSource newSource(String name);

    /** A fresh, empty restore target of a type the source accepts; called once per restore. */
    protected abstract RestoreTarget newTarget();

    /** Asserts that {@code target} holds what the fixture held when {@link #newSource} backed it up. */
    protected abstract void assertRestored(RestoreTarget target);

    /** Whether the source is expected to declare itself {@linkplain BackupSource#sensitive() sensitive}. */
    protected abstract boolean expectedSensitive();

    /** Simple names of the restore target types the source accepts; an error for a foreign target names each. */
    protected abstract List<String> acceptedTargetTypes();

    /**
     * The source named {@code name}, configured with {@code secret} as its password (or token, or the password
     * in its connection string), pointing at a server that does not answer (a closed loopback port), with
     * short timeouts; or {@code null} if this kind of source has no secret setting (the secret checks are then
     * skipped).
     */
    protected abstract BackupSource unreachableSourceWithSecret(String name, String secret);

    /**
     * The secret {@link #newSource} is configured with, if any (checked absent from its {@code toString()} and
     * from the manifests it writes). Default: none.
     */
    protected String fixtureSecret() {
        return null;
    }

    /** Bytes stored before the injected mid-stream failure. Default 64: the fixture must back up more than that. */
    protected long failAfterBytes() {
        return 64;
    }

    // ------------------------------------------------------------------ sensitivity

    @Test
    void sensitiveIsWhatTheSourceDeclares() {
        assertThat(newSource("contract").sensitive()).as("sensitive()").isEqualTo(expectedSensitive());
    }

    @Test
    void aSensitiveSourceIsRefusedWithoutEncryptionUnlessPlaintextIsAllowedExplicitly() {
        BackupSource source = newSource("contract");
        if (expectedSensitive()) {
            assertThatThrownBy(() -> engineBuilder(InMemoryStorage.create(), source).encryption(Encryption.none()).build())
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("contract")
                    .hasMessageContaining("allowUnencryptedSensitiveData()");
        }
        try (BackupEngine engine = engineBuilder(InMemoryStorage.create(), source).encryption(Encryption.none())
                .allowUnencryptedSensitiveData().build()) {
            assertThat(engine.sourceNames()).contains("contract");
        }
        if (!expectedSensitive()) {
            try (BackupEngine engine = engineBuilder(InMemoryStorage.create(), source).encryption(Encryption.none()).build()) {
                assertThat(engine.sourceNames()).contains("contract");
            }
        }
    }

    // ------------------------------------------------------------------ secrets

    @Test
    void aConfiguredSecretIsInNoToStringMessageEventOrLogLineOfAFailingBackup() {
        String secret = "Contract" + HexFormat.of().formatHex(randomBytes(8)) + "Pw";
        BackupSource source = unreachableSourceWithSecret("contract", secret);
        assumeTrue(source != null, "this source has no secret setting");
        assertThat(source.toString()).doesNotContain(secret);

        List<BackupEvent> events = new CopyOnWriteArrayList<>();
        InMemoryStorage storage = InMemoryStorage.create();
        String logged;
        BackupException failure;
        try (LogCapture logs = LogCapture.start();
             BackupEngine engine = plaintext(storage, source).listener(events::add).build()) {
            assertThat(engine.toString()).doesNotContain(secret);
            failure = catchBackupException(() -> engine.backup("contract").run());
            logged = logs.text();
        }
        assertThat(failure.errorCode()).as("error code of a backup against a server that is not there: " + failure.getMessage())
                .isNotEqualTo(CoreErrorCode.INTERNAL);
        for (String text : messagesOf(failure)) {
            assertThat(text).as("an exception message").doesNotContain(secret);
        }
        assertThat(logged).as("the failed backup was logged; if not, log capture does not work: use slf4j-simple "
                + "in test scope, logging to System.err or to the file in org.slf4j.simpleLogger.logFile").contains("'contract'");
        assertThat(logged).as("log output").doesNotContain(secret);
        assertThat(events).isNotEmpty();
        for (BackupEvent e : events) {
            assertThat(e.toString()).as("an event").doesNotContain(secret);
        }
        for (String key : storage.keys()) {
            assertThat(new String(storage.bytes(key), StandardCharsets.ISO_8859_1)).as(key).doesNotContain(secret);
        }
    }

    @Test
    void theFixtureSecretIsInNeitherToStringNorManifest() {
        String secret = fixtureSecret();
        assumeTrue(secret != null, "the fixture has no secret");
        BackupSource source = newSource("contract");
        assertThat(source.toString()).doesNotContain(secret);
        InMemoryStorage storage = InMemoryStorage.create();
        try (BackupEngine engine = plaintext(storage, source).build()) {
            BackupResult r = engine.backup("contract").run();
            assertThat(r.toString()).doesNotContain(secret);
            assertThat(new String(storage.bytes("contract/" + r.id() + "/manifest.json"), StandardCharsets.UTF_8)).doesNotContain(secret);
        }
    }

    // ------------------------------------------------------------------ wrong target

    @Test
    void aForeignRestoreTargetIsRefusedNamingTheAcceptedTypesAndWritesNothing() {
        InMemoryStorage storage = InMemoryStorage.create();
        try (BackupEngine engine = plaintext(storage, newSource("contract")).build()) {
            engine.backup("contract").run();
            List<String> before = sorted(storage.keys());
            RestoreTarget foreign = new ForeignTarget();
            BackupException e = catchBackupException(() -> engine.restore("contract").latest().into(foreign).run());
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
            for (String type : acceptedTargetTypes()) {
                assertThat(e.getMessage()).contains(type);
            }
            assertThat(sorted(storage.keys())).isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------ mid-stream failure

    @Test
    void aStorageFailureMidStreamCommitsNothing() {
        InMemoryStorage memory = InMemoryStorage.create();
        FaultyStorage faulty = FaultyStorage.wrap(memory)
                .onKeys(k -> k.startsWith("contract/") && !k.endsWith("/manifest.json"))
                .failPutAfterBytes(failAfterBytes())
                .retryableFaults(false);
        try (BackupEngine engine = plaintext(faulty, newSource("contract")).build()) {
            BackupException e = catchBackupException(() -> engine.backup("contract").run());
            assertThat(e.errorCode()).as(e.getMessage()).isIn(CoreErrorCode.STORAGE_FAILED, CoreErrorCode.STORAGE_UNAVAILABLE);
            assertThat(engine.list("contract")).isEmpty();
        }
        try (BackupEngine fresh = plaintext(memory, newSource("contract")).build()) {
            assertThat(fresh.list("contract")).isEmpty();
        }
        assertThat(memory.keys()).as("only repository bookkeeping is left")
                .allSatisfy(k -> assertThat(k.equals("repository.json") || k.startsWith("locks/")).as(k).isTrue());
    }

    // ------------------------------------------------------------------ names

    static List<String> invalidNames() {
        return List.of("locks", "pins", "holds", "reports", "quarantine", "wal", "a/b", "Upper", "with space", "", "n".repeat(64));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalidNames")
    void anInvalidNameIsRefusedWhenTheSourceIsBuilt(String name) {
        assertThatThrownBy(() -> newSource(name))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION));
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void aBackupRestoresIntoAFreshTargetUnderTheLongestName() {
        assertThat(LONGEST_NAME).hasSize(63);
        BackupSource source = newSource(LONGEST_NAME);
        assertThat(source.name()).isEqualTo(LONGEST_NAME);
        AgeKeys keys = AgeKeys.generate();
        InMemoryStorage storage = InMemoryStorage.create();
        BackupResult backup;
        try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(AgeEncryption.toRecipients(List.of(keys.recipient()))).source(source).build()) {
            backup = engine.backup(LONGEST_NAME).run();
            assertThat(engine.list(LONGEST_NAME)).extracting(Manifest::id).containsExactly(backup.id());
            assertThat(backup.manifest().sourceType()).isEqualTo(source.type());
        }
        // a fresh engine holding the identity restores what the first one wrote
        try (BackupEngine engine = Backup.engine().repository(storage)
                .encryption(AgeEncryption.decryptOnly().withIdentities(keys.identity())).source(newSource(LONGEST_NAME)).build()) {
            RestoreTarget target = newTarget();
            RestoreResult restored = engine.restore(LONGEST_NAME).id(backup.id()).into(target).run();
            assertThat(restored).isNotNull();
            assertRestored(target);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** An engine builder on {@code storage} with no compression, holding {@code source}; encryption not set. */
    private static BackupEngineBuilder engineBuilder(StorageTarget storage, BackupSource source) {
        return Backup.engine().repository(storage).compression(Compression.none()).source(source);
    }

    /** An engine builder on {@code storage} storing plaintext on purpose (so stored bytes are the source's bytes). */
    private static BackupEngineBuilder plaintext(StorageTarget storage, BackupSource source) {
        return engineBuilder(storage, source).encryption(Encryption.none()).allowUnencryptedSensitiveData();
    }

    private static BackupException catchBackupException(Runnable r) {
        try {
            r.run();
        } catch (BackupException e) {
            return e;
        }
        return fail("expected a BackupException");
    }

    private static List<String> messagesOf(Throwable t) {
        List<String> out = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(t, out, seen);
        return out;
    }

    private static void collect(Throwable t, List<String> out, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        out.add(String.valueOf(t));
        collect(t.getCause(), out, seen);
        for (Throwable s : t.getSuppressed()) {
            collect(s, out, seen);
        }
    }

    private static List<String> sorted(List<String> keys) {
        List<String> l = new ArrayList<>(keys);
        Collections.sort(l);
        return l;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** A target no source accepts. */
    private static final class ForeignTarget implements RestoreTarget {
        @Override
        public String describe() {
            return "contract-foreign-target";
        }
    }

    /** Tees System.err and remembers the end of the slf4j-simple log file, to read what was logged meanwhile. */
    private static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        private final Path logFile;
        private final long logFileStart;

        private LogCapture() {
            String file = System.getProperty("org.slf4j.simpleLogger.logFile");
            this.logFile = file == null || file.equals("System.err") || file.equals("System.out") ? null : Path.of(file);
            this.logFileStart = logFile != null && Files.exists(logFile) ? size(logFile) : 0;
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int b) {
                    original.write(b);
                    synchronized (captured) {
                        captured.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    original.write(b, off, len);
                    synchronized (captured) {
                        captured.write(b, off, len);
                    }
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        }

        static LogCapture start() {
            return new LogCapture();
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            synchronized (captured) {
                sb.append(captured.toString(StandardCharsets.UTF_8));
            }
            if (logFile != null && Files.exists(logFile)) {
                try {
                    byte[] all = Files.readAllBytes(logFile);
                    int from = (int) Math.min(logFileStart, all.length);
                    sb.append(new String(all, from, all.length - from, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return sb.toString();
        }

        private static long size(Path p) {
            try {
                return Files.size(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
