package com.eazepay.backup.mongo;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.DirectoryBackupContext;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import com.mongodb.client.MongoClient;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad input: refused credentials, no server, a server that stops mid-backup, corrupt archives, secrets. */
class MongoFailureTest {

    private static final String PASSWORD = "s3cr3t-Pa55word-do-not-log";
    private final List<MongoServer> servers = new ArrayList<>();
    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        servers.forEach(MongoServer::shutdownNow);
    }

    private MongoServer server() {
        MongoServer s = MongoServers.start(false);
        servers.add(s);
        return s;
    }

    private static BackupEngine plainEngine(InMemoryStorage storage, Compression compression, BackupSource source) {
        return Backup.engine().repository(storage).compression(compression).encryption(Encryption.none())
                .allowUnencryptedSensitiveData().source(source).clock(TestClock.create()).build();
    }

    private static String allMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            sb.append(x).append('\n');
        }
        return sb.toString();
    }

    /**
     * mongo-java-server has no authentication: it answers the driver's SCRAM {@code saslStart} with
     * "no such command", which the driver reports as a security exception, the same path a real
     * server's "Authentication failed" takes. What is tested: the code, the message, and that the
     * password is nowhere.
     */
    @Test
    void refusedCredentialsFailWithAuthenticationFailedAndNeverShowThePassword() {
        MongoServer s = server();
        int port = s.getLocalAddress().getPort();
        MongoSource source = MongoSource.builder().host("127.0.0.1").port(port).user("backup")
                .password(Secret.of(PASSWORD)).authDatabase("admin").serverSelectionTimeout(Duration.ofSeconds(30)).build();
        InMemoryStorage storage = InMemoryStorage.create();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        BackupException e;
        try (BackupEngine engine = plainEngine(storage, Compression.none(), source)) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                e = catchThrowableOfType(BackupException.class, () -> engine.backup("mongo").run());
            } finally {
                System.setErr(err);
            }
            assertThat(engine.list("mongo")).isEmpty();
        }
        assertThat(e).isNotNull();
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.AUTHENTICATION_FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("backup").contains("127.0.0.1:" + port);
        assertThat(allMessages(e)).doesNotContain(PASSWORD);
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain(PASSWORD);
        assertThat(source.toString()).doesNotContain(PASSWORD).contains("backup@admin");
        assertThat(storage.keys()).noneMatch(k -> k.contains("manifest"));
    }

    @Test
    void aPasswordInTheConnectionStringNeverShowsInToStringMessagesOrTargets() {
        String uri = "mongodb://backup:" + PASSWORD + "@127.0.0.1:" + MongoServers.freePort() + "/?authSource=admin";
        MongoSource source = MongoSource.builder().connectionString(uri).serverSelectionTimeout(Duration.ofMillis(500)).build();
        assertThat(source.toString()).doesNotContain(PASSWORD);
        MongoTarget target = MongoTarget.database("x").on(uri);
        assertThat(target.toString()).doesNotContain(PASSWORD);
        assertThat(target.describe()).doesNotContain(PASSWORD);
        BackupException e = catchThrowableOfType(BackupException.class,
                () -> source.backup(DirectoryBackupContext.in(tmp)));
        assertThat(allMessages(e)).doesNotContain(PASSWORD);
        BackupException bad = catchThrowableOfType(BackupException.class,
                () -> MongoSource.builder().connectionString("mongo://u:" + PASSWORD + "@h").build());
        assertThat(bad.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(allMessages(bad)).doesNotContain(PASSWORD);
    }

    @Test
    void builderListsEveryProblemInOneInvalidConfigurationAndRefusesASettingGivenTwice() {
        BackupException e = catchThrowableOfType(BackupException.class, () -> MongoSource.builder()
                .password(Secret.of(PASSWORD)).databases("a", "b").excludeDatabases("b").build());
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).startsWith("MongoSource: ").contains("no MongoDB server")
                .contains("password(..) given without user(..)").contains("databases [b] are both included and excluded")
                .doesNotContain(PASSWORD);
        BackupException both = catchThrowableOfType(BackupException.class, () -> MongoSource.builder()
                .connectionString("mongo://u:" + PASSWORD + "@h").host("h").user("u").build());
        assertThat(both.getMessage()).contains("not both").contains("not valid").contains("user 'u' given without password")
                .doesNotContain(PASSWORD);

        MongoSource.Builder b = MongoSource.builder().host("a");
        assertThatThrownBy(() -> b.host("b")).isInstanceOf(IllegalStateException.class).hasMessageContaining("host was already set");
        assertThatThrownBy(() -> MongoSource.builder().password(Secret.of(PASSWORD)).password(Secret.of("other")))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> MongoTarget.database("x").batchSize(10).batchSize(20))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("MongoTarget: batchSize was already set");
        assertThatThrownBy(() -> MongoTarget.database("x").replaceExisting().replaceExisting())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnreachableServerIsARetryableSourceUnavailableAndNothingIsCommitted() {
        int closedPort = MongoServers.freePort();
        MongoSource source = MongoSource.builder().host("127.0.0.1").port(closedPort)
                .serverSelectionTimeout(Duration.ofMillis(300)).build();
        InMemoryStorage storage = InMemoryStorage.create();
        try (BackupEngine engine = plainEngine(storage, Compression.none(), source)) {
            BackupException e = catchThrowableOfType(BackupException.class, () -> engine.backup("mongo").run());
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
            assertThat(allMessages(e)).contains("127.0.0.1:" + closedPort).contains("unreachable");
            assertThat(engine.list("mongo")).isEmpty();
        }
    }

    @Test
    void aServerStoppingMidBackupFailsTheBackupAndNothingIsCommitted() {
        MongoServer s = server();
        String uri = MongoServers.uri(s);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("pay"), "big", 5000, 300);
        }
        MongoSource mongo = MongoSource.builder().connectionString(uri).batchSize(100)
                .serverSelectionTimeout(Duration.ofMillis(500)).build();
        // after the first 64 KiB reached the stream, another thread closes the server; we wait for it
        var source = MidStreamSource.of(mongo, 1, () -> {
            Thread stopper = new Thread(s::shutdownNow, "mongo-stopper");
            stopper.start();
            try {
                stopper.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        });
        InMemoryStorage storage = InMemoryStorage.create();
        try (BackupEngine engine = plainEngine(storage, Compression.zstd(), source)) {
            BackupException e = catchThrowableOfType(BackupException.class, () -> engine.backup("mongo").run());
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.SOURCE_UNAVAILABLE);
            assertThat(allMessages(e)).contains("pay.big");
            assertThat(engine.list("mongo")).isEmpty();
            assertThat(storage.keys()).noneMatch(k -> k.startsWith("mongo/"));
        }
    }

    @Test
    void aServerStoppingMidBackupLeavesTheStreamUnclosedSoTheEngineAbortsIt() {
        MongoServer s = server();
        String uri = MongoServers.uri(s);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("pay"), "big", 5000, 300);
        }
        DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp)
                .onWrite(DirectoryBackupContext.WriteListener.onceAfter(1, s::shutdownNow));
        MongoSource source = MongoSource.builder().connectionString(uri).batchSize(100)
                .serverSelectionTimeout(Duration.ofMillis(500)).build();
        assertThatThrownBy(() -> source.backup(ctx)).isInstanceOf(BackupException.class);
        assertThat(ctx.committedStreams()).isEmpty();
        assertThat(ctx.facts()).isEmpty();
    }

    @Test
    void aCorruptArchiveFailsBeforeAnythingIsWrittenNamingNamespaceAndOffset() throws IOException {
        MongoServer s = server();
        String uri = MongoServers.uri(s);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("pay"), "ledger.2026", 300, 100);
            DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp);
            MongoSource source = MongoSource.builder().connectionString(uri).build();
            source.backup(ctx);
            Path file = ctx.streamFile(MongoSource.STREAM);
            byte[] archive = Files.readAllBytes(file);
            byte[] bytes = archive.clone();
            bytes[bytes.length - 2000] ^= 0x20; // inside a late document of pay.ledger.2026
            Files.write(file, bytes);
            BackupException e = catchThrowableOfType(BackupException.class,
                    () -> source.restore(ctx.restoreContext(), MongoTarget.database("restored")));
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).contains("namespace pay.ledger.2026").containsPattern("offset \\d+");
            List<String> dbs = new ArrayList<>();
            client.listDatabaseNames().forEach(dbs::add);
            assertThat(dbs).doesNotContain("restored");

            Files.write(file, java.util.Arrays.copyOf(archive, archive.length - 10));
            BackupException t = catchThrowableOfType(BackupException.class,
                    () -> source.restore(ctx.restoreContext(), MongoTarget.database("restored")));
            assertThat(t.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(t.getMessage()).contains("pay.ledger.2026").containsPattern("offset \\d+");
        }
    }

    @Test
    void aFlippedStoredByteFailsTheRestoreAndTheTargetStaysUntouched() {
        MongoServer s = server();
        String uri = MongoServers.uri(s);
        try (MongoClient client = TestData.client(uri)) {
            TestData.payments(client.getDatabase("pay"), "p", 300, 100);
            InMemoryStorage storage = InMemoryStorage.create();
            try (BackupEngine engine = plainEngine(storage, Compression.zstd(), MongoSource.builder().connectionString(uri).build())) {
                engine.backup("mongo").run();
                String key = storage.keys().stream().filter(k -> k.endsWith(".zst")).findFirst().orElseThrow();
                byte[] stored = storage.bytes(key);
                stored[stored.length / 2] ^= 0x01;
                storage.overwrite(key, stored);
                BackupException e = catchThrowableOfType(BackupException.class,
                        () -> engine.restore("mongo").latest().into(MongoTarget.database("restored")).run());
                assertThat(e.errorCode()).isIn(CoreErrorCode.CHECKSUM_MISMATCH, CoreErrorCode.CORRUPT_DATA);
            }
            List<String> dbs = new ArrayList<>();
            client.listDatabaseNames().forEach(dbs::add);
            assertThat(dbs).doesNotContain("restored");
        }
    }

    @Test
    void aRestoreIntoSomethingElseIsAConfigurationError() throws IOException {
        MongoSource source = MongoSource.builder().host("127.0.0.1").build();
        DirectoryBackupContext empty = DirectoryBackupContext.in(tmp);
        empty.newStream(MongoSource.STREAM, "archive").close();
        BackupException e = catchThrowableOfType(BackupException.class,
                () -> source.restore(empty.restoreContext(), () -> "a directory"));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("MongoTarget");
    }

    @Test
    void theSourceDeclaresItselfSensitiveMongo() {
        MongoSource source = MongoSource.builder().name("orders-db").host("db").build();
        assertThat(source.type()).isEqualTo("mongo");
        assertThat(source.sensitive()).isTrue();
        assertThat(source.name()).isEqualTo("orders-db");
        assertThatThrownBy(() -> MongoSource.builder().name("Bad Name")).isInstanceOf(BackupException.class);
        assertThatThrownBy(() -> MongoSource.builder().batchSize(0)).isInstanceOf(BackupException.class);
        assertThatThrownBy(() -> MongoSource.builder().build()).isInstanceOf(BackupException.class);
    }
}
