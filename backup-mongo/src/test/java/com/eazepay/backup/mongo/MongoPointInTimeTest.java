package com.eazepay.backup.mongo;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.DirectoryBackupContext;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With an oplog (mongo-java-server's enableOplog), writes made during the backup are replayed on restore. */
class MongoPointInTimeTest {

    private MongoServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void writesDuringTheBackupAreCapturedFromTheOplogAndReplayedOnRestore() {
        server = MongoServers.start(true);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri); MongoClient writer = TestData.client(uri)) {
            MongoCollection<Document> a = client.getDatabase("pay").getCollection("a");
            for (int i = 0; i < 10; i++) {
                a.insertOne(new Document("_id", i).append("x", i));
            }
            // b is big enough that the source's 64 KiB buffer is flushed while b is being read, after a was read
            TestData.payments(client.getDatabase("pay"), "b", 2000, 200);
            client.getDatabase("other").getCollection("ignored").insertOne(new Document("_id", 1));

            MongoSource mongo = MongoSource.builder().connectionString(uri).databases("pay").batchSize(100).oplog(true).build();
            BackupSource source = MidStreamSource.of(mongo, 1, () -> {
                MongoCollection<Document> wa = writer.getDatabase("pay").getCollection("a");
                wa.insertOne(new Document("_id", 100).append("x", 100));
                wa.updateOne(new Document("_id", 1), new Document("$set", new Document("x", 42)));
                wa.deleteOne(new Document("_id", 2));
                writer.getDatabase("other").getCollection("ignored").insertOne(new Document("_id", 2));
            });
            InMemoryStorage storage = InMemoryStorage.create();
            try (BackupEngine engine = Backup.engine().repository(storage).compression(Compression.zstd())
                    .encryption(Encryption.none()).allowUnencryptedSensitiveData().source(source)
                    .clock(TestClock.create()).build()) {
                Manifest m = engine.backup("mongo").run().manifest();
                assertThat(m.facts()).containsEntry("pointInTime", true).containsKeys("oplogStart", "oplogEnd");
                // a was read before the writes: its documents in the archive are the old ones
                assertThat((Map<String, Object>) m.facts().get("collections")).containsEntry("pay.a", 10L);
                assertThat(((Number) m.facts().get("oplogEntries")).longValue()).isEqualTo(3);
                Map<String, Object> start = (Map<String, Object>) m.facts().get("oplogStart");
                Map<String, Object> end = (Map<String, Object>) m.facts().get("oplogEnd");
                assertThat(((Number) end.get("t")).longValue() * 1L << 32 | ((Number) end.get("i")).longValue())
                        .isGreaterThan(((Number) start.get("t")).longValue() * 1L << 32 | ((Number) start.get("i")).longValue());

                RestoreResult rr = engine.restore("mongo").latest().into(MongoTarget.database("pit")).checked().run();
                assertThat(rr.checksPassed()).isTrue();
                assertThat(rr.facts()).containsEntry("oplogApplied", 3L);
            }
            List<Document> restored = new ArrayList<>();
            client.getDatabase("pit").getCollection("a").find().sort(new Document("_id", 1)).forEach(restored::add);
            assertThat(restored).extracting(d -> d.getInteger("_id")).containsExactly(0, 1, 3, 4, 5, 6, 7, 8, 9, 100);
            assertThat(restored.get(1).getInteger("x")).isEqualTo(42);
            assertThat(client.getDatabase("pit").getCollection("b").countDocuments()).isEqualTo(2000);
        }
    }

    @Test
    void aStandaloneServerGivesABackupThatSaysItIsNotPointInTime(@TempDir Path tmp) {
        server = MongoServers.start(false);
        String uri = MongoServers.uri(server);
        try (MongoClient client = TestData.client(uri)) {
            client.getDatabase("pay").getCollection("a").insertOne(new Document("_id", 1));
            DirectoryBackupContext ctx = DirectoryBackupContext.in(tmp);
            MongoSource.builder().connectionString(uri).oplog(true).build().backup(ctx);
            assertThat(ctx.committedStreams()).containsKey(MongoSource.STREAM);
            assertThat(ctx.facts()).containsEntry("pointInTime", false).doesNotContainKey("oplogStart");
        }
    }
}
