package com.eazepay.backup.mongo;

import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import com.mongodb.client.MongoClient;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MongoSource} passes the source contract against mongo-java-server (in-process, loopback), restoring
 * into a fresh database on the same server. mongo-java-server has no authentication, so the fixture has no
 * secret; the secret checks run against a password in the connection string of a server that is not there.
 */
class MongoSourceContractTest extends SourceContract {

    static MongoServer server;
    static String uri;
    static MongoClient client;
    static int restores;
    static String lastDatabase;

    @BeforeAll
    static void start() {
        server = MongoServers.start(false);
        uri = MongoServers.uri(server);
        client = TestData.client(uri);
        client.getDatabase("pay").getCollection("types", BsonDocument.class).insertMany(TestData.everyType());
        TestData.payments(client.getDatabase("pay"), "ledger", 200, 100);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Override
    protected BackupSource newSource(String name) {
        return MongoSource.builder().name(name).connectionString(uri).databases("pay").build();
    }

    @Override
    protected RestoreTarget newTarget() {
        lastDatabase = "restore_" + (++restores);
        return MongoTarget.database(lastDatabase);
    }

    @Override
    protected void assertRestored(RestoreTarget target) {
        for (String coll : List.of("types", "ledger")) {
            assertThat(TestData.rawById(client, lastDatabase, coll)).as(coll)
                    .isNotEmpty()
                    .isEqualTo(TestData.rawById(client, "pay", coll));
        }
    }

    @Override
    protected boolean expectedSensitive() {
        return true;
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("MongoTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        return MongoSource.builder().name(name)
                .connectionString("mongodb://backup:" + secret + "@127.0.0.1:" + MongoServers.freePort() + "/?authSource=admin")
                .serverSelectionTimeout(Duration.ofSeconds(1)).build();
    }
}
