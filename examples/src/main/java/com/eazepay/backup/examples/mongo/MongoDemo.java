package com.eazepay.backup.examples.mongo;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.mongo.Check;
import com.eazepay.backup.mongo.MongoSource;
import com.eazepay.backup.mongo.MongoTarget;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.bson.Document;
import org.bson.types.Decimal128;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * MongoDB demo: starts an in-process MongoDB wire-protocol server (mongo-java-server; no mongod
 * needed), loads users and payments, backs the {@code payments} database up in the mongodump
 * archive format (zstd + age) into {@code ./demo-repository}, restores it into {@code payments_restore}
 * with document-count checks, and prints a summary and the standard-tools restore command.
 */
public final class MongoDemo {

    private MongoDemo() {
    }

    public static void main(String[] args) {
        Path work = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        System.exit(run(work, System.out) ? 0 : 1);
    }

    /** Runs the demo in {@code work}; returns whether the restore was verified. */
    public static boolean run(Path work, PrintStream out) {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        String uri = "mongodb://127.0.0.1:" + address.getPort();
        try (MongoClient client = MongoClients.create(uri)) {
            MongoDatabase db = client.getDatabase("payments");
            List<Document> users = new ArrayList<>();
            List<Document> payments = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                users.add(new Document("_id", "usr_" + i).append("email", "user" + i + "@example.com").append("kyc", i % 3 == 0));
                payments.add(new Document("user", "usr_" + i).append("amount", new Decimal128(new BigDecimal(i + ".50")))
                        .append("currency", "EUR").append("at", new Date(1_764_000_000_000L + i * 60_000L)));
            }
            db.getCollection("users").insertMany(users);
            db.getCollection("payments").insertMany(payments);

            Path identityFile = work.resolve("demo-identity.txt");
            if (!Files.exists(identityFile)) {
                AgeKeys.writeIdentityFile(identityFile, AgeKeys.generate().identity(), Clock.systemUTC());
            }
            String recipient = AgeKeys.readIdentityFile(identityFile).get(0).recipient().encoded();
            Path repository = work.resolve("demo-repository");
            try (BackupEngine engine = Backup.engine()
                    .repository(FileSystemStorage.at(repository))
                    .encryption(AgeEncryption.toRecipients(recipient).withIdentityFile(identityFile))
                    .source(MongoSource.builder().name("mongo").connectionString(uri).databases("payments").build())
                    .build()) {
                BackupResult backup = engine.backup("mongo").tag("demo").run();
                RestoreResult restored = engine.restore("mongo").id(backup.id())
                        .into(MongoTarget.database("payments_restore").check(Check.mongo("users").atLeast(2_000)))
                        .checked().run();
                String object = repository.resolve("mongo/" + backup.id() + "/" + backup.manifest().streams().get(0).object()).toString();
                out.println("Eazepay Backup demo (MongoDB)");
                out.println("  backup id        " + backup.id());
                out.println("  collections      " + backup.manifest().facts().get("collections"));
                out.println("  plaintext bytes  " + backup.plaintextBytes() + " (mongodump archive)");
                out.println("  stored bytes     " + backup.storedBytes() + " (zstd + age)");
                out.println("  restored into    " + restored.location());
                restored.checks().forEach(c -> out.println("  check            " + c.name() + ": " + (c.passed() ? "ok" : "FAILED") + " (" + c.detail() + ")"));
                out.println("  " + (restored.checksPassed() ? "restore verified" : "RESTORE CHECKS FAILED"));
                out.println("  without this library:");
                out.println("    age -d -i " + identityFile + " " + object + " | zstd -d | mongorestore --archive");
                return restored.checksPassed();
            }
        } finally {
            server.shutdownNow();
        }
    }
}
