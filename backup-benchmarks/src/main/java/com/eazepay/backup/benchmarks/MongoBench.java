package com.eazepay.backup.benchmarks;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.mongo.MongoSource;
import com.eazepay.backup.mongo.MongoTarget;
import com.eazepay.backup.spi.Compression;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.bson.BsonDocument;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The MongoDB part of {@link SideBySideBenchmark}: mongodump/mongorestore are not installed here, so our backup
 * and restore run against an in-process mongo-java-server (its CPU is in the JVM's, so the client CPU column is
 * client + server), next to our codecs alone (zstd 1 + age of the same archive bytes, one thread) as the floor
 * our pipeline cannot go under. Each round restores with 1, 2 and 4 insertion workers per collection
 * ({@code MongoTarget.insertionWorkersPerCollection}), interleaved.
 */
final class MongoBench {

    /** Insertion workers per collection compared in each round. */
    static final List<Integer> WORKERS = List.of(1, 2, 4);

    private MongoBench() {
    }

    private static String restoreLabel(int workers) {
        return "ours: restore into a new database, " + workers + " insertion worker" + (workers == 1 ? "" : "s");
    }

    static void run(SideBySideBenchmark b, int docs) throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        int port = RealisticInputs.freePort();
        server.bind("127.0.0.1", port);
        String uri = "mongodb://127.0.0.1:" + port;
        Path repo = Files.createDirectories(b.dir().resolve("repo-mongo"));
        Path archive = b.dir().resolve("mongo.archive");
        try (MongoClient client = MongoClients.create(uri)) {
            MongoCollection<BsonDocument> c = client.getDatabase("shop").getCollection("payments", BsonDocument.class);
            Random r = new Random(RealisticInputs.SEED);
            List<BsonDocument> batch = new ArrayList<>();
            for (int i = 0; i < docs; i++) {
                batch.add(RealisticInputs.paymentDocument(r, i));
                if (batch.size() == 1000) {
                    c.insertMany(batch);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                c.insertMany(batch);
            }
            try (BackupEngine engine = b.engine(repo, MongoSource.builder().name("mongo").connectionString(uri)
                    .databases("shop").build())) {
                List<String> rates = new ArrayList<>();
                for (int round = 1; round <= b.rounds(); round++) {
                    BackupResult backup = b.time("ours: backup (zstd 1 + age)", null, () -> engine.backup("mongo").run(), null);
                    for (int workers : WORKERS) {
                        String db = "restored" + round + "w" + workers;
                        RestoreResult restored = b.time(restoreLabel(workers), null, () -> engine.restore("mongo").id(backup.id())
                                .into(MongoTarget.database(db).on(uri).insertionWorkersPerCollection(workers)).run(), null);
                        if (!restored.checksPassed()) {
                            throw new IllegalStateException("our Mongo restore's checks failed: " + restored.checks());
                        }
                        client.getDatabase(db).drop();
                    }
                    if (round == 1) {
                        // the archive our backup stored, as plaintext: the input of the codec-only rows
                        try (InputStream in = Files.newInputStream(findStored(repo));
                             InputStream plain = Compression.zstd().decompress(((AgeEncryption) engineEncryption(b)).decrypt(in));
                             OutputStream o = Files.newOutputStream(archive)) {
                            plain.transferTo(o);
                        }
                    }
                    long plainBytes = backup.plaintextBytes();
                    SideBySideBenchmark.Sample bs = b.lastOf("ours: backup (zstd 1 + age)");
                    StringBuilder restores = new StringBuilder();
                    for (int workers : WORKERS) {
                        SideBySideBenchmark.Sample rs = b.lastOf(restoreLabel(workers));
                        restores.append(String.format("; restore, %d worker%s: %.1f MB/s, %.2f CPU s/GB", workers,
                                workers == 1 ? "" : "s", Machine.mbPerSec(plainBytes, rs.nanos()), rs.cpuSec() / (plainBytes / 1e9)));
                    }
                    byte[] data = Files.readAllBytes(archive);
                    b.time("codecs only: zstd 1 + age encrypt of the archive (one thread)", null, () -> {
                        try (OutputStream o = Compression.zstd().compress(engineEncryption(b).encrypt(OutputStream.nullOutputStream()))) {
                            o.write(data);
                        }
                    }, null);
                    SideBySideBenchmark.Sample cs = b.lastOf("codecs only: zstd 1 + age encrypt of the archive (one thread)");
                    rates.add(String.format("round %d (load %s): archive %,d bytes; backup %.1f MB/s, %.2f CPU s/GB%s;"
                                    + " codecs alone %.1f MB/s, %.2f CPU s/GB", round, bs.load(), plainBytes,
                            Machine.mbPerSec(plainBytes, bs.nanos()), bs.cpuSec() / (plainBytes / 1e9), restores,
                            Machine.mbPerSec(data.length, cs.nanos()), cs.cpuSec() / (data.length / 1e9)));
                }
                rates.forEach(b.out()::println);
                b.out().println();
                b.table("codecs only: zstd 1 + age encrypt of the archive (one thread)",
                        "codecs only: zstd 1 + age encrypt of the archive (one thread)");
            }
        } finally {
            server.shutdownNow();
            EndToEndBenchmark.deleteTree(repo);
            Files.deleteIfExists(archive);
        }
    }

    private static AgeEncryption engineEncryption(SideBySideBenchmark b) {
        return AgeEncryption.toRecipients(b.keys().recipient().encoded()).withIdentities(b.keys().identity());
    }

    private static Path findStored(Path repo) throws java.io.IOException {
        try (var s = Files.walk(repo)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".zst.age")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no stored archive under " + repo));
        }
    }
}
