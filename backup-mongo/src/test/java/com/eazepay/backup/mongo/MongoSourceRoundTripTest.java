package com.eazepay.backup.mongo;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.mongo.internal.ArchiveReader;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.test.DirectoryBackupContext;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backups and restores through the engine against mongo-java-server (in-process, loopback). */
class MongoSourceRoundTripTest {

    private final List<MongoServer> servers = new ArrayList<>();
    private final InMemoryStorage storage = InMemoryStorage.create();
    private final TestClock clock = TestClock.create();
    private final AgeKeys keys = AgeKeys.generate();

    @AfterEach
    void stop() {
        servers.forEach(MongoServer::shutdownNow);
    }

    private MongoServer server(boolean oplog) {
        MongoServer s = MongoServers.start(oplog);
        servers.add(s);
        return s;
    }

    private BackupEngine engine(BackupSource source) {
        return Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()))
                .source(source).clock(clock).build();
    }

    private static void seed(MongoClient client) {
        MongoDatabase pay = client.getDatabase("pay");
        pay.getCollection("types", BsonDocument.class).insertMany(TestData.everyType());
        TestData.payments(pay, "ledger.entries.2026", 500, 200);
        pay.getCollection("ledger.entries.2026").createIndex(new BsonDocument("account", new BsonInt32(1))
                .append("at", new BsonInt32(-1)));
        pay.getCollection("ledger.entries.2026").createIndex(new BsonDocument("seq", new BsonInt32(1)),
                new IndexOptions().unique(true).name("seq_unique"));
        pay.createCollection("empty");
        for (int i = 0; i < 12; i++) {
            client.getDatabase("ops").getCollection("c" + i).insertOne(new org.bson.Document("_id", i).append("v", "x" + i));
        }
    }

    @Test
    void integrityWalksTheArchiveWithEveryNamespaceCrcAndComparesCountsWithTheManifest() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            MongoSource source = MongoSource.builder().name("mongo").connectionString(uri).databases("pay").batchSize(50).build();
            try (BackupEngine engine = engine(source)) {
                engine.backup("mongo").run();

                com.eazepay.backup.IntegrityReport report = engine.verify("mongo").integrity().orThrow();

                List<CheckResult> checks = report.targets().get(0).validation().get("archive");
                assertThat(checks).extracting(CheckResult::name)
                        .containsExactly("archive walk and per-namespace CRC-64", "documents per namespace");
                assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
                assertThat(checks.get(0).detail()).contains((500 + TestData.everyType().size()) + " documents");
            }
        }
    }

    @Test
    void everyBsonTypeAndIndexRoundTripsByteForByteIntoAnotherDatabase() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            MongoSource source = MongoSource.builder().name("mongo").connectionString(uri).databases("pay").batchSize(50).build();
            try (BackupEngine engine = engine(source)) {
                BackupResult r = engine.backup("mongo").tag("pre-deploy").run();
                Manifest m = r.manifest();
                assertThat(m.sourceType()).isEqualTo("mongo");
                assertThat(m.facts()).containsEntry("pointInTime", false).containsKey("serverVersion");
                assertThat((Map<String, Object>) m.facts().get("collections")).containsOnly(
                        Map.entry("pay.empty", 0L), Map.entry("pay.ledger.entries.2026", 500L),
                        Map.entry("pay.types", (long) TestData.everyType().size()));
                assertThat(m.stream("archive")).isPresent();

                RestoreResult rr = engine.restore("mongo").latest()
                        .into(MongoTarget.database("restore_tmp").check(Check.mongo("types").atLeast(1),
                                Check.mongo("ledger.entries.2026").where("{\"account\": \"acct-1\"}").exactly(1)))
                        .checked().run();
                assertThat(rr.checks()).extracting(CheckResult::name).contains("documents restore_tmp.types",
                        "documents restore_tmp.ledger.entries.2026", "documents restore_tmp.empty");
                assertThat(rr.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
                assertThat(rr.checksPassed()).isTrue();
                assertThat(rr.location()).isEqualTo(uri + "/restore_tmp");
            }
            for (String coll : List.of("types", "ledger.entries.2026")) {
                assertThat(TestData.rawById(client, "restore_tmp", coll)).as(coll)
                        .isEqualTo(TestData.rawById(client, "pay", coll));
            }
            List<String> names = new ArrayList<>();
            client.getDatabase("restore_tmp").listCollectionNames().forEach(names::add);
            assertThat(names).contains("empty");
            List<String> indexes = new ArrayList<>();
            client.getDatabase("restore_tmp").getCollection("ledger.entries.2026").listIndexes(BsonDocument.class)
                    .forEach(i -> indexes.add(i.getString("name").getValue() + (i.containsKey("unique") ? " unique" : "")));
            assertThat(indexes).containsExactlyInAnyOrder("_id_", "account_1_at_-1", "seq_unique unique");
        }
    }

    @Test
    void manyCollectionsInSeveralDatabasesRestoreUnderTheirOwnNamesOnAnotherServer() {
        MongoServer source = server(false);
        MongoServer other = server(false);
        try (MongoClient client = TestData.client(MongoServers.uri(source));
             MongoClient target = TestData.client(MongoServers.uri(other))) {
            seed(client);
            MongoSource src = MongoSource.builder().connectionString(MongoServers.uri(source))
                    .excludeCollections("pay.types").build();
            try (BackupEngine engine = engine(src)) {
                Manifest m = engine.backup("mongo").run().manifest();
                assertThat((Map<String, Object>) m.facts().get("collections")).hasSize(2 + 12)
                        .doesNotContainKey("pay.types");
                RestoreResult rr = engine.restore("mongo").latest()
                        .into(MongoTarget.sameDatabases().on(MongoServers.uri(other))
                                .check(Check.mongo("ops.c3").exactly(1)))
                        .checked().run();
                assertThat(rr.checksPassed()).isTrue();
            }
            for (int i = 0; i < 12; i++) {
                assertThat(TestData.rawById(target, "ops", "c" + i)).isEqualTo(TestData.rawById(client, "ops", "c" + i));
            }
            assertThat(TestData.rawById(target, "pay", "ledger.entries.2026")).hasSize(500);
            assertThat(TestData.rawById(target, "pay", "types")).isEmpty();
        }
    }

    @Test
    void userChecksRunWhenGivenEvenIfTheRestoreDidNotAskForChecks() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            try (BackupEngine engine = engine(MongoSource.builder().connectionString(uri).databases("ops").build())) {
                engine.backup("mongo").run();
                RestoreResult rr = engine.restore("mongo").latest()
                        .into(MongoTarget.database("ops_unasked").check(Check.mongo("c1").between(1, 5))).run();
                assertThat(rr.checks()).extracting(CheckResult::name).contains("count c1 {} between 1 and 5");
                assertThat(rr.checks()).filteredOn(c -> c.name().startsWith("count c1"))
                        .singleElement().satisfies(c -> assertThat(c.detail()).startsWith("expected between 1 and 5, found 1"));
            }
        }
    }

    @Test
    void aFailingUserCheckIsReportedNotHidden() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            try (BackupEngine engine = engine(MongoSource.builder().connectionString(uri).databases("ops").build())) {
                engine.backup("mongo").run();
                assertThatThrownBy(() -> engine.restore("mongo").latest()
                        .into(MongoTarget.database("ops_check").check(Check.mongo("c1").atLeast(5))).checked().run())
                        .isInstanceOfSatisfying(BackupException.class, e -> {
                            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
                            assertThat(e.getMessage()).contains("count c1 {} >= 5").contains("expected >= 5, found 1");
                        });
                // the restored data stays for inspection; the per-collection count checks held
                assertThat(TestData.rawById(client, "ops_check", "c1")).isEqualTo(TestData.rawById(client, "ops", "c1"));
            }
        }
    }

    @Test
    void aTargetThatHoldsDocumentsIsRefusedUnlessDropExistingIsSaid() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            client.getDatabase("busy").getCollection("c1").insertOne(new org.bson.Document("_id", "keep-me"));
            try (BackupEngine engine = engine(MongoSource.builder().connectionString(uri).databases("ops").build())) {
                engine.backup("mongo").run();
                assertThatThrownBy(() -> engine.restore("mongo").latest().into(MongoTarget.database("busy")).run())
                        .isInstanceOfSatisfying(BackupException.class, e -> {
                            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY);
                            assertThat(e.getMessage()).contains("busy.c1").contains("replaceExisting");
                        });
                assertThat(TestData.rawById(client, "busy", "c1")).containsOnlyKeys("{\"id\": \"keep-me\"}");
                assertThat(TestData.rawById(client, "busy", "c2")).isEmpty();

                RestoreResult rr = engine.restore("mongo").latest().into(MongoTarget.database("busy").replaceExisting()).checked().run();
                assertThat(rr.checksPassed()).isTrue();
                assertThat(TestData.rawById(client, "busy", "c1")).isEqualTo(TestData.rawById(client, "ops", "c1"));
            }
        }
    }

    @Test
    void theStoredArchiveDecryptsWithAgeAndDecompressesWithZstdIntoAMongodumpArchive(@TempDir Path dir)
            throws IOException, InterruptedException {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            seed(client);
            try (BackupEngine engine = engine(MongoSource.builder().connectionString(uri).build())) {
                Manifest m = engine.backup("mongo").run().manifest();
                String key = storage.keys().stream().filter(k -> k.endsWith(m.stream("archive").orElseThrow().object()))
                        .findFirst().orElseThrow();
                assertThat(key).endsWith("archive.archive.zst.age");
                Path stored = dir.resolve("archive.zst.age");
                Files.write(stored, storage.bytes(key));
                Path identity = dir.resolve("key.txt");
                AgeKeys.writeIdentityFile(identity, keys.identity(), clock);
                // the README's pipeline exactly as printed there (before the mongorestore stage)
                Process p = new ProcessBuilder("sh", "-c", "age -d -i \"$1\" \"$2\" | zstd -d", "sh",
                        identity.toString(), stored.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                byte[] plain = p.getInputStream().readAllBytes();
                assertThat(p.waitFor()).isZero();
                Map<String, Long> counts = new LinkedHashMap<>();
                try (ArchiveReader r = ArchiveReader.open(new ByteArrayInputStream(plain))) {
                    ArchiveReader.Event e;
                    while ((e = r.next()) != null) {
                        if (e instanceof ArchiveReader.NamespaceEnd end) {
                            counts.put(end.namespace(), end.documents());
                        }
                    }
                }
                assertThat(counts).containsEntry("pay.ledger.entries.2026", 500L).containsEntry("ops.c11", 1L).hasSize(15);
            }
        }
    }

    /** mongo-java-server cannot create capped collections, so options are checked in the archive metadata only. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"pay-ops.archive", "pay-ops.gzip.archive"})
    void archivesWrittenByTheRealMongodumpRestoreWithTheirIndexes(String vector, @TempDir Path dir) throws IOException {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        DirectoryBackupContext archive = DirectoryBackupContext.in(dir);
        try (var in = getClass().getResourceAsStream("/vectors/" + vector);
             var out = archive.newStream(MongoSource.STREAM, "archive")) {
            in.transferTo(out);
        }
        archive.fact("collections", Map.of("ops.config", 10, "pay.users", 2000, "pay.payments", 3000));
        try (MongoClient client = TestData.client(uri)) {
            MongoSource source = MongoSource.builder().connectionString(uri).build();
            var outcome = source.restore(archive.restoreContext(), MongoTarget.sameDatabases());
            assertThat(outcome.checks()).hasSize(3).allSatisfy(c -> assertThat(c.passed()).as(c.toString()).isTrue());
            assertThat(client.getDatabase("pay").getCollection("payments").countDocuments()).isEqualTo(3000);
            assertThat(client.getDatabase("pay").getCollection("users").countDocuments(new org.bson.Document("_id", 1999)))
                    .isEqualTo(1);
            List<String> indexes = new ArrayList<>();
            client.getDatabase("pay").getCollection("payments").listIndexes(BsonDocument.class)
                    .forEach(i -> indexes.add(i.getString("name").getValue() + (i.containsKey("unique") ? " unique" : "")));
            assertThat(indexes).contains("_id_", "uuid_1 unique", "account_id_1_created_at_-1");
        }
    }

    @Test
    void aDocumentNearTheSixteenMebibyteLimitRoundTrips() {
        MongoServer server = server(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            byte[] big = new byte[16 * 1024 * 1024 - 200];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31);
            }
            client.getDatabase("blob").getCollection("files", BsonDocument.class).insertOne(
                    new BsonDocument("_id", new BsonString("big")).append("data", new org.bson.BsonBinary(big)));
            client.getDatabase("blob").getCollection("files", BsonDocument.class).insertOne(
                    new BsonDocument("_id", new BsonString("small")));
            try (BackupEngine engine = engine(MongoSource.builder().connectionString(uri).build())) {
                engine.backup("mongo").run();
                RestoreResult rr = engine.restore("mongo").latest().into(MongoTarget.database("blob2")).checked().run();
                assertThat(rr.checksPassed()).isTrue();
            }
            assertThat(TestData.rawById(client, "blob2", "files")).isEqualTo(TestData.rawById(client, "blob", "files"));
        }
    }
}
