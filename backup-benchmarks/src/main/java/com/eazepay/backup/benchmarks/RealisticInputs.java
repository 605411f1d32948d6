package com.eazepay.backup.benchmarks;

import com.eazepay.backup.mongo.internal.ArchiveHeader;
import com.eazepay.backup.mongo.internal.ArchiveWriter;
import com.eazepay.backup.mongo.internal.CollectionMetadata;
import org.bson.BsonBinary;
import org.bson.UuidRepresentation;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Produces the four kinds of backup payload the library stores, from real tools where the machine has
 * them, with payments-like content (random ids, amounts, currency codes, JSON metadata, references,
 * timestamps), deterministic where the tool allows a seed:
 *
 * <ul>
 *   <li>{@link #postgresDump}: {@code pg_dump -Fc -Z0} of a {@code payments} table loaded with
 *       {@code generate_series} into a throwaway Debian PostgreSQL 15 cluster (Unix socket only);</li>
 *   <li>{@link #mongoArchive}: a mongodump {@code --archive} (uncompressed) written by the project's own
 *       {@link ArchiveWriter} with payment documents as BSON (ObjectId, UUID binary, Decimal128, dates,
 *       nested metadata);</li>
 *   <li>{@link #redisRdb}: the {@code dump.rdb} a real {@code redis-server} writes on {@code SAVE} (its
 *       default {@code rdbcompression yes}, i.e. LZF on long strings) after being filled over RESP with
 *       sessions (JSON with TTL), user hashes, rate counters and recent-payment lists;</li>
 *   <li>{@link #configTar}: {@code tar} of the machine's {@code /etc} plus a generated application
 *       config directory (openssl PEM certificates and keys, YAML, properties, {@code .env}).</li>
 * </ul>
 */
final class RealisticInputs {

    static final String PG_BIN = "/usr/lib/postgresql/15/bin";
    static final long SEED = 20261202L;
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "NGN", "KES", "GHS", "ZAR", "CHF", "SEK", "JPY"};
    private static final String[] STATUSES = {"captured", "captured", "captured", "authorized", "refunded", "failed"};
    private static final String[] METHODS = {"card", "card", "sepa_debit", "mobile_money", "bank_transfer"};
    private static final String[] COUNTRIES = {"DE", "FR", "NG", "KE", "GH", "ZA", "GB", "US", "NL", "SE"};

    private RealisticInputs() {
    }

    // ---------------------------------------------------------------- PostgreSQL

    /** {@code pg_dump -Fc -Z0} of about {@code target} bytes of payments rows; returns the dump file. */
    static Path postgresDump(Path dir, long target) throws IOException {
        long rows = Math.max(1000, target / 330);
        // under /tmp, not dir: the server runs as postgres and must reach its data directory
        Path work = Files.createTempDirectory("bench-pg");
        Path data = work.resolve("data");
        Path socket = Files.createDirectories(work.resolve("sock"));
        chownToPostgres(work);
        chownToPostgres(socket);
        int port = freePort();
        boolean started = false;
        try {
            // trust on the Unix socket only (no TCP listener), in a directory only postgres can enter
            asPostgres(List.of(PG_BIN + "/initdb", "-D", data.toString(), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"));
            asPostgres(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-w", "-l", work.resolve("log").toString(),
                    "-o", "-p " + port + " -k " + socket + " -c listen_addresses='' -c fsync=off"
                            + " -c synchronous_commit=off -c max_wal_size=4GB", "start"));
            started = true;
            String sql = paymentsSql(rows);
            run(List.of("/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socket.toString(),
                    "-p", String.valueOf(port), "-U", "postgres", "-d", "postgres", "-c", sql), null);
            Path dump = dir.resolve("payments.pgdump");
            run(List.of("/usr/bin/pg_dump", "-Fc", "-Z0", "-h", socket.toString(), "-p", String.valueOf(port),
                    "-U", "postgres", "-f", dump.toString(), "postgres"), null);
            return dump;
        } finally {
            if (started) {
                asPostgres(List.of(PG_BIN + "/pg_ctl", "-D", data.toString(), "-w", "-m", "immediate", "stop"));
            }
            deleteTree(work);
        }
    }

    /**
     * SQL that creates and fills {@code merchants} (5,000 rows) and {@code payments} ({@code rows} rows: random
     * UUIDs, long-tailed numeric amounts, currency, status, method, country, hex reference, two timestamptz,
     * jsonb metadata) with {@code generate_series}, seeded, plus an index on (merchant_id, created_at).
     */
    static String paymentsSql(long rows) {
        return String.join("\n",
                "select setseed(0.4242);",
                "create table merchants(id bigint primary key, name text not null, country char(2) not null,"
                        + " created_at timestamptz not null);",
                "insert into merchants select g, 'Merchant ' || g || ' ' || substr(md5(random()::text), 1, 8),",
                "  (array['DE','FR','NG','KE','GH','ZA','GB','US','NL','SE'])[1 + floor(random() * 10)::int],",
                "  timestamptz '2023-01-01 00:00:00+00' + random() * interval '700 days'",
                "  from generate_series(1, 5000) g;",
                "create table payments(id uuid primary key, merchant_id bigint not null references merchants,",
                "  customer_id uuid not null, amount numeric(14,2) not null, currency char(3) not null,",
                "  status text not null, method text not null, country char(2) not null,",
                "  reference text not null, created_at timestamptz not null, updated_at timestamptz not null,",
                "  metadata jsonb not null);",
                "insert into payments select md5(random()::text || g)::uuid, 1 + floor(random() * 5000)::bigint,",
                "  md5(random()::text)::uuid, round((exp(random() * 9) - 1)::numeric + 0.5, 2),",
                "  (array['EUR','USD','GBP','NGN','KES','GHS','ZAR','CHF','SEK','JPY'])[1 + floor(random() * 10)::int],",
                "  (array['captured','captured','captured','authorized','refunded','failed'])[1 + floor(random() * 6)::int],",
                "  (array['card','card','sepa_debit','mobile_money','bank_transfer'])[1 + floor(random() * 5)::int],",
                "  (array['DE','FR','NG','KE','GH','ZA','GB','US','NL','SE'])[1 + floor(random() * 10)::int],",
                "  upper(substr(md5(random()::text), 1, 12)), t, t + random() * interval '2 days',",
                "  jsonb_build_object('order_id', 'ord_' || substr(md5(random()::text), 1, 16),",
                "    'ip', floor(random() * 223 + 1)::int || '.' || floor(random() * 256)::int || '.'",
                "          || floor(random() * 256)::int || '.' || floor(random() * 256)::int,",
                "    'channel', (array['web','ios','android','pos'])[1 + floor(random() * 4)::int],",
                "    'card_last4', lpad(floor(random() * 10000)::int::text, 4, '0'),",
                "    'risk_score', round(random()::numeric, 3),",
                "    'attempt', 1 + floor(random() * 3)::int)",
                "  from (select g, timestamptz '2025-01-01 00:00:00+00' + random() * interval '365 days' as t",
                "        from generate_series(1, " + rows + ") g) s;",
                "create index payments_merchant_created on payments(merchant_id, created_at);");
    }

    private static void chownToPostgres(Path p) throws IOException {
        if (isRoot()) {
            UserPrincipal pg = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(p, pg);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The Debian server refuses to run as root: run it as {@code postgres} then. */
    private static void asPostgres(List<String> command) throws IOException {
        List<String> c = new ArrayList<>();
        if (isRoot()) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(command);
        run(c, Path.of("/tmp"));
    }

    // ---------------------------------------------------------------- MongoDB

    /** A mongodump archive (no compression) of about {@code target} bytes of payment documents. */
    static Path mongoArchive(Path dir, long target) throws IOException {
        Random r = new Random(SEED);
        Path file = dir.resolve("payments.archive");
        BsonDocumentCodec codec = new BsonDocumentCodec();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ArchiveWriter w = new ArchiveWriter(out);
            BsonDocument options = new BsonDocument();
            BsonDocument meta = new BsonDocument("indexes", new org.bson.BsonArray(List.of(
                    new BsonDocument("v", new BsonInt32(2)).append("key", new BsonDocument("_id", new BsonInt32(1)))
                            .append("name", new BsonString("_id_")),
                    new BsonDocument("v", new BsonInt32(2)).append("key", new BsonDocument("merchantId", new BsonInt32(1))
                            .append("createdAt", new BsonInt32(-1))).append("name", new BsonString("merchantId_1_createdAt_-1")))))
                    .append("uuid", new BsonString(hex(r, 16)))
                    .append("collectionName", new BsonString("payments"))
                    .append("type", new BsonString("collection"))
                    .append("options", options);
            w.writePrelude(new ArchiveHeader(1, "0.1", "7.0.14", "100.9.4"),
                    List.of(new CollectionMetadata("shop", "payments", CollectionMetadata.json(meta), 0, "collection")));
            w.beginNamespace("shop", "payments");
            int i = 0;
            while (w.position() < target) {
                BsonDocument d = paymentDocument(r, i++);
                RawBsonDocument raw = new RawBsonDocument(d, codec);
                ByteBuffer b = raw.getByteBuffer().asNIO();
                w.writeDocument(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
            w.endNamespace();
        }
        return file;
    }

    /** The {@code i}-th payment document (ObjectId, UUID, Decimal128 amount, strings, dates, nested metadata). */
    static BsonDocument paymentDocument(Random r, int i) {
        long start = 1735689600000L;
        long created = start + (long) (r.nextDouble() * 365 * 86_400_000L);
        BsonDocument d = new BsonDocument("_id", new BsonObjectId(new ObjectId((int) (created / 1000), i)))
                .append("paymentId", new BsonBinary(uuid(r), UuidRepresentation.STANDARD))
                .append("merchantId", new BsonInt64(1 + r.nextInt(5000)))
                .append("customerId", new BsonString(uuid(r).toString()))
                .append("amount", new BsonDecimal128(new Decimal128(amount(r))))
                .append("currency", new BsonString(pick(r, CURRENCIES)))
                .append("status", new BsonString(pick(r, STATUSES)))
                .append("method", new BsonString(pick(r, METHODS)))
                .append("country", new BsonString(pick(r, COUNTRIES)))
                .append("reference", new BsonString(hex(r, 6).toUpperCase(Locale.ROOT)))
                .append("createdAt", new BsonDateTime(created))
                .append("updatedAt", new BsonDateTime(created + r.nextInt(172_800_000)))
                .append("metadata", new BsonDocument("orderId", new BsonString("ord_" + hex(r, 8)))
                        .append("ip", new BsonString(ip(r)))
                        .append("channel", new BsonString(pick(r, new String[] {"web", "ios", "android", "pos"})))
                        .append("cardLast4", new BsonString(String.format("%04d", r.nextInt(10000))))
                        .append("riskScore", new org.bson.BsonDouble(Math.round(r.nextDouble() * 1000) / 1000.0))
                        .append("attempt", new BsonInt32(1 + r.nextInt(3))));
        return d;
    }

    // ---------------------------------------------------------------- Redis

    /** The {@code dump.rdb} of a real redis-server filled with about {@code target} bytes of keys. */
    static Path redisRdb(Path dir, long target) throws IOException {
        Path work = Files.createDirectories(dir.resolve("redis"));
        int port = freePort();
        Process server = new ProcessBuilder("/usr/bin/redis-server", "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--dir", work.toString(), "--dbfilename", "dump.rdb", "--save", "",
                "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no")
                .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
        try (Socket s = connect(port)) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            InputStream in = s.getInputStream();
            long pending = fillRedis(out, in, target);
            writeCommand(out, List.of("SAVE"));
            out.flush();
            readReplies(in, pending + 1);
            Path rdb = dir.resolve("dump.rdb");
            Files.move(work.resolve("dump.rdb"), rdb);
            writeCommand(out, List.of("SHUTDOWN", "NOSAVE"));
            out.flush();
            return rdb;
        } finally {
            try {
                server.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.destroy();
            deleteTree(work);
        }
    }

    /**
     * Writes about {@code target} bytes of RESP commands (sessions as JSON with TTLs, user hashes, rate counters,
     * recent-payment lists) to a redis-server connection, {@link Random} seeded; returns the replies not yet read.
     */
    static long fillRedis(OutputStream out, InputStream in, long target) throws IOException {
        Random r = new Random(SEED);
        long bytes = 0;
        long pending = 0;
        int i = 0;
        while (bytes < target) {
            String user = String.valueOf(100_000 + r.nextInt(900_000));
            List<List<String>> cmds = new ArrayList<>();
            switch (i++ % 4) {
                case 0, 1 -> cmds.add(List.of("SET", "session:" + hex(r, 16), sessionJson(r, user), "EX",
                        String.valueOf(600 + r.nextInt(86_400))));
                case 2 -> cmds.add(List.of("HSET", "user:" + user, "email", "u" + user + "@example.com",
                        "name", "Customer " + hex(r, 3), "country", pick(r, COUNTRIES), "plan",
                        pick(r, new String[] {"free", "pro", "business"}), "created_at",
                        String.valueOf(1_700_000_000 + r.nextInt(60_000_000)), "balance_minor",
                        String.valueOf(r.nextInt(10_000_000))));
                default -> {
                    cmds.add(List.of("INCRBY", "rate:" + ip(r) + ":" + (29_000_000 + r.nextInt(1000)),
                            String.valueOf(1 + r.nextInt(50))));
                    cmds.add(List.of("LPUSH", "recent:" + user, "pay_" + hex(r, 12)));
                }
            }
            for (List<String> c : cmds) {
                bytes += writeCommand(out, c);
                pending++;
            }
            if (pending >= 1000) {
                out.flush();
                readReplies(in, pending);
                pending = 0;
            }
        }
        return pending;
    }

    static Socket connect(int port) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for redis-server", ie);
                }
            }
        }
        throw new IOException("redis-server did not start on port " + port, last);
    }

    private static String sessionJson(Random r, String user) {
        return "{\"user_id\":" + user + ",\"csrf\":\"" + hex(r, 16) + "\",\"ip\":\"" + ip(r)
                + "\",\"ua\":\"Mozilla/5.0 (" + pick(r, new String[] {"Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 14_5",
                "Linux; Android 14; Pixel 8", "iPhone; CPU iPhone OS 17_5 like Mac OS X"})
                + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12" + r.nextInt(10) + ".0.0.0 Safari/537.36\""
                + ",\"locale\":\"" + pick(r, new String[] {"en-GB", "de-DE", "fr-FR", "en-NG", "sw-KE"})
                + "\",\"cart\":{\"items\":" + r.nextInt(6) + ",\"total_minor\":" + r.nextInt(500_000)
                + ",\"currency\":\"" + pick(r, CURRENCIES) + "\"},\"mfa\":" + r.nextBoolean()
                + ",\"issued_at\":" + (1_764_000_000 + r.nextInt(1_000_000)) + "}";
    }

    static long writeCommand(OutputStream out, List<String> args) throws IOException {
        StringBuilder b = new StringBuilder().append('*').append(args.size()).append("\r\n");
        for (String a : args) {
            byte[] v = a.getBytes(StandardCharsets.UTF_8);
            b.append('$').append(v.length).append("\r\n").append(a).append("\r\n");
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        out.write(bytes);
        return bytes.length;
    }

    /** Every reply here is one line ({@code +OK}, {@code :n}); an error reply stops the harness. */
    static void readReplies(InputStream in, long count) throws IOException {
        StringBuilder line = new StringBuilder();
        for (long n = 0; n < count; ) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("redis-server closed the connection");
            }
            if (c == '\n') {
                if (line.length() > 0 && line.charAt(0) == '-') {
                    throw new IOException("redis-server: " + line);
                }
                line.setLength(0);
                n++;
            } else if (c != '\r') {
                line.append((char) c);
            }
        }
    }

    // ---------------------------------------------------------------- tar

    /** {@code tar} of {@code /etc} and a generated application config directory with openssl certificates. */
    static Path configTar(Path dir) throws IOException {
        Random r = new Random(SEED);
        Path app = Files.createDirectories(dir.resolve("app-config"));
        Path certs = Files.createDirectories(app.resolve("certs"));
        for (String name : List.of("api", "webhooks", "mtls-client", "db-client")) {
            run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825", "-subj",
                    "/C=DE/O=Eazepay/CN=" + name + ".payments.internal", "-keyout", certs.resolve(name + ".key").toString(),
                    "-out", certs.resolve(name + ".crt").toString()), null);
        }
        StringBuilder yaml = new StringBuilder("server:\n  port: 8443\n  ssl:\n    certificate: certs/api.crt\n"
                + "    key: certs/api.key\nspring:\n  datasource:\n    url: jdbc:postgresql://db:5432/payments\n"
                + "    username: payments\n  jpa:\n    open-in-view: false\nmerchants:\n");
        for (int m = 0; m < 300; m++) {
            yaml.append("  - id: ").append(1 + m).append("\n    webhook: https://hooks.merchant").append(m)
                    .append(".example.com/").append(hex(r, 8)).append("\n    currencies: [")
                    .append(pick(r, CURRENCIES)).append(", ").append(pick(r, CURRENCIES)).append("]\n    fee_bps: ")
                    .append(50 + r.nextInt(250)).append('\n');
        }
        Files.writeString(app.resolve("application.yml"), yaml);
        Files.writeString(app.resolve("logging.properties"), "handlers=java.util.logging.ConsoleHandler\n"
                + ".level=INFO\ncom.eazepay.level=FINE\n");
        Files.writeString(app.resolve(".env"), "APP_ENV=production\nDB_HOST=db\nDB_NAME=payments\nREDIS_URL=redis://cache:6379/0\n"
                + "FEATURE_FLAGS=instant_payouts,new_risk_model\nAPI_KEY_ID=" + hex(r, 12) + "\n");
        Path tar = dir.resolve("config.tar");
        // GNU tar exits 1 when a file changed while being read (e.g. /etc/mtab is a live symlink target): acceptable.
        int code = run(List.of("tar", "--warning=no-file-changed", "-cf", tar.toString(), "-C", "/", "etc",
                "-C", dir.toString(), "app-config"), null, 0, 1);
        if (code != 0 && !Files.isRegularFile(tar)) {
            throw new IOException("tar failed");
        }
        deleteTree(app);
        return tar;
    }

    // ---------------------------------------------------------------- helpers

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }

    private static String hex(Random r, int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static UUID uuid(Random r) {
        return new UUID((r.nextLong() & ~0xf000L) | 0x4000L, (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L);
    }

    private static String ip(Random r) {
        return (1 + r.nextInt(223)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
    }

    /** Long-tailed amounts in major units with two decimals. */
    private static BigDecimal amount(Random r) {
        return BigDecimal.valueOf(Math.round(Math.expm1(r.nextDouble() * 9) * 100) + 50, 2);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void run(List<String> command, Path cwd) throws IOException {
        run(command, cwd, 0);
    }

    /** Runs {@code command}, output to a temp log shown on failure; returns the exit code if allowed. */
    private static int run(List<String> command, Path cwd, int... allowed) throws IOException {
        Path log = Files.createTempFile("bench-cmd", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (cwd != null) {
                pb.directory(cwd.toFile());
            }
            Process p = pb.start();
            int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                p.destroy();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + command.get(0), e);
            }
            for (int a : allowed) {
                if (code == a) {
                    return code;
                }
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            throw new IOException(String.join(" ", command.subList(0, Math.min(3, command.size()))) + " exited " + code
                    + ": " + out.substring(Math.max(0, out.length() - 2000)));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
