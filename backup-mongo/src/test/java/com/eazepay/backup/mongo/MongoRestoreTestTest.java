package com.eazepay.backup.mongo;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Restore tests of a MongoDB source into a scratch database {@code restoretest_<id>}, against mongo-java-server. */
class MongoRestoreTestTest {

    private MongoServer server;
    private MongoClient client;
    private final InMemoryStorage storage = InMemoryStorage.create();

    @BeforeEach
    void start() {
        server = MongoServers.start(false);
        client = MongoClients.create(MongoServers.uri(server));
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            docs.add(new Document("_id", i).append("amount", i * 10));
        }
        client.getDatabase("pay").getCollection("payments").insertMany(docs);
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    private BackupEngine engine() {
        return Backup.engine().repository(storage).encryption(Encryption.none()).allowUnencryptedSensitiveData()
                .source(MongoSource.builder().name("mongo").connectionString(MongoServers.uri(server)).build())
                .clock(TestClock.create()).build();
    }

    private List<String> scratchDatabases() {
        return client.listDatabaseNames().into(new ArrayList<>()).stream().filter(n -> n.startsWith("restoretest_")).toList();
    }

    @Test
    void aRestoreTestRestoresIntoAScratchDatabaseOnTheSourcesServerChecksAndDropsIt() {
        try (BackupEngine engine = engine()) {
            engine.backup("mongo").run();
            RestoreTestReport report = engine.verify("mongo").restoreTest().latest()
                    .check(t -> ((MongoTarget) t).check(Check.mongo("payments").exactly(50))).run();

            assertThat(report.passed()).as(String.valueOf(report)).isTrue();
            assertThat(report.scratch()).contains("restoretest_");
            assertThat(report.checks()).anyMatch(c -> c.passed() && c.name().contains("payments"));
        }
        assertThat(scratchDatabases()).isEmpty();
        assertThat(client.getDatabase("pay").getCollection("payments").countDocuments()).isEqualTo(50);
        assertThat(storage.listAll("locks/cleanup/")).isEmpty();
    }

    @Test
    void aFailingCheckFailsTheRestoreTestAndStillDropsTheScratchDatabase() {
        try (BackupEngine engine = engine()) {
            engine.backup("mongo").run();
            RestoreTestReport report = engine.verify("mongo").restoreTest().latest()
                    .check(t -> ((MongoTarget) t).check(Check.mongo("payments").exactly(51))).run();

            assertThat(report.passed()).isFalse();
            BackupException e = catchThrowableOfType(report::orThrow, BackupException.class);
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECK_FAILED);
        }
        assertThat(scratchDatabases()).isEmpty();
    }

    @Test
    void aScratchDatabaseLeftByAKilledJvmIsDroppedOnTheNextEnginesFirstOperation() {
        client.getDatabase("restoretest_20260101t000000_dead").getCollection("payments").insertOne(new Document("_id", 1));
        byte[] journal = ("{\"source\":\"mongo\",\"sourceType\":\"mongo\",\"testId\":\"20260101t000000_dead\","
                + "\"backupId\":\"x\",\"resource\":\"restoretest_20260101t000000_dead\",\"at\":\"2026-01-01T00:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8);
        storage.put("locks/cleanup/mongo/20260101t000000_dead.json", new ByteArrayInputStream(journal),
                PutOptions.defaults().withContentLength(journal.length));
        assertThat(scratchDatabases()).hasSize(1);

        try (BackupEngine engine = engine()) {
            assertThat(engine.list("mongo")).isEmpty();
        }

        assertThat(scratchDatabases()).isEmpty();
        assertThat(storage.listAll("locks/cleanup/")).isEmpty();
    }

    @Test
    void dropScratchRefusesADatabaseThatIsNotARestoreTestScratchDatabase() {
        MongoSource source = MongoSource.builder().name("mongo").connectionString(MongoServers.uri(server)).build();
        source.dropScratch("pay");
        assertThat(client.getDatabase("pay").getCollection("payments").countDocuments()).isEqualTo(50);
    }
}
