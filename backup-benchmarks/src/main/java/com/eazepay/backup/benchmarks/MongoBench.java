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

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The MongoDB part of {@link SideBySideBenchmark}: a mongo-java-server inside this JVM on a loopback port,
 * filled with {@code docs} payment documents, and per round, interleaved: {@code mongodump --archive > /dev/null}
 * (the floor), {@code mongodump --archive | zstd -1 -T2 | age -r} (stock, our codec), our backup (zstd 1 + age),
 * {@code mongorestore --archive} of a local uncompressed archive into an empty database (stock restore), our
 * restore into an empty database with 1, 2 and 4 insertion workers per collection, and our codecs alone over
 * the archive bytes. The stock rows run only when {@code mongodump} and {@code mongorestore} are found
 * ({@code --mongo-tools=DIR}, else {@code PATH}); without them they are skipped with a line saying so.
 *
 * <p>The server shares this JVM with our client, while mongodump is a separate process. Its CPU is measured
 * apart: the CPU time of its netty threads ({@code mongo-server-*}) is the <i>server CPU</i> column and is taken
 * out of the client column (which is the rest of this JVM, GC and JIT included, plus reaped children:
 * mongodump, mongorestore, zstd, age, bash).
 */
final class MongoBench {

    /** Insertion workers per collection compared in each round. */
    static final List<Integer> WORKERS = List.of(1, 2, 4);

    static final String FLOOR = "mongodump --archive > /dev/null (floor)";
    static final String STOCK = "mongodump --archive | zstd -1 -T2 | age (stock)";
    static final String OURS = "ours: backup (zstd 1 + age)";
    static final String STOCK_RESTORE = "restore: mongorestore --archive of a local file (stock)";
    static final String CODECS = "codecs only: zstd 1 + age encrypt of the archive (one thread)";

    private MongoBench() {
    }

    static String restoreLabel(int workers) {
        return "ours: restore into a new database, " + workers + " insertion worker" + (workers == 1 ? "" : "s");
    }

    /**
     * The directory holding executable {@code mongodump} and {@code mongorestore}: {@code dir} if given (an
     * error if they are not there), else the first {@code PATH} entry with both, else empty.
     */
    static Optional<Path> findTools(Path dir) {
        if (dir != null) {
            if (!hasTools(dir)) {
                throw new IllegalArgumentException("--mongo-tools=" + dir + " has no executable mongodump and mongorestore");
            }
            return Optional.of(dir.toAbsolutePath());
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String p : path.split(File.pathSeparator)) {
            if (!p.isEmpty() && hasTools(Path.of(p))) {
                return Optional.of(Path.of(p).toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    private static boolean hasTools(Path dir) {
        return Files.isExecutable(dir.resolve("mongodump")) && Files.isExecutable(dir.resolve("mongorestore"));
    }

    /** The in-JVM server's CPU: its netty threads' CPU time (they decode, execute and encode every command). */
    static final class InJvmServer implements SideBySideBenchmark.Server {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        @Override
        public double serverCpuSec() {
            long ns = 0;
            for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (t != null && t.getThreadName().startsWith("mongo-server")) {
                    long c = threads.getThreadCpuTime(t.getThreadId());
                    if (c > 0) {
                        ns += c;
                    }
                }
            }
            return ns / 1e9;
        }

        @Override
        public boolean inThisJvm() {
            return true;
        }
    }

    static void run(SideBySideBenchmark b, int docs, Path toolsDir) throws Exception {
        Optional<Path> tools = findTools(toolsDir);
        MongoServer server = new MongoServer(new MemoryBackend());
        int port = RealisticInputs.freePort();
        server.bind("127.0.0.1", port);
        InJvmServer serverCpu = new InJvmServer();
        String uri = "mongodb://127.0.0.1:" + port;
        Path repo = Files.createDirectories(b.dir().resolve("repo-mongo"));
        Path archive = b.dir().resolve("mongo.archive");
        Path stockArchive = b.dir().resolve("stock.mongo.archive");
        Path stockOut = b.dir().resolve("stock.mongo.zst.age");
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
            String dump = null;
            String restore = null;
            if (tools.isPresent()) {
                dump = tools.get().resolve("mongodump") + " --quiet --uri=" + uri + " --db=shop --archive";
                restore = tools.get().resolve("mongorestore") + " --quiet --uri=" + uri + " --archive=" + stockArchive;
                // the local file mongorestore reads: made once, outside the timed runs
                sh(dump + "=" + stockArchive);
                b.out().printf("## MongoDB: %,d payment documents; mongodump/mongorestore %s (%s) against mongo-java-server"
                                + " in this JVM, loopback port; stock archive %,d bytes%n%n", docs,
                        toolVersion(tools.get().resolve("mongodump")), tools.get(), Files.size(stockArchive));
            } else {
                b.out().printf("## MongoDB: %,d payment documents; no mongodump/mongorestore on this machine (PATH, --mongo-tools):"
                        + " stock rows skipped; ours against mongo-java-server in this JVM%n%n", docs);
            }
            String recipient = b.keys().recipient().encoded();
            try (BackupEngine engine = b.engine(repo, MongoSource.builder().name("mongo").connectionString(uri)
                    .databases("shop").build())) {
                List<String> rates = new ArrayList<>();
                for (int round = 1; round <= b.rounds(); round++) {
                    if (dump != null) {
                        String d = dump;
                        b.time(FLOOR, serverCpu, () -> sh(d + " > /dev/null"), null);
                        b.time(STOCK, serverCpu, () -> sh(d + " | zstd -q -1 -T2 | age -r " + recipient + " > " + stockOut), stockOut);
                    }
                    BackupResult backup = b.time(OURS, serverCpu, () -> engine.backup("mongo").run(), null);
                    if (restore != null) {
                        String db = "stock" + round;
                        String rs = restore;
                        b.time(STOCK_RESTORE, serverCpu, () -> sh(rs + " --nsFrom='shop.*' --nsTo='" + db + ".*'"), null);
                        long n = client.getDatabase(db).getCollection("payments").countDocuments();
                        if (n != docs) {
                            throw new IllegalStateException("mongorestore restored " + n + " documents of " + docs);
                        }
                        client.getDatabase(db).drop();
                    }
                    for (int workers : WORKERS) {
                        String db = "restored" + round + "w" + workers;
                        RestoreResult restored = b.time(restoreLabel(workers), serverCpu, () -> engine.restore("mongo").id(backup.id())
                                .into(MongoTarget.database(db).on(uri).insertionWorkersPerCollection(workers)).run(), null);
                        if (!restored.checksPassed()) {
                            throw new IllegalStateException("our Mongo restore's checks failed: " + restored.checks());
                        }
                        client.getDatabase(db).drop();
                    }
                    if (round == 1) {
                        // the archive our backup stored, as plaintext: the input of the codec-only rows
                        try (InputStream in = Files.newInputStream(findStored(repo));
                             InputStream plain = Compression.zstd().decompress(engineEncryption(b).decrypt(in));
                             OutputStream o = Files.newOutputStream(archive)) {
                            plain.transferTo(o);
                        }
                    }
                    long plainBytes = backup.plaintextBytes();
                    SideBySideBenchmark.Sample bs = b.lastOf(OURS);
                    StringBuilder line = new StringBuilder(String.format("round %d (load %s): archive %,d bytes;", round,
                            bs.load(), plainBytes));
                    if (dump != null) {
                        SideBySideBenchmark.Sample fs = b.lastOf(FLOOR);
                        SideBySideBenchmark.Sample ss = b.lastOf(STOCK);
                        SideBySideBenchmark.Sample rs = b.lastOf(STOCK_RESTORE);
                        line.append(String.format(" mongodump %.1f MB/s, stock pipeline %.1f MB/s, mongorestore %.1f MB/s;",
                                Machine.mbPerSec(plainBytes, fs.nanos()), Machine.mbPerSec(plainBytes, ss.nanos()),
                                Machine.mbPerSec(plainBytes, rs.nanos())));
                    }
                    line.append(String.format(" ours: backup %.1f MB/s", Machine.mbPerSec(plainBytes, bs.nanos())));
                    for (int workers : WORKERS) {
                        SideBySideBenchmark.Sample rs = b.lastOf(restoreLabel(workers));
                        line.append(String.format(", restore %d worker%s %.1f MB/s", workers, workers == 1 ? "" : "s",
                                Machine.mbPerSec(plainBytes, rs.nanos())));
                    }
                    byte[] data = Files.readAllBytes(archive);
                    b.time(CODECS, null, () -> {
                        try (OutputStream o = Compression.zstd().compress(engineEncryption(b).encrypt(OutputStream.nullOutputStream()))) {
                            o.write(data);
                        }
                    }, null);
                    SideBySideBenchmark.Sample cs = b.lastOf(CODECS);
                    line.append(String.format("; codecs alone %.1f MB/s", Machine.mbPerSec(data.length, cs.nanos())));
                    rates.add(line.toString());
                }
                rates.forEach(b.out()::println);
                b.out().println();
                b.out().println("Backup (× floor: mongodump --archive > /dev/null; × stock: the same | zstd -1 -T2 | age):");
                b.out().println();
                b.table(FLOOR, STOCK, label -> !label.contains("restore"));
                b.out().println("Restore (× stock: mongorestore --archive of a local uncompressed file):");
                b.out().println();
                b.table(null, STOCK_RESTORE, label -> label.contains("restore"));
            }
        } finally {
            server.shutdownNow();
            EndToEndBenchmark.deleteTree(repo);
            Files.deleteIfExists(archive);
            Files.deleteIfExists(stockArchive);
            Files.deleteIfExists(stockOut);
        }
    }

    private static String toolVersion(Path tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool.toString(), "--version").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        String first = text.lines().findFirst().orElse("");
        return first.substring(first.lastIndexOf(' ') + 1);
    }

    /** Runs {@code command} with {@code bash -o pipefail}; a non-zero exit throws with the command's stderr. */
    static void sh(String command) throws IOException {
        Path err = Files.createTempFile("sbs-mongo", ".err");
        try {
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            int code = p.waitFor();
            if (code != 0) {
                throw new IOException("'" + command + "' exited " + code + ": " + Files.readString(err));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static AgeEncryption engineEncryption(SideBySideBenchmark b) {
        return AgeEncryption.toRecipients(b.keys().recipient().encoded()).withIdentities(b.keys().identity());
    }

    private static Path findStored(Path repo) throws IOException {
        try (var s = Files.walk(repo)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".zst.age")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no stored archive under " + repo));
        }
    }
}
