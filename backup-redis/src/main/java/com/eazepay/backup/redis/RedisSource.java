package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.redis.internal.KeyDumpFormat;
import com.eazepay.backup.redis.internal.RdbReader;
import com.eazepay.backup.redis.internal.RdbVersions;
import com.eazepay.backup.redis.internal.RedisEndpoint;
import com.eazepay.backup.redis.internal.RedisRestore;
import com.eazepay.backup.redis.internal.ReplicationPayload;
import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Backs up one Redis server. Type {@code redis}; sensitive.
 *
 * <p>{@link Mode#REPLICATION} (default) asks the server for a full snapshot over the replication
 * protocol ({@code PSYNC ? -1}, falling back to {@code SYNC}), exactly like {@code redis-cli --rdb}:
 * one stream {@code dump.rdb}, a standard RDB file, validated while it streams (structure and
 * CRC-64 trailer) with constant memory; the replication connection is closed as soon as the RDB is
 * received. Facts: {@code rdbVersion}, {@code redisVersion}, {@code keys} (per database, e.g.
 * {@code db0}), {@code expiringKeys}, {@code pointInTime: true}, {@code format: rdb}.
 *
 * <p>{@link Mode#KEY_DUMP} is for managed Redis where {@code SYNC}/{@code PSYNC} are disabled:
 * {@code SCAN} + {@code DUMP} + {@code PTTL} per key into one stream {@code dump.redisdump}
 * (format in the module README); {@code pointInTime: false}, since keys are read one after another.
 *
 * <pre>{@code
 * RedisSource source = RedisSource.builder()
 *     .name("cache").uri("redis://cache.internal:6379")
 *     .password(Secret.of(System.getenv("REDIS_PASSWORD")))
 *     .timeout(Duration.ofMinutes(2))
 *     .build();
 * }</pre>
 *
 * <p>Restores go to a {@link RedisTarget}. Immutable and thread-safe.
 */
public final class RedisSource implements BackupSource {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSource.class);

    /** Stream name of every Redis backup. */
    public static final String STREAM = "dump";

    /** How the data is read from the server. */
    public enum Mode {
        /** Full snapshot over the replication protocol: a standard, point-in-time RDB file. */
        REPLICATION,
        /** {@code SCAN} + {@code DUMP} + {@code PTTL} per key: works where SYNC is disabled, not point-in-time. */
        KEY_DUMP
    }

    private final String name;
    private final RedisEndpoint endpoint;
    private final Mode mode;
    private final int scanCount;
    private final java.nio.file.Path redisServer;
    private final List<Check> restoreTestChecks;

    private RedisSource(Builder b) {
        this.redisServer = b.redisServer;
        this.restoreTestChecks = List.copyOf(b.restoreTestChecks);
        this.name = b.name;
        this.endpoint = new RedisEndpoint(b.host, b.port, b.user, b.password, b.tls, b.timeout);
        this.mode = b.mode;
        this.scanCount = b.scanCount;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "redis";
    }

    @Override
    public boolean sensitive() {
        return true;
    }

    /** The configured mode. */
    public Mode mode() {
        return mode;
    }

    @Override
    public void backup(BackupContext context) {
        if (mode == Mode.KEY_DUMP) {
            keyDump(context);
        } else {
            replication(context);
        }
    }

    private void replication(BackupContext context) {
        String what = "RDB from " + endpoint.describe();
        long started = System.nanoTime();
        try (RespConnection c = endpoint.connect()) {
            String redisVersion = RedisEndpoint.info(c, "server").get("redis_version");
            Object capa = c.call("REPLCONF", "capa", "eof", "capa", "psync2");
            if (capa instanceof RespConnection.RespError err && refusal(err)) {
                throw refused(err.message());
            }
            // 7.0+: tell the master we only want the snapshot, not the command stream after it; older
            // servers answer an error, which is harmless
            c.call("REPLCONF", "rdb-only", "1");
            Object r = c.call("PSYNC", "?", "-1");
            if (r instanceof RespConnection.RespError err) {
                if (!unknownCommand(err) && !refusal(err)) {
                    throw syncFailed(err.message());
                }
                LOG.debug("PSYNC refused by {} ({}), trying SYNC", endpoint, err.kind());
                c.send("SYNC");
                c.flush();
                // SYNC has no status line: the payload (or an error) follows directly
            } else if (!(r instanceof String s && s.startsWith("FULLRESYNC"))) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "unexpected reply to PSYNC from " + endpoint.describe() + ": " + r);
            }
            ReplicationPayload payload;
            try {
                payload = ReplicationPayload.open(c.input());
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("master refused the sync: ")) {
                    String msg = e.getMessage().substring("master refused the sync: ".length());
                    if (msg.startsWith("ERR unknown command") || msg.startsWith("NOPERM") || msg.startsWith("NOAUTH")) {
                        throw refused(msg);
                    }
                    throw syncFailed(msg);
                }
                throw e;
            }
            context.consistentAt(context.clock().instant());
            RdbReader.Summary summary;
            // closed only on success, since close() commits the stream; on a failure the engine aborts
            // the unclosed stream and nothing of it becomes visible
            OutputStream out = context.newStream(STREAM, "rdb");
            summary = new RdbReader(payload, new StorageErrors(out), false, what).read(new RdbReader.Visitor() { });
            c.close(); // release the master before the upload finishes
            out.close();
            double secs = (System.nanoTime() - started) / 1e9;
            LOG.info("captured RDB v{} from {} ({} framing): {} bytes, {} keys in {} s", summary.rdbVersion(), endpoint,
                    payload.diskless() ? "diskless" : "length", summary.bytes(), summary.totalKeys(), String.format("%.1f", secs));
            context.fact("format", "rdb");
            context.fact("mode", "replication");
            context.fact("rdbVersion", summary.rdbVersion());
            String v = redisVersion != null ? redisVersion : summary.redisVersion();
            if (v != null) {
                context.fact("redisVersion", v);
            }
            context.fact("keys", dbKeys(summary.keysPerDb()));
            context.fact("expiringKeys", summary.expiringKeys());
            context.fact("functions", summary.functions());
            context.fact("rdbBytes", summary.bytes());
            context.fact("pointInTime", true);
        } catch (IOException e) {
            if (e instanceof java.net.SocketTimeoutException) {
                throw new BackupException(CoreErrorCode.TIMEOUT, "reading the RDB snapshot from " + endpoint.describe()
                        + " timed out (nothing received for " + endpoint.timeout() + "): raise timeout(..); the backup was not committed", e);
            }
            if (e instanceof RespConnection.ProtocolException) {
                // a reply we cannot parse fails the same way on a retry: not retryable
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "reading the RDB snapshot from " + endpoint.describe()
                        + " failed: protocol error: " + e.getMessage() + "; the backup was not committed", e);
            }
            throw new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, "reading the RDB snapshot from " + endpoint.describe()
                    + " failed: " + e.getMessage() + "; the backup is incomplete and was not committed", e);
        }
    }

    /** Reports failures of the backup stream as storage failures, not as failures reading from Redis. */
    private static final class StorageErrors extends java.io.FilterOutputStream {
        StorageErrors(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (e.getCause() instanceof BackupException be) {
                    throw be;
                }
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "writing the backup stream failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            // the caller closes the underlying stream itself, only on success
        }
    }

    /** Passes bytes through and keeps the last 10: a DUMP payload's RDB version and CRC-64. */
    private static final class TailOutput extends java.io.FilterOutputStream {
        private final byte[] tail = new byte[10];
        private long count;

        TailOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            tail[(int) (count++ % 10)] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            for (int i = Math.max(off, off + len - 10); i < off + len; i++) {
                tail[(int) ((count + i - off) % 10)] = b[i];
            }
            count += len;
        }

        /** The RDB version in the payload's trailer (little-endian, 10 bytes from its end). */
        int payloadVersion() {
            return (tail[(int) (count % 10)] & 0xff) | (tail[(int) ((count + 1) % 10)] & 0xff) << 8;
        }
    }

    private static boolean unknownCommand(RespConnection.RespError err) {
        return err.message().startsWith("ERR unknown command");
    }

    private static boolean refusal(RespConnection.RespError err) {
        return unknownCommand(err) || "NOPERM".equals(err.kind()) || "NOAUTH".equals(err.kind());
    }

    private BackupException refused(String serverMessage) {
        return new BackupException(CoreErrorCode.SOURCE_FAILED, endpoint.describe() + " refused replication (" + serverMessage
                + "): SYNC/PSYNC are disabled or not permitted (common on managed Redis); grant the user the replication"
                + " commands, or use RedisSource.builder().mode(RedisSource.Mode.KEY_DUMP) (SCAN + DUMP, not point-in-time)");
    }

    private BackupException syncFailed(String serverMessage) {
        return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, endpoint.describe() + " could not start a full sync: " + serverMessage);
    }

    /** The RDB or key-dump reader, without a server (see {@link RedisValidator}). */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of(new RedisValidator());
    }

    /** Scratch directories of restore tests are made under {@code java.io.tmpdir} with this name prefix. */
    public static final String SCRATCH_PREFIX = com.eazepay.backup.spi.ScratchTargets.DIRECTORY_PREFIX;

    /**
     * An RDB file {@code dump.rdb} in a new directory {@code eazepay-restoretest_<id>} under {@code java.io.tmpdir}
     * (the restore checks its structure, CRC-64 and key counts against the manifest), then, when a {@code redis-server}
     * is installed ({@link Builder#redisServer}, else the {@code PATH}), loaded by a child {@code redis-server} on a free
     * loopback port ({@code --dir <scratch> --dbfilename dump.rdb --save "" --appendonly no}) whose key counts per
     * database are checked too, then the {@link Builder#restoreTestCheck user checks} and those the restore test adds
     * ({@code restoreTest().check(t -> ((RedisTarget) t).check(..))}); the server is stopped right after the checks, also
     * when they fail. Without a {@code redis-server} the file check stands alone, the report's location says so, and
     * user checks fail as not run. The directory, with the
     * server's pid file, is deleted by {@link com.eazepay.backup.spi.ScratchTarget#drop()}; after a crash,
     * {@link #dropScratch} stops the server named by the pid file and deletes it. Cannot be swapped into place.
     */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.ScratchTarget> scratchTarget(String testId) {
        java.nio.file.Path dir = com.eazepay.backup.spi.ScratchTargets.directory(testId);
        java.nio.file.Path server = com.eazepay.backup.redis.internal.ScratchRedisServer.find(redisServer).orElse(null);
        return java.util.Optional.of(com.eazepay.backup.spi.ScratchTargets.of(() -> {
            try {
                java.nio.file.Files.createDirectories(dir);
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "creating the restore-test directory " + dir
                        + " failed: " + e.getMessage(), e);
            }
            return RedisTarget.scratch(dir.resolve("dump.rdb"), server, restoreTestChecks);
        }, dir.toString(), this::dropScratch));
    }

    /**
     * Stops the scratch {@code redis-server} named by the pid file in a scratch directory named in a cleanup journal
     * (only if that process still runs there), then deletes the directory; refuses any other path (the journal comes
     * from the repository).
     */
    @Override
    public void dropScratch(String resource) {
        java.nio.file.Path dir = java.nio.file.Path.of(resource);
        if (dir.isAbsolute() && dir.normalize().equals(dir) && dir.getFileName() != null
                && dir.getFileName().toString().startsWith(SCRATCH_PREFIX)) {
            com.eazepay.backup.redis.internal.ScratchRedisServer.killLeftover(dir);
        }
        com.eazepay.backup.spi.ScratchTargets.deleteDirectory(resource);
    }

    /** The password of the configured user, when one is set (names only). */
    @Override
    public java.util.List<String> secretNames() {
        return endpoint.password() == null ? java.util.List.of()
                : java.util.List.of("password of " + (endpoint.user() == null ? "the default user" : "user " + endpoint.user())
                + " on " + endpoint.describe());
    }

    static Map<String, Long> dbKeys(Map<Integer, Long> perDb) {
        Map<String, Long> m = new TreeMap<>();
        perDb.forEach((db, n) -> m.put("db" + db, n));
        return m;
    }

    private void keyDump(BackupContext context) {
        long started = System.nanoTime();
        try (RespConnection c = endpoint.connect()) {
            String redisVersion = RedisEndpoint.info(c, "server").get("redis_version");
            Map<Integer, Long> dbs = endpoint.keyspace(c);
            boolean exactExpiry = RdbVersions.atLeast(redisVersion, 7, 0);
            context.consistentAt(context.clock().instant());
            Map<Integer, Long> counted = new TreeMap<>();
            long expiring = 0;
            int maxVersion = 0;
            try (OutputStream out = context.newStream(STREAM, "redisdump")) {
                KeyDumpFormat.Writer w = new KeyDumpFormat.Writer(new java.io.BufferedOutputStream(out, 1 << 16));
                for (int db : dbs.keySet()) {
                    endpoint.check(c.call("SELECT", Integer.toString(db)), "SELECT " + db);
                    w.db(db);
                    String cursor = "0";
                    do {
                        List<Object> reply = RedisEndpoint.list(endpoint.check(
                                c.call("SCAN", cursor, "COUNT", Integer.toString(scanCount)), "SCAN"));
                        cursor = new String((byte[]) reply.get(0), StandardCharsets.US_ASCII);
                        List<Object> keys = RedisEndpoint.list(reply.get(1));
                        if (keys.isEmpty()) {
                            continue;
                        }
                        // 7.0+: PEXPIRETIME gives the exact absolute expiry; older servers: the
                        // server's TIME before the page plus PTTL (may come out a few ms early)
                        if (!exactExpiry) {
                            c.send("TIME");
                        }
                        // the expiry first, then DUMP: its payload is copied to the stream in pieces,
                        // never held whole (memory stays bounded whatever the value sizes)
                        for (Object k : keys) {
                            c.send(exactExpiry ? "PEXPIRETIME" : "PTTL", k);
                            c.send("DUMP", k);
                        }
                        c.flush();
                        long nowMs = 0;
                        if (!exactExpiry) {
                            List<Object> time = RedisEndpoint.list(endpoint.check(c.read(), "TIME"));
                            nowMs = Long.parseLong(new String((byte[]) time.get(0), StandardCharsets.US_ASCII)) * 1000
                                    + Long.parseLong(new String((byte[]) time.get(1), StandardCharsets.US_ASCII)) / 1000;
                        }
                        for (Object k : keys) {
                            long ttl = (Long) endpoint.check(c.read(), exactExpiry ? "PEXPIRETIME" : "PTTL");
                            Object dump = endpoint.check(c.readOrBulkHeader(), "DUMP");
                            if (dump == null) {
                                continue; // deleted or expired while we scanned
                            }
                            RespConnection.BulkHeader payload = (RespConnection.BulkHeader) dump;
                            if (ttl == -2) {
                                // gone when its expiry was read, (re)created before DUMP: its TTL is unknown
                                c.copyBulk(payload, OutputStream.nullOutputStream());
                                continue;
                            }
                            long expireAt = ttl < 0 ? -1 : exactExpiry ? ttl : nowMs + ttl;
                            TailOutput tail = new TailOutput(w.beginKey((byte[]) k, expireAt, payload.length()));
                            c.copyBulk(payload, tail);
                            counted.merge(db, 1L, Long::sum);
                            if (expireAt != -1) {
                                expiring++;
                            }
                            maxVersion = Math.max(maxVersion, tail.payloadVersion());
                        }
                    } while (!"0".equals(cursor));
                }
                w.end();
            }
            LOG.info("dumped {} keys from {} key by key in {} s", counted.values().stream().mapToLong(Long::longValue).sum(),
                    endpoint, String.format("%.1f", (System.nanoTime() - started) / 1e9));
            context.fact("format", "redisdump");
            context.fact("mode", "key-dump");
            if (maxVersion > 0) {
                context.fact("rdbVersion", maxVersion);
            }
            if (redisVersion != null) {
                context.fact("redisVersion", redisVersion);
            }
            context.fact("keys", dbKeys(counted));
            context.fact("expiringKeys", expiring);
            context.fact("pointInTime", false);
        } catch (IOException e) {
            throw endpoint.unavailable("dumping keys from", e);
        }
    }

    /**
     * Restores into {@code target}, which must be a {@link RedisTarget}: an RDB file for a fresh
     * server, or a live server through {@code RESTORE}. The stream is read and verified to the end
     * before anything is written to a live server (so it is read twice), and a file target is
     * written to a temporary file and moved into place only after verification.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} for another target type;
     *                         {@code TARGET_NOT_EMPTY}, {@code VERSION_MISMATCH}, {@code CORRUPT_DATA},
     *                         {@code CHECKSUM_MISMATCH} as described on {@link RedisTarget}
     */
    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof RedisTarget rt)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a redis backup restores into a RedisTarget"
                    + " (RedisTarget.rdbFile(path) or RedisTarget.server(host, port)), not " + target.describe());
        }
        List<Check> checks = rt.checks();
        if (rt.scratchInfo() != null) {
            return RedisRestore.restoreAndLoad(context, rt.spec(), rt.scratchInfo().server(), endpoint.timeout(),
                    new RedisRestore.UserChecks() {
                        @Override
                        public List<CheckResult> run(RedisEndpoint server, String where) {
                            return Check.runAll(checks, server, where);
                        }

                        @Override
                        public List<CheckResult> notRun(String why) {
                            return checks.stream().map(c -> c.notRun(why)).toList();
                        }
                    });
        }
        RestoreOutcome outcome = RedisRestore.restore(context, rt.spec());
        if (checks.isEmpty()) {
            return outcome;
        }
        // after the key counts (the restore marked where the checks start)
        List<CheckResult> all = new java.util.ArrayList<>(outcome.checks());
        all.addAll(Check.runAll(checks, rt.spec().endpoint(), "in " + rt.spec().endpoint().describe()));
        return new RestoreOutcome(outcome.location(), all, outcome.facts());
    }

    @Override
    public String toString() {
        return "RedisSource[name=" + name + ", endpoint=" + endpoint.describe() + ", mode=" + mode + "]";
    }

    /** Builds a {@link RedisSource}. Not thread-safe. */
    public static final class Builder {
        private String name = "redis";
        private String host = "localhost";
        private int port = 6379;
        private String user;
        private Secret password;
        private SSLSocketFactory tls;
        private Duration timeout = Duration.ofSeconds(60);
        private Mode mode = Mode.REPLICATION;
        private int scanCount = 1000;
        private java.nio.file.Path redisServer;
        private final List<Check> restoreTestChecks = new java.util.ArrayList<>();

        private final ConfigurationProblems problems = ConfigurationProblems.of("RedisSource");

        private Builder() {
        }

        /**
         * Source name, checked by {@link SourceNames} (1-63 characters from a-z, 0-9, '.', '_', '-', not a reserved
         * repository folder). Default {@code redis}.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} for a name the repository cannot hold
         */
        public Builder name(String name) {
            problems.once("name");
            this.name = SourceNames.requireValid(name);
            return this;
        }

        /** Server host. Default {@code localhost}. */
        public Builder host(String host) {
            problems.once("host");
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Server port, 1..65535. Default 6379. */
        public Builder port(int port) {
            problems.once("port");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Host, port, user and password from {@code redis://[user[:password]@]host[:port]} or
         * {@code rediss://...} (TLS with the JDK's default trust store). A database path is ignored:
         * backups cover every database.
         */
        public Builder uri(String uri) {
            problems.once("uri");
            Objects.requireNonNull(uri, "uri");
            URI u;
            try {
                u = URI.create(uri);
            } catch (IllegalArgumentException e) {
                // never echo the URI: it may hold a password
                throw new IllegalArgumentException("uri is not a valid redis:// or rediss:// URI");
            }
            if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("uri must be redis://host[:port] or rediss://host[:port]");
            }
            host(u.getHost());
            port(u.getPort() < 0 ? 6379 : u.getPort());
            if (u.getRawUserInfo() != null) {
                String[] ui = u.getRawUserInfo().split(":", 2);
                if (ui.length == 2) {
                    if (!ui[0].isEmpty()) {
                        user(URLDecoder.decode(ui[0], StandardCharsets.UTF_8));
                    }
                    password(Secret.of(URLDecoder.decode(ui[1], StandardCharsets.UTF_8)));
                } else {
                    password(Secret.of(URLDecoder.decode(ui[0], StandardCharsets.UTF_8)));
                }
            }
            if ("rediss".equals(u.getScheme())) {
                tls(true);
            }
            return this;
        }

        /** ACL user (Redis 6+). Default none: {@code AUTH password} for the default user. */
        public Builder user(String user) {
            problems.once("user");
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** Password. Default none (no {@code AUTH}). */
        public Builder password(Secret password) {
            problems.once("password");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** TLS with this context's socket factory. Default plain TCP. */
        public Builder tls(SSLContext context) {
            problems.once("tls");
            this.tls = Objects.requireNonNull(context, "context").getSocketFactory();
            return this;
        }

        /** TLS with the JDK's default trust store ({@code true}) or plain TCP. Default false. */
        public Builder tls(boolean enabled) {
            problems.once("tls");
            this.tls = enabled ? (SSLSocketFactory) SSLSocketFactory.getDefault() : null;
            return this;
        }

        /** Connect and read timeout (also the longest silence while the server prepares the snapshot). Default 60 s. */
        public Builder timeout(Duration timeout) {
            problems.once("timeout");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The {@code redis-server} binary restore tests load their scratch RDB with (see
         * {@link RedisSource#scratchTarget}). Default: {@code redis-server} on the {@code PATH}, if any; without one,
         * restore tests check the RDB file only.
         */
        public Builder redisServer(java.nio.file.Path binary) {
            problems.once("redisServer");
            this.redisServer = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /**
         * Checks every restore test and drill of this source runs against the child {@code redis-server} that loaded the
         * scratch RDB, after the key counts: the plan's "users count at least 1", e.g.
         * {@code restoreTestCheck(Check.keys("user:*").atLeast(1))}. Without a {@code redis-server} they fail as not run.
         * May be called more than once; checks accumulate. Default none. Live restores run the checks of their
         * {@link RedisTarget#check target}.
         */
        public Builder restoreTestCheck(Check... checks) {
            for (Check c : Objects.requireNonNull(checks, "checks")) {
                restoreTestChecks.add(Objects.requireNonNull(c, "check"));
            }
            return this;
        }

        /** How to read the data. Default {@link Mode#REPLICATION}. */
        public Builder mode(Mode mode) {
            problems.once("mode");
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** {@code SCAN COUNT} hint in key-dump mode, 1..100000. Default 1000. */
        public Builder scanCount(int count) {
            problems.once("scanCount");
            if (count < 1 || count > 100_000) {
                throw new IllegalArgumentException("scanCount must be 1..100000: " + count);
            }
            this.scanCount = count;
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem at once (a user without
         *                         password, {@code scanCount} without {@code Mode.KEY_DUMP})
         */
        public RedisSource build() {
            problems.check(user == null || password != null,
                    "user '" + user + "' given without password(..): an ACL user authenticates with both");
            problems.check(!problems.given("scanCount") || mode == Mode.KEY_DUMP,
                    "scanCount(..) applies only to mode(Mode.KEY_DUMP)");
            problems.throwIfAny();
            return new RedisSource(this);
        }
    }
}
