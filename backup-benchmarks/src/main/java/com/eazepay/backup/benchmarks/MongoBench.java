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
 * the archive bytes. The server runs in a JVM of its own by default, as a {@code mongod} would, or in this JVM
 * ({@code --mongo-server=in-jvm}). The stock rows run only when {@code mongodump} and {@code mongorestore} are found
 * ({@code --mongo-tools=DIR}, else {@code PATH}); without them they are skipped with a line saying so.
 *
 * <p>The server's CPU is the <i>server CPU</i> column: its process's, or, in this JVM, its netty threads'
 * ({@code mongo-server-*}), then taken out of the client column (this JVM, GC and JIT included, plus reaped
 * children: mongodump, mongorestore, zstd, age, bash). In this JVM the GC of the server's garbage (three
 * quarters of all allocation) is charged to, and pauses, the client: hence the separate process by default.
 */
final class MongoBench {

    /** Insertion workers per collection compared in each round. */
    static final List<Integer> WORKERS = List.of(1, 2, 4);

    static final String FLOOR = "mongodump --archive > /dev/null (floor)";
    static final String STOCK = "mongodump --archive | zstd -1 -T2 | age (stock)";
    static final String OURS = "ours: backup (zstd 1 + age)";
    static final String STOCK_RESTORE = "restore: mongorestore --archive of a local file (stock)";
    static final String COUNT_CHECK = "restore check alone: countDocuments of the restored collection (in ours, not in mongorestore)";
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

    /** The server the runs talk to, on a loopback port. */
    interface Host extends SideBySideBenchmark.Server, AutoCloseable {
        String uri();

        /** What the printed heading says about it. */
        String describe();

        /** Before each timed run: a full GC in the server, so the last run's garbage is not the next one's cost. */
        void settle() throws IOException;

        @Override
        void close() throws IOException;
    }

    /**
     * mongo-java-server in a JVM of its own ({@link MongoServerMain}), the default: like a {@code mongod}, its
     * CPU (GC included) is its process's, and its garbage is not collected by the client's JVM.
     */
    static final class ProcessServer implements Host {
        private final Process process;
        private final int port;
        private final java.io.BufferedReader out;
        private final java.io.Writer in;

        private ProcessServer(Process process, int port, java.io.BufferedReader out) {
            this.process = process;
            this.port = port;
            this.out = out;
            this.in = new java.io.OutputStreamWriter(process.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void settle() throws IOException {
            in.write("gc\n");
            in.flush();
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("gc done"));
            if (line == null) {
                throw new IOException("the mongo-java-server process ended");
            }
        }

        static ProcessServer start(Path log) throws IOException {
            int port = RealisticInputs.freePort();
            String javaCmd = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(javaCmd, "-Xmx1g", "-XX:+UseG1GC",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=off"));
            String extra = System.getenv("MONGO_SERVER_JAVA_OPTS"); // e.g. -XX:StartFlightRecording=filename=server.jfr
            if (extra != null && !extra.isBlank()) {
                command.addAll(List.of(extra.trim().split("\\s+")));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), MongoServerMain.class.getName(), String.valueOf(port)));
            Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
            // JVM options (JFR) may print first: wait for the line saying it listens, or the end of its output
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            String line;
            do {
                line = lines.readLine();
            } while (line != null && !line.equals("ready"));
            if (line == null) {
                p.destroyForcibly();
                throw new IOException("the mongo-java-server process did not start: " + Files.readString(log));
            }
            return new ProcessServer(p, port, lines);
        }

        @Override
        public String uri() {
            return "mongodb://127.0.0.1:" + port;
        }

        @Override
        public String describe() {
            String extra = System.getenv("MONGO_SERVER_JAVA_OPTS");
            return "mongo-java-server 1.47 in a JVM of its own (-Xmx1g, G1" + (extra == null || extra.isBlank() ? "" : ", then "
                    + extra.trim()) + ")";
        }

        @Override
        public double serverCpuSec() {
            return SideBySideBenchmark.ProcCpu.withChildren(String.valueOf(process.pid()));
        }

        @Override
        public void close() throws IOException {
            process.getOutputStream().close();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /**
     * mongo-java-server in this JVM ({@code --mongo-server=in-jvm}); its CPU is its netty threads' CPU time
     * (they decode, execute and encode every command), taken out of the client column, but the GC of its
     * garbage and its pauses are this JVM's.
     */
    static final class InJvmServer implements Host {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final MongoServer server = new MongoServer(new MemoryBackend());
        private final int port;

        InJvmServer() throws IOException {
            port = RealisticInputs.freePort();
            server.bind("127.0.0.1", port);
        }

        @Override
        public String uri() {
            return "mongodb://127.0.0.1:" + port;
        }

        @Override
        public String describe() {
            return "mongo-java-server 1.47 in this JVM";
        }

        @Override
        public void settle() {
            System.gc(); // this JVM's, the server's garbage with the client's
        }

        @Override
        public void close() {
            server.shutdownNow();
        }

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

    /**
     * Where each run's CPU went (medians over the rounds), from {@code /proc/self}: the child processes it reaped
     * (mongodump, mongorestore, zstd, age, bash), this JVM's own GC and JIT threads (which also collect the
     * in-process server's garbage, in the stock runs too), the server (its process, or its threads in this JVM),
     * and the rest of this JVM (our client: source, codecs, driver, insertion workers).
     */
    static final class CpuSplit {
        private final SideBySideBenchmark b;
        private final java.util.Map<String, List<double[]>> split = new java.util.LinkedHashMap<>();

        CpuSplit(SideBySideBenchmark b) {
            this.b = b;
        }

        <T> T time(String what, Host server, SideBySideBenchmark.Step<T> step) throws Exception {
            server.settle();
            if (!server.inThisJvm()) {
                System.gc(); // ours too: the last run's garbage is not the next run's cost
            }
            double children0 = childrenCpu();
            double vm0 = vmThreadsCpu();
            T value = b.time(what, server, step, null);
            double children = childrenCpu() - children0;
            double vm = vmThreadsCpu() - vm0;
            SideBySideBenchmark.Sample s = b.lastOf(what);
            split.computeIfAbsent(what, k -> new ArrayList<>())
                    .add(new double[] {children, vm, s.serverCpuSec(), s.cpuSec() - children - vm});
            return value;
        }

        void time(String what, Host server, SideBySideBenchmark.IoRunnable step, Path output) throws Exception {
            time(what, server, () -> {
                step.run();
                return null;
            });
            if (output != null) {
                SideBySideBenchmark.Sample s = b.lastOf(what);
                b.replaceLast(what, new SideBySideBenchmark.Sample(s.nanos(), s.cpuSec(), s.serverCpuSec(), Files.size(output), s.load()));
            }
        }

        void print(java.io.PrintStream out) {
            out.println("CPU seconds per run, split (medians): child processes | this JVM's GC + JIT threads | the server"
                    + " (its process, or its threads when in this JVM) | the rest of this JVM (our client; 10 ms ticks)");
            out.println();
            out.println("| run | children | JVM GC + JIT | server | our client threads | total |");
            out.println("|---|---:|---:|---:|---:|---:|");
            for (var e : split.entrySet()) {
                double[] m = new double[4];
                for (int i = 0; i < 4; i++) {
                    int k = i;
                    m[i] = Math.max(0, SideBySideBenchmark.median(e.getValue().stream().map(v -> Math.round(v[k] * 1000)).toList()) / 1000.0);
                }
                out.printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |%n", e.getKey(), m[0], m[1], m[2], m[3], m[0] + m[1] + m[2] + m[3]);
            }
            out.println();
        }

        /** CPU seconds of the children this JVM reaped (cutime + cstime). */
        static double childrenCpu() {
            return SideBySideBenchmark.ProcCpu.ofPid("self", true) - SideBySideBenchmark.ProcCpu.ofPid("self", false);
        }

        /** CPU seconds of this JVM's GC, JIT and VM threads (by their names in /proc/self/task). */
        static double vmThreadsCpu() {
            double t = 0;
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM ")
                                || comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                            t += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended while we looked
                    }
                }
            } catch (IOException e) {
                return Double.NaN;
            }
            return t;
        }
    }

    static void run(SideBySideBenchmark b, int docs, Path toolsDir, boolean inJvm) throws Exception {
        Optional<Path> tools = findTools(toolsDir);
        Path serverLog = b.dir().resolve("mongo-server.log");
        Host serverCpu = inJvm ? new InJvmServer() : ProcessServer.start(serverLog);
        CpuSplit cpu = new CpuSplit(b);
        String uri = serverCpu.uri();
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
                // the local file mongorestore reads: made once, outside the timed runs (not quiet: errors say why)
                sh(dump.replace(" --quiet", "") + "=" + stockArchive);
                b.out().printf("## MongoDB: %,d payment documents; mongodump/mongorestore %s (%s) against %s,"
                                + " loopback port; stock archive %,d bytes%n%n", docs,
                        toolVersion(tools.get().resolve("mongodump")), tools.get(), serverCpu.describe(), Files.size(stockArchive));
            } else {
                b.out().printf("## MongoDB: %,d payment documents; no mongodump/mongorestore on this machine (PATH, --mongo-tools):"
                        + " stock rows skipped; ours against %s%n%n", docs, serverCpu.describe());
            }
            String recipient = b.keys().recipient().encoded();
            try (BackupEngine engine = b.engine(repo, MongoSource.builder().name("mongo").connectionString(uri)
                    .databases("shop").build())) {
                List<String> rates = new ArrayList<>();
                for (int round = 1; round <= b.rounds(); round++) {
                    if (dump != null) {
                        String d = dump;
                        cpu.time(FLOOR, serverCpu, () -> sh(d + " > /dev/null"), null);
                        cpu.time(STOCK, serverCpu, () -> sh(d + " | zstd -q -1 -T2 | age -r " + recipient + " > " + stockOut), stockOut);
                    }
                    BackupResult backup = cpu.time(OURS, serverCpu, () -> engine.backup("mongo").run());
                    if (restore != null) {
                        String db = "stock" + round;
                        String rs = restore;
                        cpu.time(STOCK_RESTORE, serverCpu, () -> sh(rs + " --nsFrom='shop.*' --nsTo='" + db + ".*'"), null);
                        // the count our restore's checks make (ours includes it, mongorestore does not): timed apart
                        long n = cpu.time(COUNT_CHECK, serverCpu, () -> client.getDatabase(db).getCollection("payments").countDocuments());
                        if (n != docs) {
                            throw new IllegalStateException("mongorestore restored " + n + " documents of " + docs);
                        }
                        client.getDatabase(db).drop();
                    }
                    for (int workers : WORKERS) {
                        String db = "restored" + round + "w" + workers;
                        RestoreResult restored = cpu.time(restoreLabel(workers), serverCpu, () -> engine.restore("mongo").id(backup.id())
                                .into(MongoTarget.database(db).on(uri).insertionWorkersPerCollection(workers)).run());
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
                cpu.print(b.out());
            }
        } finally {
            serverCpu.close();
            Files.deleteIfExists(serverLog);
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
