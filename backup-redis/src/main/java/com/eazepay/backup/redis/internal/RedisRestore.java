package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The restore side of {@code RedisSource}: into an RDB file or a live server. */
public final class RedisRestore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRestore.class);
    private static final String STREAM = "dump";
    private static final long MAX_PENDING_BYTES = 8L << 20;
    private static final int HORIZON_SECONDS = 86_400;
    /** Replies outstanding at most while restoring into a live server. */
    private static final int WINDOW = 16_384;
    private static final String READER_THREAD = "redis-restore-replies";
    private static final byte[] RESTORE = "RESTORE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] REPLACE = "REPLACE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ABSTTL = "ABSTTL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ZERO = {'0'};

    private RedisRestore() {
    }

    /** Restores the backup in {@code context} as {@code spec} says. */
    public static RestoreOutcome restore(RestoreContext context, RestoreSpec spec) {
        boolean keyDump = "redisdump".equals(context.manifest().facts().get("format"));
        try {
            if (spec.file() != null) {
                return keyDump ? keyDumpToFile(context, spec) : toFile(context, spec);
            }
            return toServer(context, spec, keyDump);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "restoring backup " + context.manifest().id() + " into "
                    + (spec.file() != null ? spec.file() : spec.endpoint().describe()) + " failed: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // reported like any failure (RestoreFailed event), never as a raw Error
            throw new BackupException(CoreErrorCode.INTERNAL, "restoring backup " + context.manifest().id() + " into "
                    + (spec.file() != null ? spec.file() : spec.endpoint().describe()) + " ran out of memory (" + e.getMessage()
                    + "): the restore needs about the size of the largest value plus a few MB of heap; raise -Xmx"
                    + (spec.file() != null ? "" : "; the target may hold part of the keys"), e);
        }
    }

    /** How long a scratch redis-server may take to load a restored RDB. */
    public static final java.time.Duration LOAD_TIMEOUT = java.time.Duration.ofMinutes(30);

    /**
     * A restore test's scratch restore: the RDB file {@code spec} names, written and checked as {@link #restore} does;
     * then, with {@code redisServer}, loaded by a child {@link ScratchRedisServer} in the file's directory whose key
     * counts per database are checked against the RDB's (keys with a TTL may have expired by the time it loaded:
     * at most {@code expiringKeys} fewer). The server is stopped whatever happens. Without {@code redisServer} the
     * RDB-file check stands alone, and the outcome's location and facts say so. {@code timeout} bounds each
     * command to the server; loading may take {@link #LOAD_TIMEOUT}.
     */
    public static RestoreOutcome restoreAndLoad(RestoreContext context, RestoreSpec spec, Path redisServer, java.time.Duration timeout) {
        return restoreAndLoad(context, spec, redisServer, timeout, UserChecks.NONE);
    }

    /** The user's checks of a restore test, run on the loaded scratch server after its key counts. */
    public interface UserChecks {
        /** No user checks. */
        UserChecks NONE = new UserChecks() {
            @Override
            public List<CheckResult> run(RedisEndpoint server, String where) {
                return List.of();
            }

            @Override
            public List<CheckResult> notRun(String why) {
                return List.of();
            }
        };

        /** Runs them against {@code server}; {@code where} names it in the results. */
        List<CheckResult> run(RedisEndpoint server, String where);

        /** Each one failed as not run, for {@code why}. */
        List<CheckResult> notRun(String why);
    }

    /** As above, then {@code userChecks} against the loaded server (without one, they fail as not run). */
    public static RestoreOutcome restoreAndLoad(RestoreContext context, RestoreSpec spec, Path redisServer, java.time.Duration timeout,
                                                UserChecks userChecks) {
        RestoreOutcome file = restore(context, spec);
        Path rdb = spec.file().toAbsolutePath();
        Map<String, Object> facts = new LinkedHashMap<>(file.facts());
        if (redisServer == null) {
            String note = "not loaded into a redis-server (none on the PATH; install redis-server or configure"
                    + " RedisSource.builder().redisServer(path)): the RDB file's structure, CRC-64 and key counts were checked";
            LOG.warn("restore test of backup {}: {}", context.manifest().id(), note);
            facts.put("note", note);
            List<CheckResult> checks = new ArrayList<>(file.checks());
            checks.addAll(userChecks.notRun("no redis-server loaded the restored RDB (install redis-server or configure"
                    + " RedisSource.builder().redisServer(path))"));
            return new RestoreOutcome(file.location() + " (RDB file checked; not loaded: no redis-server)", checks, facts);
        }
        context.checksStarted();
        List<CheckResult> checks = new ArrayList<>(file.checks());
        Map<String, Long> inRdb = new TreeMap<>();
        if (file.facts().get("keys") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> inRdb.put(String.valueOf(k), ((Number) v).longValue()));
        }
        long expiring = file.facts().get("expiringKeys") instanceof Number n ? n.longValue() : 0;
        try (ScratchRedisServer server = ScratchRedisServer.start(redisServer, rdb.getParent(), rdb.getFileName().toString(),
                LOAD_TIMEOUT, timeout)) {
            Map<Integer, Long> found = server.keyspace();
            java.util.Set<String> dbs = new java.util.TreeSet<>(inRdb.keySet());
            found.keySet().forEach(db -> dbs.add("db" + db));
            for (String db : dbs) {
                long expected = inRdb.getOrDefault(db, 0L);
                long low = Math.max(0, expected - expiring);
                long f = found.getOrDefault(Integer.parseInt(db.substring(2)), 0L);
                String detail = "expected " + (low == expected ? "" : low + "..") + expected + " (the RDB file's"
                        + (low == expected ? "" : ", less keys whose TTL may have passed") + "), found " + f + " in "
                        + server.describe() + " after loading " + rdb.getFileName();
                checks.add(f >= low && f <= expected ? CheckResult.passed("keys " + db + " loaded", detail)
                        : CheckResult.failed("keys " + db + " loaded", detail));
            }
            checks.addAll(userChecks.run(server.endpoint(), "in " + server.describe()));
            facts.put("loadedBy", server.describe());
            facts.put("keysLoaded", dbKeys(found));
            return new RestoreOutcome(file.location() + " (loaded by " + server.describe() + ", stopped)", checks, facts);
        }
    }

    // ---------------------------------------------------------------- file

    private static RestoreOutcome toFile(RestoreContext context, RestoreSpec spec) throws IOException {
        Path file = targetFile(spec);
        Path tmp = tempFile(spec, file);
        try {
            RdbReader.Summary summary;
            try (InputStream in = context.openStream(STREAM);
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                summary = new RdbReader(in, out, false, "backup " + context.manifest().id()).read(new RdbReader.Visitor() { });
                out.flush();
                ch.force(true);
            }
            return commitFile(context, tmp, file, summary);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The target file, refused with TARGET_NOT_EMPTY if it exists and may not be overwritten. */
    private static Path targetFile(RestoreSpec spec) {
        Path file = spec.file().toAbsolutePath();
        if (Files.exists(file) && !spec.overwriteFile()) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, file + " exists: refusing to overwrite it;"
                    + " call RedisTarget.rdbFile(path).replaceExisting() or choose another path");
        }
        return file;
    }

    /**
     * Creates the temporary file next to {@code file} (0600) and gives it the configured owner,
     * group and mode before any data is written, so a refusal fails the restore at once.
     */
    private static Path tempFile(RestoreSpec spec, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
        try {
            java.nio.file.attribute.UserPrincipalLookupService users = tmp.getFileSystem().getUserPrincipalLookupService();
            if (spec.owner() != null) {
                Files.setOwner(tmp, users.lookupPrincipalByName(spec.owner()));
            }
            if (spec.group() != null) {
                Files.getFileAttributeView(tmp, java.nio.file.attribute.PosixFileAttributeView.class)
                        .setGroup(users.lookupPrincipalByGroupName(spec.group()));
            }
            if (spec.fileMode() != null) {
                Files.setPosixFilePermissions(tmp, spec.fileMode());
            }
            return tmp;
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(tmp);
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot give " + file + " the configured owner "
                    + (spec.owner() == null ? "-" : spec.owner()) + ", group " + (spec.group() == null ? "-" : spec.group())
                    + " and mode " + (spec.fileMode() == null ? "-" : java.nio.file.attribute.PosixFilePermissions.toString(spec.fileMode()))
                    + " (" + e + "): changing the owner needs root or CAP_CHOWN and a known user/group; nothing was written", e);
        }
    }

    /** Moves the verified temporary RDB into place and reports the key counts it holds. */
    private static RestoreOutcome commitFile(RestoreContext context, Path tmp, Path file, RdbReader.Summary summary) throws IOException {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("restored backup {} into RDB file {} ({} bytes, {} keys)", context.manifest().id(), file,
                summary.bytes(), summary.totalKeys());
        List<CheckResult> checks = keyChecks(context, summary.keysPerDb(), summary.keysPerDb(), summary.keysPerDb(), Map.of(),
                Map.of(), "in the RDB file");
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("rdbVersion", summary.rdbVersion());
        facts.put("keys", dbKeys(summary.keysPerDb()));
        facts.put("expiringKeys", summary.expiringKeys());
        facts.put("bytes", summary.bytes());
        return new RestoreOutcome(file.toString(), checks, facts);
    }

    /**
     * Builds an RDB file from a key dump: header with the payloads' RDB version, SELECTDB per
     * database, per key an optional EXPIRETIME_MS, the payload's type byte, the key and the payload's
     * value bytes, then EOF and the CRC-64. The result is parsed again before it is moved into place.
     */
    private static RestoreOutcome keyDumpToFile(RestoreContext context, RestoreSpec spec) throws IOException {
        Path file = targetFile(spec);
        Files.deleteIfExists(tempFile(spec, file)); // owner and mode are applicable: checked before the decrypt pass
        String what = "backup " + context.manifest().id();
        int[] version = {0};
        try (InputStream in = context.openStream(STREAM)) {
            KeyDumpFormat.read(in, what, (db, key, expire, payload) ->
                    version[0] = Math.max(version[0], KeyDumpFormat.payloadVersion(payload)));
        }
        int rdbVersion = Math.max(version[0], 9);
        Path tmp = tempFile(spec, file);
        try {
            try (InputStream in = context.openStream(STREAM);
                 FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream raw = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                CrcOutput out = new CrcOutput(raw);
                out.write(String.format("REDIS%04d", rdbVersion).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                int[] currentDb = {-1};
                KeyDumpFormat.read(in, what, (db, key, expire, payload) -> {
                    if (db != currentDb[0]) {
                        out.write(0xFE);
                        writeLength(out, db);
                        currentDb[0] = db;
                    }
                    if (expire != -1) {
                        out.write(0xFC);
                        for (int i = 0; i < 8; i++) {
                            out.write((int) (expire >>> (8 * i)) & 0xff);
                        }
                    }
                    out.write(payload[0] & 0xff);
                    writeLength(out, key.length);
                    out.write(key, 0, key.length);
                    out.write(payload, 1, payload.length - 11);
                });
                out.write(0xFF);
                long crc = out.crc;
                for (int i = 0; i < 8; i++) {
                    raw.write((int) (crc >>> (8 * i)) & 0xff);
                }
                raw.flush();
                ch.force(true);
            }
            RdbReader.Summary summary;
            try (InputStream check = new java.io.BufferedInputStream(Files.newInputStream(tmp), 1 << 16)) {
                summary = new RdbReader(check, null, false, "RDB built from " + what).read(new RdbReader.Visitor() { });
            }
            return commitFile(context, tmp, file, summary);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeLength(OutputStream out, long n) throws IOException {
        if (n < 64) {
            out.write((int) n);
        } else if (n < 16384) {
            out.write(0x40 | (int) (n >> 8));
            out.write((int) n & 0xff);
        } else if (n <= 0xffffffffL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) {
                out.write((int) (n >>> (8 * i)) & 0xff);
            }
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (n >>> (8 * i)) & 0xff);
            }
        }
    }

    /** Passes bytes through and keeps their CRC-64. */
    private static final class CrcOutput extends java.io.FilterOutputStream {
        long crc;

        CrcOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            crc = Crc64Jones.update(crc, b);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc = Crc64Jones.update(crc, b, off, len);
            out.write(b, off, len);
        }
    }

    // ---------------------------------------------------------------- live server

    private static RestoreOutcome toServer(RestoreContext context, RestoreSpec spec, boolean keyDump) throws IOException {
        RedisEndpoint endpoint = spec.endpoint();
        String what = "backup " + context.manifest().id();
        List<String> warnings = new ArrayList<>();
        try (RespConnection c = endpoint.connect()) {
            // the target's version and emptiness are checked first, from the manifest, before the
            // backup is decrypted and read; then again from what the stream really holds
            String targetVersion = targetVersion(c, endpoint);
            int targetRdb = RdbVersions.forRedis(targetVersion);
            if (targetRdb < 0) {
                warnings.add("the target's Redis version '" + targetVersion + "' is not understood: RDB version compatibility was not checked");
                LOG.warn("{}: {}", endpoint.describe(), warnings.get(warnings.size() - 1));
            }
            if (context.manifest().facts().get("rdbVersion") instanceof Number declared) {
                checkVersion(context, endpoint, what, declared.intValue(), targetRdb, targetVersion);
            }
            Map<Integer, Long> existing = endpoint.keyspace(c);
            if (!spec.replaceExisting()) {
                Map<Integer, Long> declaredKeys = new TreeMap<>();
                if (context.manifest().facts().get("keys") instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> declaredKeys.put(Integer.parseInt(String.valueOf(k).substring(2)), ((Number) v).longValue()));
                }
                checkEmpty(endpoint, declaredKeys.keySet(), existing);
            }
            // pass 1: read and verify everything before touching the target
            int[] maxVersion = {0};
            long functions = 0;
            Map<Integer, Long> inBackup;
            try (InputStream in = context.openStream(STREAM)) {
                if (keyDump) {
                    Map<Integer, Long> counts = new TreeMap<>();
                    KeyDumpFormat.read(in, what, (db, key, expire, payload) -> {
                        counts.merge(db, 1L, Long::sum);
                        maxVersion[0] = Math.max(maxVersion[0], KeyDumpFormat.payloadVersion(payload));
                    });
                    inBackup = counts;
                } else {
                    RdbReader.Summary s = new RdbReader(in, null, false, what)
                            .read(new RdbReader.Visitor() { });
                    maxVersion[0] = s.rdbVersion();
                    inBackup = s.keysPerDb();
                    functions = s.functions();
                }
            }
            checkVersion(context, endpoint, what, maxVersion[0], targetRdb, targetVersion);
            if (!spec.replaceExisting()) {
                existing = endpoint.keyspace(c);
                checkEmpty(endpoint, inBackup.keySet(), existing);
            }
            if (functions > 0) {
                warnings.add(functions + " function librar" + (functions == 1 ? "y" : "ies") + " in the backup were not restored:"
                        + " RESTORE loads keys only; restore into RedisTarget.rdbFile(..) to keep them, or load them with FUNCTION RESTORE");
                LOG.warn("restore of {} into {}: {}", what, endpoint.describe(), warnings.get(warnings.size() - 1));
            }
            // pass 2: load. Key dumps always use REPLACE (the target was checked empty above, unless
            // replaceExisting()): SCAN may list a key twice, and the second RESTORE must not fail
            // the server's clock decides which keys have expired, not ours
            Pipeline p = new Pipeline(c, endpoint, spec.batchSize(), serverTimeMs(c, endpoint),
                    spec.replaceExisting() || keyDump);
            try {
                try (InputStream in = context.openStream(STREAM)) {
                    if (keyDump) {
                        KeyDumpFormat.read(in, what, (db, key, expire, payload) -> p.restore(db, key, expire, payload, payload.length));
                    } else {
                        int version = maxVersion[0];
                        // pass 1 verified the RDB's CRC-64 over these bytes, and the engine checks their SHA-256 again
                        new RdbReader(in, null, true, what).withoutChecksum().read(new RdbReader.Visitor() {
                            @Override
                            public void key(int db, byte[] key, long expireAtMs, CapturedValue value) throws IOException {
                                PayloadArgument payload = new PayloadArgument(value, version);
                                p.restore(db, key, expireAtMs, payload, payload.length());
                            }
                        });
                    }
                }
                p.drain();
            } finally {
                p.stop(); // the reader thread ends; the connection is ours again for DBSIZE and TIME
            }
            context.checksStarted();
            // DBSIZE and the server's TIME together: restored keys whose expiry has passed by then
            // may already be gone (or not yet: DBSIZE still counts expired keys until they are evicted)
            Map<Integer, Long> found = new TreeMap<>();
            Map<Integer, Long> expiredSince = new TreeMap<>();
            for (int db : inBackup.keySet()) {
                c.send("SELECT", Integer.toString(db));
                c.send("DBSIZE");
                c.send("TIME");
                c.flush();
                endpoint.check(c.read(), "SELECT");
                found.put(db, (Long) endpoint.check(c.read(), "DBSIZE"));
                expiredSince.put(db, p.expiredBy(db, timeMs(endpoint.check(c.read(), "TIME"))));
            }
            LOG.info("restored backup {} into {}: {} keys loaded, {} already expired and skipped", context.manifest().id(),
                    endpoint.describe(), p.restored.values().stream().mapToLong(Long::longValue).sum(), p.expiredSkipped);
            Map<Integer, Long> expected = new TreeMap<>();
            Map<Integer, Long> before = existing;
            inBackup.forEach((db, n) -> expected.put(db, p.restored.getOrDefault(db, 0L) + before.getOrDefault(db, 0L)));
            List<CheckResult> checks = keyChecks(context, p.restored, expected, found, p.expiredPerDb, expiredSince,
                    "in " + endpoint.describe());
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("keysRestored", dbKeys(p.restored));
            facts.put("expiredSkipped", p.expiredSkipped);
            facts.put("expiredDuringRestore", expiredSince.values().stream().mapToLong(Long::longValue).sum());
            facts.put("targetRedisVersion", targetVersion == null ? "unknown" : targetVersion);
            if (!keyDump) {
                facts.put("functionsNotRestored", functions);
            }
            if (!warnings.isEmpty()) {
                facts.put("warnings", List.copyOf(warnings));
            }
            return new RestoreOutcome(endpoint.describe(), checks, facts);
        }
    }

    private static long serverTimeMs(RespConnection c, RedisEndpoint endpoint) throws IOException {
        return timeMs(endpoint.check(c.call("TIME"), "TIME"));
    }

    /** Unix milliseconds from a {@code TIME} reply. */
    private static long timeMs(Object timeReply) {
        List<Object> time = RedisEndpoint.list(timeReply);
        return Long.parseLong(new String((byte[]) time.get(0), java.nio.charset.StandardCharsets.US_ASCII)) * 1000
                + Long.parseLong(new String((byte[]) time.get(1), java.nio.charset.StandardCharsets.US_ASCII)) / 1000;
    }

    /**
     * The target's {@code redis_version}. An {@code INFO} refusal fails the restore: without the
     * version the RDB compatibility cannot be checked, and that check is never skipped silently.
     */
    private static String targetVersion(RespConnection c, RedisEndpoint endpoint) throws IOException {
        Object r = c.call("INFO", "server");
        if (r instanceof RespConnection.RespError err) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "INFO server on " + endpoint.describe() + " was refused ("
                    + err.message() + "): the target's Redis version cannot be checked against the backup's RDB version;"
                    + " grant the user the INFO command (+info)");
        }
        return RedisEndpoint.parseInfo(r).get("redis_version");
    }

    private static void checkVersion(RestoreContext context, RedisEndpoint endpoint, String what, int rdbVersion, int targetRdb,
                                     String targetVersion) {
        if (targetRdb > 0 && rdbVersion > targetRdb) {
            throw new BackupException(CoreErrorCode.VERSION_MISMATCH, what + " holds RDB version " + rdbVersion
                    + " data, but " + endpoint.describe() + " runs Redis " + targetVersion + ", which reads RDB versions up to "
                    + targetRdb + ": restore into a Redis server at least as new as the one backed up ("
                    + context.manifest().facts().getOrDefault("redisVersion", "see the manifest") + ")");
        }
    }

    private static void checkEmpty(RedisEndpoint endpoint, java.util.Set<Integer> dbs, Map<Integer, Long> existing) {
        for (int db : dbs) {
            long n = existing.getOrDefault(db, 0L);
            if (n > 0) {
                throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, endpoint.describe() + " db" + db + " already holds "
                        + n + " keys: restore into an empty server, or call RedisTarget.replaceExisting() to overwrite keys");
            }
        }
    }

    /**
     * A DUMP payload streamed from a captured RDB value: type + value in pieces, the RDB version
     * (2 bytes LE) and the CRC-64 of all that (8 bytes LE). Never one array, so a restore holds a
     * large value once, not three times.
     */
    static final class PayloadArgument implements RespConnection.BulkArgument {
        private final CapturedValue value;
        private final byte[] trailer = new byte[10];

        PayloadArgument(CapturedValue value, int rdbVersion) {
            this.value = value;
            trailer[0] = (byte) rdbVersion;
            trailer[1] = (byte) (rdbVersion >> 8);
            long crc = Crc64Jones.update(value.crc(0), trailer, 0, 2);
            for (int i = 0; i < 8; i++) {
                trailer[2 + i] = (byte) (crc >>> (8 * i));
            }
        }

        @Override
        public long length() {
            return value.length() + trailer.length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            value.writeTo(out);
            out.write(trailer);
        }
    }

    /** A DUMP payload: type + value (as {@code value} holds them), RDB version LE16, CRC-64 LE. */
    static byte[] payload(byte[] typeAndValue, int rdbVersion) {
        int n = typeAndValue.length;
        byte[] p = java.util.Arrays.copyOf(typeAndValue, n + 10);
        p[n] = (byte) rdbVersion;
        p[n + 1] = (byte) (rdbVersion >> 8);
        long crc = Crc64Jones.update(0, p, 0, n + 2);
        for (int i = 0; i < 8; i++) {
            p[n + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return p;
    }

    private static List<CheckResult> keyChecks(RestoreContext context, Map<Integer, Long> loaded, Map<Integer, Long> expected,
                                               Map<Integer, Long> found, Map<Integer, Long> expired,
                                               Map<Integer, Long> expiredSince, String where) {
        Map<String, Long> manifestKeys = new TreeMap<>();
        if (context.manifest().facts().get("keys") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> manifestKeys.put(String.valueOf(k), ((Number) v).longValue()));
        }
        List<CheckResult> checks = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : expected.entrySet()) {
            String db = "db" + e.getKey();
            long f = found.getOrDefault(e.getKey(), 0L);
            long exp = expired.getOrDefault(e.getKey(), 0L);
            Long inManifest = manifestKeys.get(db);
            // the manifest counted the keys at backup time; keys expired since then were skipped
            // with replaceExisting() the target's earlier keys may or may not overlap ours: a range
            // restored keys whose expiry passed before DBSIZE ran may already have been evicted
            long restored = loaded.getOrDefault(e.getKey(), 0L);
            long since = expiredSince.getOrDefault(e.getKey(), 0L);
            long low = restored - since;
            boolean ok = f >= low && f <= e.getValue() && (inManifest == null || inManifest - exp == restored);
            String detail = "expected " + (low == e.getValue() ? "" : low + "..") + e.getValue() + " (manifest " + (inManifest == null ? "n/a" : inManifest)
                    + (exp > 0 ? ", " + exp + " expired before restore" : "")
                    + (since > 0 ? ", " + since + " expired during restore" : "") + "), found " + f + " " + where;
            checks.add(ok ? CheckResult.passed("keys " + db, detail) : CheckResult.failed("keys " + db, detail));
        }
        for (Map.Entry<String, Long> e : manifestKeys.entrySet()) {
            int db = Integer.parseInt(e.getKey().substring(2));
            if (!expected.containsKey(db)) {
                checks.add(CheckResult.failed("keys " + e.getKey(), "manifest lists " + e.getValue() + " keys, backup stream has none"));
            }
        }
        return checks;
    }

    private static Map<String, Long> dbKeys(Map<Integer, Long> perDb) {
        Map<String, Long> m = new TreeMap<>();
        perDb.forEach((db, n) -> m.put("db" + db, n));
        return m;
    }

    /**
     * Pipelined SELECT/RESTORE: this thread only sends; a second thread ({@value #READER_THREAD}) reads the
     * replies as they come, so the client never waits for the server between batches and the server never
     * waits for the client. At most {@value #WINDOW} replies are outstanding (a bound on what the server
     * buffers for us, not on our memory: a reply is {@code +OK}); values are still streamed in pieces by
     * {@link RespConnection#send}. The first error reply fails the restore, at the latest at {@link #drain()}.
     */
    private static final class Pipeline {
        private final RespConnection c;
        private final RedisEndpoint endpoint;
        private final int batch;
        private final long nowMs;
        private int db = -1;
        private int unflushed;
        private long unflushedBytes;
        final Map<Integer, Long> restored = new TreeMap<>();
        final Map<Integer, Long> expiredPerDb = new TreeMap<>();
        long expiredSkipped;

        private final boolean replace;
        /** Free reply slots; the reader releases one per reply read. */
        private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
        /** Replies the reader may read: one permit per command sent (plus one to stop it). */
        private final java.util.concurrent.Semaphore sent = new java.util.concurrent.Semaphore(0);
        private volatile boolean stopping;
        private volatile String firstError;
        private volatile Throwable readFailure;
        private final Thread reader;

        Pipeline(RespConnection c, RedisEndpoint endpoint, int batch, long nowMs, boolean replace) {
            this.replace = replace;
            this.c = c;
            this.endpoint = endpoint;
            this.batch = batch;
            this.nowMs = nowMs;
            this.reader = new Thread(this::readReplies, READER_THREAD);
            reader.setDaemon(true);
            reader.start();
        }

        private void readReplies() {
            try {
                while (true) {
                    sent.acquire();
                    if (stopping) {
                        return;
                    }
                    Object r = c.read();
                    if (r instanceof RespConnection.RespError err && firstError == null) {
                        firstError = err.message();
                    }
                    window.release();
                }
            } catch (InterruptedException e) {
                readFailure = e;
            } catch (IOException | RuntimeException e) {
                readFailure = e;
            } finally {
                // a writer waiting for a slot must not wait forever for a reader that has ended
                window.release(WINDOW);
            }
        }

        /**
         * Restored keys with an expiry, per database, counted per second after {@code nowMs} (second
         * s holds expiries in ((s-1) s, s s]) for a day, the rest in one count: 338 KiB per database
         * that has expiring keys, whatever their number.
         */
        private final Map<Integer, int[]> expiringPerSecond = new TreeMap<>();
        private final Map<Integer, Long> expiringLater = new TreeMap<>();

        /**
         * Restored keys of {@code keyDb} whose expiry may be at or before {@code serverMs}: every key
         * whose expiry is, plus those expiring within the same second after it (a bound, never an
         * undercount).
         */
        long expiredBy(int keyDb, long serverMs) {
            int[] perSecond = expiringPerSecond.get(keyDb);
            if (perSecond == null) {
                return 0;
            }
            long upTo = Math.max(0, Math.floorDiv(serverMs - nowMs + 999, 1000));
            long count = 0;
            for (int i = 0; i <= Math.min(upTo, HORIZON_SECONDS - 1); i++) {
                count += perSecond[i];
            }
            return upTo >= HORIZON_SECONDS ? count + expiringLater.getOrDefault(keyDb, 0L) : count;
        }

        private void remember(int keyDb, long expireAtMs) {
            long second = Math.floorDiv(expireAtMs - nowMs + 999, 1000);
            if (second < HORIZON_SECONDS) {
                expiringPerSecond.computeIfAbsent(keyDb, k -> new int[HORIZON_SECONDS])[(int) second]++;
            } else {
                expiringPerSecond.computeIfAbsent(keyDb, k -> new int[HORIZON_SECONDS]);
                expiringLater.merge(keyDb, 1L, Long::sum);
            }
        }

        /** {@code payload} is a byte[] or a {@link RespConnection.BulkArgument} of {@code payloadLength} bytes. */
        void restore(int keyDb, byte[] key, long expireAtMs, Object payload, long payloadLength) throws IOException {
            if (expireAtMs != -1 && expireAtMs <= nowMs) {
                expiredSkipped++;
                expiredPerDb.merge(keyDb, 1L, Long::sum);
                return;
            }
            if (keyDb != db) {
                slot();
                c.send("SELECT", Integer.toString(keyDb));
                sent.release();
                db = keyDb;
            }
            long ttl = expireAtMs == -1 ? 0 : expireAtMs;
            slot();
            byte[] ttlArg = ttl == 0 ? ZERO : Long.toString(ttl).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (replace) {
                c.send(RESTORE, key, ttlArg, payload, REPLACE, ABSTTL);
            } else {
                c.send(RESTORE, key, ttlArg, payload, ABSTTL);
            }
            sent.release();
            unflushed++;
            unflushedBytes += payloadLength + key.length;
            restored.merge(keyDb, 1L, Long::sum);
            if (expireAtMs != -1) {
                remember(keyDb, expireAtMs);
            }
            if (unflushed >= batch || unflushedBytes >= MAX_PENDING_BYTES) {
                // the buffer also empties itself when full; this bounds how long a small command waits
                c.flush();
                unflushed = 0;
                unflushedBytes = 0;
            }
        }

        /** Takes a reply slot; flushes first when none is free, so the server can answer what we wait for. */
        private void slot() throws IOException {
            failOnReply();
            if (!window.tryAcquire()) {
                c.flush();
                unflushed = 0;
                unflushedBytes = 0;
                acquire(1);
                failOnReply();
            }
        }

        private void acquire(int permits) throws IOException {
            try {
                window.acquire(permits);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "restore into " + endpoint.describe()
                        + " was interrupted", e);
            }
        }

        private void failOnReply() throws IOException {
            String err = firstError;
            if (err != null) {
                throw new BackupException(err.startsWith("BUSYKEY") ? CoreErrorCode.TARGET_NOT_EMPTY
                        : CoreErrorCode.SOURCE_FAILED, "RESTORE into " + endpoint.describe() + " db" + db + " failed: "
                        + err + (err.startsWith("BUSYKEY") ? " (call RedisTarget.replaceExisting() to overwrite)" : ""));
            }
            Throwable t = readFailure;
            if (t != null) {
                throw t instanceof IOException io ? new IOException("reading replies from " + endpoint.describe()
                        + " failed: " + io.getMessage(), io) : new IOException("reading replies from " + endpoint.describe()
                        + " failed: " + t, t);
            }
        }

        /** Sends what is buffered and waits until every reply is read; fails on the first error reply. */
        void drain() throws IOException {
            c.flush();
            unflushed = 0;
            unflushedBytes = 0;
            acquire(WINDOW);
            try {
                failOnReply();
            } finally {
                window.release(WINDOW);
            }
        }

        /**
         * Ends the reader thread. After {@link #drain()} nothing is outstanding and the connection is free
         * for other commands; after a failure the reader also ends when the connection is closed.
         */
        void stop() {
            stopping = true;
            sent.release();
            if (Thread.currentThread() != reader) {
                try {
                    reader.join(readerJoinMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private long readerJoinMillis() {
            // after drain() the reader is waiting on `sent` and ends at once; otherwise it may be blocked
            // reading a reply from a connection that the caller closes right after: do not wait for that
            return window.availablePermits() >= WINDOW ? 10_000 : 1;
        }
    }
}
