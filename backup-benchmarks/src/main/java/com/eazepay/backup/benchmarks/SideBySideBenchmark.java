package com.eazepay.backup.benchmarks;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.Secret;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.postgres.PostgresSource;
import com.eazepay.backup.postgres.PostgresTarget;
import com.eazepay.backup.redis.RedisSource;
import com.eazepay.backup.redis.RedisTarget;
import com.eazepay.backup.storage.FileSystemStorage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our pipeline next to the stock tools, in one JVM run, on the same data, in interleaved rounds (round 1 runs
 * every variant once, then round 2, ...), so a change of machine load hits all variants alike. Prints one
 * Markdown table per part with the median and best wall time, the ratios of medians to the floor and to the
 * stock pipeline, CPU seconds (this JVM plus every child it reaped, i.e. pg_dump, zstd, age, bash) and the
 * server's CPU seconds, the output size and the load average before each round's run.
 *
 * <ul>
 *   <li><b>pg</b>: a throwaway Debian PostgreSQL 15 cluster (loopback TCP, SCRAM password, Unix socket in a
 *       private directory) with {@code --dataset=payments} ({@link RealisticInputs#paymentsSql}: random UUIDs,
 *       numeric amounts, jsonb, timestamps, hex references; {@code --rows}) or {@code --dataset=pgbench}
 *       ({@code pgbench -i -s --scale}). Backup: {@code pg_dump -Fc -Z0 > /dev/null} (the floor),
 *       {@code pg_dump -Fc -Z0 | zstd -1 -T2 | age -r} (stock), {@code pg_dump | gzip} (the usual cron
 *       script), ours ({@code engine.backup().run()}: default configuration, FileSystemStorage, age) and ours
 *       without row counts. Restore: {@code createdb + pg_restore} from a local {@code -Z0} file vs ours
 *       ({@code PostgresTarget.newDatabase}: decrypt, decompress, pg_restore, checks).</li>
 *   <li><b>redis</b>: a redis-server filled with {@code --redis-size} of sessions, hashes, counters and lists;
 *       {@code redis-cli --rdb} vs our capture (zstd + age); our live restore into a second redis-server
 *       (MB/s of RDB and keys/s).</li>
 *   <li><b>mongo</b> ({@link MongoBench}): a mongo-java-server in a JVM of its own ({@code --mongo-server=process},
 *       the default) or in this one ({@code --mongo-server=in-jvm}) on a loopback port with
 *       {@code --mongo-docs} payment documents. Backup: {@code mongodump --archive > /dev/null} (the floor),
 *       {@code mongodump --archive | zstd -1 -T2 | age -r} (stock), ours (zstd 1 + age). Restore:
 *       {@code mongorestore --archive} of a local file into an empty database vs ours with 1, 2 and 4 insertion
 *       workers per collection. The stock rows need mongodump/mongorestore ({@code --mongo-tools=DIR}, else
 *       {@code PATH}) and are skipped with a line saying so without them. The server's CPU (its threads) is
 *       reported apart from the client's.</li>
 * </ul>
 *
 * <pre>
 * java -cp backup-benchmarks/target/benchmarks.jar com.eazepay.backup.benchmarks.SideBySideBenchmark \
 *     --parts=pg,redis,mongo --dataset=payments --rows=1000000 --rounds=3 --dir=/tmp/sbs \
 *     [--mongo-tools=/opt/mongo-tools/bin] [--mongo-server=process|in-jvm]
 * </pre>
 */
public final class SideBySideBenchmark {

    private static final String PG_BIN = RealisticInputs.PG_BIN;

    /** One timed run. */
    record Sample(long nanos, double cpuSec, double serverCpuSec, long bytes, String load) {
    }

    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final PrintStream out = System.out;
    private final Path dir;
    private final int rounds;
    private final AgeKeys keys = AgeKeys.generate();

    private final Set<String> pgRuns;
    private final Path mongoTools;
    private final boolean mongoInJvm;

    private SideBySideBenchmark(Path dir, int rounds, Set<String> pgRuns, Path mongoTools, boolean mongoInJvm) {
        this.mongoInJvm = mongoInJvm;
        this.dir = dir;
        this.rounds = rounds;
        this.pgRuns = pgRuns;
        this.mongoTools = mongoTools;
    }

    /** See the class Javadoc. */
    public static void main(String[] args) throws Exception {
        List<String> parts = List.of("pg", "redis", "mongo");
        String dataset = "payments";
        long rows = 1_000_000;
        int scale = 50;
        int rounds = 3;
        long redisSize = 256L << 20;
        int mongoDocs = 200_000;
        Path dir = Path.of("target", "side-by-side");
        Set<String> pgRuns = Set.of("floor", "stock", "gzip", "ours", "nocount", "restore");
        Path mongoTools = null;
        boolean mongoInJvm = false;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("options are --name=value, got " + arg);
            }
            switch (kv[0]) {
                case "--parts" -> parts = List.of(kv[1].split(","));
                case "--dataset" -> dataset = kv[1];
                case "--rows" -> rows = Long.parseLong(kv[1]);
                case "--scale" -> scale = Integer.parseInt(kv[1]);
                case "--rounds" -> rounds = Integer.parseInt(kv[1]);
                case "--redis-size" -> redisSize = Machine.parseSize(kv[1]);
                case "--mongo-docs" -> mongoDocs = Integer.parseInt(kv[1]);
                case "--dir" -> dir = Path.of(kv[1]);
                case "--pg-runs" -> pgRuns = Set.of(kv[1].split(","));
                case "--mongo-tools" -> mongoTools = Path.of(kv[1]);
                case "--mongo-server" -> mongoInJvm = switch (kv[1]) {
                    case "process" -> false;
                    case "in-jvm" -> true;
                    default -> throw new IllegalArgumentException("--mongo-server is process or in-jvm, was " + kv[1]);
                };
                default -> throw new IllegalArgumentException("unknown option " + kv[0]
                        + "; known: --parts --dataset --rows --scale --rounds --redis-size --mongo-docs --dir --pg-runs --mongo-tools --mongo-server");
            }
        }
        if (!dataset.equals("payments") && !dataset.equals("pgbench")) {
            throw new IllegalArgumentException("--dataset is payments or pgbench, was " + dataset);
        }
        EndToEndBenchmark.deleteTree(dir);
        Files.createDirectories(dir);
        SideBySideBenchmark b = new SideBySideBenchmark(dir.toAbsolutePath(), rounds, pgRuns, mongoTools, mongoInJvm);
        b.out.printf("# Side by side, %d interleaved rounds; %s%n", rounds, Machine.describe());
        b.out.printf("load average at start: %s%n%n", Machine.loadAverage());
        for (String part : parts) {
            switch (part) {
                case "pg" -> b.postgres(dataset, rows, scale);
                case "redis" -> b.redis(redisSize);
                case "mongo" -> b.mongo(mongoDocs);
                default -> throw new IllegalArgumentException("unknown part " + part + ": pg, redis, mongo");
            }
        }
        b.out.printf("load average at end: %s%n", Machine.loadAverage());
        EndToEndBenchmark.deleteTree(dir);
    }

    // ---------------------------------------------------------------- PostgreSQL

    private void postgres(String dataset, long rows, int scale) throws Exception {
        samples.clear();
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try (PgCluster pg = PgCluster.start(dir, password)) {
            long t0 = System.nanoTime();
            if (dataset.equals("payments")) {
                pg.shell(PG_BIN + "/psql -X -q -v ON_ERROR_STOP=1 -f " + writeSql(RealisticInputs.paymentsSql(rows)));
            } else {
                pg.shell(PG_BIN + "/pgbench -q -i -s " + scale);
            }
            pg.shell(PG_BIN + "/psql -X -q -c 'vacuum analyze'");
            String what = dataset.equals("payments") ? String.format("%,d payments rows", rows) : "pgbench scale " + scale;
            out.printf("## PostgreSQL: %s (database %s, loaded in %.0f s)%n%n", what,
                    pg.shellOutput(PG_BIN + "/psql -X -At -c \"select pg_size_pretty(pg_database_size('postgres'))\"").trim(),
                    (System.nanoTime() - t0) / 1e9);
            Path dump = dir.resolve("stock.pgdump");
            pg.shell(PG_BIN + "/pg_dump -Fc -Z0 -f " + dump);
            String recipient = keys.recipient().encoded();
            Path stockOut = dir.resolve("stock.zst.age");
            Path gzOut = dir.resolve("stock.sql.gz");
            for (int round = 1; round <= rounds; round++) {
                if (pgRuns.contains("floor")) {
                    time("pg_dump -Fc -Z0 > /dev/null (floor)", pg, () -> pg.shell(PG_BIN + "/pg_dump -Fc -Z0 > /dev/null"), null);
                }
                if (pgRuns.contains("stock")) {
                    time("pg_dump -Fc -Z0 | zstd -1 -T2 | age (stock)", pg, () -> pg.shell(PG_BIN + "/pg_dump -Fc -Z0 | zstd -q -1 -T2 | age -r "
                            + recipient + " > " + stockOut), stockOut);
                }
                if (round == 1 && pgRuns.contains("gzip")) {
                    time("pg_dump | gzip (cron script, round 1 only)", pg, () -> pg.shell(PG_BIN + "/pg_dump | gzip > " + gzOut), gzOut);
                }
                Path repo = Files.createDirectories(dir.resolve("repo-pg"));
                try (BackupEngine engine = engine(repo, pg.source(false), pg.source(true))) {
                    BackupResult ours = time("ours: engine.backup().run(), default (zstd 1 + age)", pg,
                            () -> engine.backup("pg").run(), repo);
                    if (pgRuns.contains("nocount")) {
                        time("ours, skipRowCounts()", pg, () -> engine.backup("pg-nocount").run(), null);
                    }
                    if (!pgRuns.contains("restore")) {
                        continue;
                    }
                    String db = "r_stock_" + round;
                    String oursDb = "r_ours_" + round;
                    time("restore: createdb + pg_restore local -Z0 file (stock)", pg,
                            () -> pg.shell(PG_BIN + "/createdb " + db + " && " + PG_BIN + "/pg_restore -d " + db + " " + dump), null);
                    RestoreResult r = time("restore: ours (PostgresTarget.newDatabase, checks)", pg,
                            () -> engine.restore("pg").id(ours.id()).into(PostgresTarget.newDatabase(oursDb)
                                    .on(pg.jdbcUrl(), "postgres", Secret.of(password))).run(), null);
                    if (!r.checksPassed()) {
                        throw new IllegalStateException("our restore's checks failed: " + r.checks());
                    }
                    pg.shell(PG_BIN + "/dropdb " + db + " && " + PG_BIN + "/dropdb " + oursDb);
                } finally {
                    EndToEndBenchmark.deleteTree(repo);
                }
            }
            table("pg_dump -Fc -Z0 > /dev/null (floor)", "pg_dump -Fc -Z0 | zstd -1 -T2 | age (stock)");
        }
    }

    BackupEngine engine(Path repo, com.eazepay.backup.spi.BackupSource... sources) {
        var b = Backup.engine().repository(FileSystemStorage.at(repo))
                .encryption(AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity()));
        for (var s : sources) {
            b.source(s);
        }
        return b.build();
    }

    private Path writeSql(String sql) throws IOException {
        Path f = dir.resolve("load.sql");
        Files.writeString(f, sql);
        f.toFile().setReadable(true, false);
        return f;
    }

    /** A throwaway Debian PostgreSQL 15 cluster on loopback TCP with a SCRAM password. */
    static final class PgCluster implements AutoCloseable {
        final Path work;
        final Path data;
        final int port;
        final String password;
        final Path passfile;
        private boolean started;

        private PgCluster(Path work, int port, String password, Path passfile) {
            this.work = work;
            this.data = work.resolve("data");
            this.port = port;
            this.password = password;
            this.passfile = passfile;
        }

        static PgCluster start(Path dir, String password) throws IOException {
            Path work = Files.createTempDirectory("sbs-pg"); // under /tmp: the server runs as postgres
            Path pw = work.resolve("pw");
            Files.writeString(pw, password + "\n");
            Path passfile = Files.createTempFile(dir, "pgpass", "");
            Files.setPosixFilePermissions(passfile, PosixFilePermissions.fromString("rw-------"));
            int port = RealisticInputs.freePort();
            Files.writeString(passfile, "*:" + port + ":*:postgres:" + password + "\n");
            PgCluster c = new PgCluster(work, port, password, passfile);
            try {
                chown(work);
                chown(pw);
                asPostgres(List.of(PG_BIN + "/initdb", "-D", c.data.toString(), "-U", "postgres", "--auth=scram-sha-256",
                        "--pwfile=" + pw, "-E", "UTF8", "--locale=C", "--no-sync"));
                Files.delete(pw);
                asPostgres(List.of(PG_BIN + "/pg_ctl", "-D", c.data.toString(), "-w", "-l", work.resolve("log").toString(),
                        "-o", "-p " + port + " -k " + work + " -c listen_addresses=127.0.0.1 -c fsync=off"
                                + " -c synchronous_commit=off -c max_wal_size=4GB -c shared_buffers=256MB", "start"));
                c.started = true;
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        PostgresSource source(boolean noCount) {
            PostgresSource.Builder b = PostgresSource.builder().name(noCount ? "pg-nocount" : "pg").host("127.0.0.1")
                    .port(port).database("postgres").user("postgres").password(Secret.of(password));
            return (noCount ? b.skipRowCounts() : b).build();
        }

        /** CPU seconds of the postmaster and all its backends, running, exited or reaped. */
        double serverCpuSec() {
            try {
                String pid = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
                return ProcCpu.withChildren(pid);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Runs {@code bash -c command} with libpq's environment (host, port, user, password file): no secret in argv. */
        void shell(String command) throws IOException {
            run(command, false);
        }

        String shellOutput(String command) throws IOException {
            return run(command, true);
        }

        private String run(String command, boolean capture) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("bash", "-o", "pipefail", "-c", command);
            Map<String, String> env = pb.environment();
            env.put("PGHOST", "127.0.0.1");
            env.put("PGPORT", String.valueOf(port));
            env.put("PGUSER", "postgres");
            env.put("PGDATABASE", "postgres");
            env.put("PGPASSFILE", passfile.toString());
            env.remove("PGPASSWORD");
            Path err = Files.createTempFile("sbs", ".err");
            try {
                pb.redirectError(err.toFile());
                if (!capture) {
                    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                }
                Process p = pb.start();
                String output = capture ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
                int code = p.waitFor();
                if (code != 0) {
                    throw new IOException("'" + command + "' exited " + code + ": " + Files.readString(err));
                }
                return output;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                Files.deleteIfExists(err);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (started) {
                    asPostgres(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-w", "-m", "immediate", "stop"));
                }
            } finally {
                Files.deleteIfExists(passfile);
                RealisticInputs.deleteTree(work);
            }
        }

        private static void chown(Path p) throws IOException {
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
            }
        }

        private static void asPostgres(List<String> command) throws IOException {
            List<String> c = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                c.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            c.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(c).directory(Path.of("/tmp").toFile()).redirectErrorStream(true);
            Path log = Files.createTempFile("sbs-pgctl", ".log");
            try {
                Process p = pb.redirectOutput(log.toFile()).start();
                if (p.waitFor() != 0) {
                    throw new IOException(command.get(0) + " failed: " + Files.readString(log));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }

    // ---------------------------------------------------------------- Redis

    private void redis(long size) throws Exception {
        samples.clear();
        try (RedisServer source = RedisServer.start(dir.resolve("redis-a"));
             RedisServer target = RedisServer.start(dir.resolve("redis-b"))) {
            try (Socket s = RealisticInputs.connect(source.port)) {
                OutputStream o = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                InputStream in = s.getInputStream();
                long pending = RealisticInputs.fillRedis(o, in, size);
                o.flush();
                RealisticInputs.readReplies(in, pending);
            }
            long keys = Long.parseLong(source.cli("DBSIZE").trim());
            Path rdb = dir.resolve("stock.rdb");
            source.cli("--rdb", rdb.toString());
            out.printf("## Redis: %,d keys, RDB %,d bytes (%d MiB, LZF on)%n%n", keys, Files.size(rdb), Files.size(rdb) >> 20);
            Path repo = Files.createDirectories(dir.resolve("repo-redis"));
            try (BackupEngine engine = engine(repo, RedisSource.builder().name("cache").host("127.0.0.1").port(source.port).build())) {
                for (int round = 1; round <= rounds; round++) {
                    time("redis-cli --rdb file (stock)", source, () -> source.cli("--rdb", rdb.toString()), rdb);
                    BackupResult r = time("ours: capture, zstd 1 + age", source, () -> engine.backup("cache").run(), null);
                    target.cli("FLUSHALL");
                    RestoreResult restored = time("ours: live restore into an empty redis-server", target,
                            () -> engine.restore("cache").id(r.id()).into(RedisTarget.server("127.0.0.1", target.port)).run(), null);
                    if (!restored.checksPassed()) {
                        throw new IllegalStateException("our Redis restore's checks failed: " + restored.checks());
                    }
                    Sample last = lastOf("ours: live restore into an empty redis-server");
                    out.printf("round %d: live restore %.1f MB/s of RDB, %,.0f keys/s (load %s)%n", round,
                            Machine.mbPerSec(r.plaintextBytes(), last.nanos), keys / (last.nanos / 1e9), last.load);
                }
            } finally {
                EndToEndBenchmark.deleteTree(repo);
            }
            out.println();
            table("redis-cli --rdb file (stock)", "redis-cli --rdb file (stock)");
        }
    }

    /** A redis-server on loopback and a free port, no persistence. */
    static final class RedisServer implements AutoCloseable {
        final int port;
        final Process process;
        final Path work;

        private RedisServer(int port, Process process, Path work) {
            this.port = port;
            this.process = process;
            this.work = work;
        }

        static RedisServer start(Path work) throws IOException {
            Files.createDirectories(work);
            int port = RealisticInputs.freePort();
            Process p = new ProcessBuilder("/usr/bin/redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--dir", work.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                    // the default 5 s wait for more replicas before a diskless sync would dominate both tools
                    "--repl-diskless-sync-delay", "0")
                    .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
            RealisticInputs.connect(port).close();
            return new RedisServer(port, p, work);
        }

        String cli(String... args) throws IOException {
            List<String> c = new ArrayList<>(List.of("/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
            c.addAll(List.of(args));
            Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (p.waitFor() != 0) {
                    throw new IOException("redis-cli " + String.join(" ", args) + " failed: " + output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return output;
        }

        /** CPU seconds of the server and its fork children (BGSAVE, replication RDB), running or reaped. */
        double serverCpuSec() {
            return ProcCpu.withChildren(String.valueOf(process.pid()));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RealisticInputs.deleteTree(work);
        }
    }

    // ---------------------------------------------------------------- MongoDB

    private void mongo(int docs) throws Exception {
        samples.clear();
        MongoBench.run(this, docs, mongoTools, mongoInJvm);
    }

    // ---------------------------------------------------------------- measuring

    @FunctionalInterface
    interface Step<T> {
        T run() throws Exception;
    }

    /** Something whose CPU time is measured next to the client's. */
    interface Server {
        double serverCpuSec();

        /** True if the server runs in this JVM: its CPU is then taken out of the client column. */
        default boolean inThisJvm() {
            return false;
        }
    }

    <T> T time(String what, Object server, Step<T> step, Path output) throws Exception {
        String load = Machine.loadAverage().split(" ")[0];
        double cpu0 = ProcCpu.self();
        double s0 = serverCpu(server);
        long t0 = System.nanoTime();
        T value = step.run();
        long nanos = System.nanoTime() - t0;
        double cpu = ProcCpu.self() - cpu0;
        double s = serverCpu(server) - s0;
        if (server instanceof Server sv && sv.inThisJvm()) {
            cpu -= s;
        }
        long bytes = output == null ? -1 : sizeOf(output);
        if (value instanceof BackupResult br) {
            bytes = br.storedBytes();
        }
        samples.computeIfAbsent(what, k -> new ArrayList<>()).add(new Sample(nanos, cpu, s, bytes, load));
        return value;
    }

    /** Same, where the step returns nothing. */
    void time(String what, Object server, IoRunnable step, Path output) throws Exception {
        time(what, server, () -> {
            step.run();
            return null;
        }, output);
    }

    @FunctionalInterface
    interface IoRunnable {
        void run() throws Exception;
    }

    private static double serverCpu(Object server) {
        if (server instanceof PgCluster pg) {
            return pg.serverCpuSec();
        } else if (server instanceof RedisServer r) {
            return r.serverCpuSec();
        } else if (server instanceof Server s) {
            return s.serverCpuSec();
        }
        return 0;
    }

    private static long sizeOf(Path p) throws IOException {
        if (Files.isRegularFile(p)) {
            return Files.size(p);
        }
        try (var s = Files.walk(p)) {
            long n = 0;
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                n += Files.size(f);
            }
            return n;
        }
    }

    Sample lastOf(String what) {
        List<Sample> l = samples.get(what);
        return l.get(l.size() - 1);
    }

    void replaceLast(String what, Sample s) {
        List<Sample> l = samples.get(what);
        l.set(l.size() - 1, s);
    }

    void record(String what, Sample s) {
        samples.computeIfAbsent(what, k -> new ArrayList<>()).add(s);
    }

    PrintStream out() {
        return out;
    }

    int rounds() {
        return rounds;
    }

    Path dir() {
        return dir;
    }

    AgeKeys keys() {
        return keys;
    }

    static long median(List<Long> v) {
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    void table(String floor, String stock) {
        table(floor, stock, label -> true);
    }

    /** The rows whose label passes {@code rows}; a null or absent floor or stock prints "–" for that ratio. */
    void table(String floor, String stock, java.util.function.Predicate<String> rows) {
        long floorMed = floor != null && samples.containsKey(floor) ? median(samples.get(floor).stream().map(Sample::nanos).toList()) : -1;
        long stockMed = stock != null && samples.containsKey(stock) ? median(samples.get(stock).stream().map(Sample::nanos).toList()) : -1;
        out.println("| run | n | median s | best s | × floor | × stock | CPU s (client, median) | server CPU s (median) | output MB | load (1 min) per round |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
            if (!rows.test(e.getKey())) {
                continue;
            }
            List<Sample> l = e.getValue();
            long med = median(l.stream().map(Sample::nanos).toList());
            long best = l.stream().mapToLong(Sample::nanos).min().orElse(0);
            double cpu = median(l.stream().map(x -> Math.round(x.cpuSec() * 1000)).toList()) / 1000.0;
            double scpu = median(l.stream().map(x -> Math.round(x.serverCpuSec() * 1000)).toList()) / 1000.0;
            long bytes = l.get(l.size() - 1).bytes();
            out.printf("| %s | %d | %.2f | %.2f | %s | %s | %.2f | %.2f | %s | %s |%n", e.getKey(), l.size(), med / 1e9, best / 1e9,
                    floorMed > 0 ? String.format("%.2f", (double) med / floorMed) : "–",
                    stockMed > 0 ? String.format("%.2f", (double) med / stockMed) : "–", cpu, scpu,
                    bytes < 0 ? "–" : String.format("%.1f", bytes / 1e6),
                    String.join(", ", l.stream().map(Sample::load).toList()));
        }
        out.println();
        out.flush();
    }

    /** CPU time from {@code /proc}: utime + stime, plus cutime + cstime (children already reaped). */
    static final class ProcCpu {
        private static final double TICKS = 100.0; // USER_HZ on Linux

        private ProcCpu() {
        }

        /** This JVM's CPU seconds including every child process it (transitively) reaped. */
        static double self() {
            return ofPid("self", true);
        }

        /**
         * {@code pid}'s CPU seconds, those of the children it reaped, and those of its children still in
         * {@code /proc} (running, or exited and not yet reaped: a zombie keeps its times until then).
         */
        static double withChildren(String pid) {
            double t = ofPid(pid, true);
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(x -> x.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        if (f[1].equals(pid)) { // ppid
                            t += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
                        }
                    } catch (IOException | RuntimeException gone) {
                        // the process ended while we looked: its time is in the parent's reaped total
                    }
                }
            } catch (IOException e) {
                return Double.NaN;
            }
            return t;
        }

        static double ofPid(String pid, boolean children) {
            try {
                String stat = Files.readString(Path.of("/proc", pid, "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields after "(comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
                long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                if (children) {
                    t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
                return t / TICKS;
            } catch (IOException e) {
                return Double.NaN;
            }
        }
    }
}
