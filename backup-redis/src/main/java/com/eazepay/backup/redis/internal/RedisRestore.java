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
        }
    }

    // ---------------------------------------------------------------- file

    private static RestoreOutcome toFile(RestoreContext context, RestoreSpec spec) throws IOException {
        Path file = targetFile(spec);
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
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
                    + " call RedisTarget.rdbFile(path).overwriteExisting() or choose another path");
        }
        return file;
    }

    /** Moves the verified temporary RDB into place and reports the key counts it holds. */
    private static RestoreOutcome commitFile(RestoreContext context, Path tmp, Path file, RdbReader.Summary summary) throws IOException {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        LOG.info("restored backup {} into RDB file {} ({} bytes, {} keys)", context.manifest().id(), file,
                summary.bytes(), summary.totalKeys());
        List<CheckResult> checks = keyChecks(context, summary.keysPerDb(), summary.keysPerDb(), summary.keysPerDb(), Map.of(),
                "in the RDB file");
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("rdbVersion", summary.rdbVersion());
        facts.put("keys", dbKeys(summary.keysPerDb()));
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
        String what = "backup " + context.manifest().id();
        int[] version = {0};
        try (InputStream in = context.openStream(STREAM)) {
            KeyDumpFormat.read(in, what, (db, key, expire, payload) ->
                    version[0] = Math.max(version[0], KeyDumpFormat.payloadVersion(payload)));
        }
        int rdbVersion = Math.max(version[0], 9);
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
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
            crc = Crc64.update(crc, b);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc = Crc64.update(crc, b, off, len);
            out.write(b, off, len);
        }
    }

    // ---------------------------------------------------------------- live server

    private static RestoreOutcome toServer(RestoreContext context, RestoreSpec spec, boolean keyDump) throws IOException {
        RedisEndpoint endpoint = spec.endpoint();
        String what = "backup " + context.manifest().id();
        // pass 1: read and verify everything before touching the target
        int[] maxVersion = {0};
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
                RdbReader.Summary s = new RdbReader(new java.io.BufferedInputStream(in, 1 << 16), null, false, what)
                        .read(new RdbReader.Visitor() { });
                maxVersion[0] = s.rdbVersion();
                inBackup = s.keysPerDb();
            }
        }
        try (RespConnection c = endpoint.connect()) {
            String targetVersion = RedisEndpoint.info(c, "server").get("redis_version");
            int targetRdb = RdbVersions.forRedis(targetVersion);
            if (targetRdb > 0 && maxVersion[0] > targetRdb) {
                throw new BackupException(CoreErrorCode.VERSION_MISMATCH, what + " holds RDB version " + maxVersion[0]
                        + " data, but " + endpoint.describe() + " runs Redis " + targetVersion + ", which reads RDB versions up to "
                        + targetRdb + ": restore into a Redis server at least as new as the one backed up ("
                        + context.manifest().facts().getOrDefault("redisVersion", "see the manifest") + ")");
            }
            Map<Integer, Long> existing = endpoint.keyspace(c);
            if (!spec.replaceExisting()) {
                for (int db : inBackup.keySet()) {
                    long n = existing.getOrDefault(db, 0L);
                    if (n > 0) {
                        throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, endpoint.describe() + " db" + db + " already holds "
                                + n + " keys: restore into an empty server, or call RedisTarget.replaceExisting() to overwrite keys");
                    }
                }
            }
            // pass 2: load. Key dumps always use REPLACE (the target was checked empty above, unless
            // replaceExisting()): SCAN may list a key twice, and the second RESTORE must not fail
            Pipeline p = new Pipeline(c, endpoint, spec.batchSize(), context.clock().millis(),
                    spec.replaceExisting() || keyDump);
            try (InputStream in = context.openStream(STREAM)) {
                if (keyDump) {
                    KeyDumpFormat.read(in, what, p::restore);
                } else {
                    new RdbReader(new java.io.BufferedInputStream(in, 1 << 16), null, true, what).read(new RdbReader.Visitor() {
                        @Override
                        public void key(int db, byte[] key, long expireAtMs, byte[] value) throws IOException {
                            p.restore(db, key, expireAtMs, payload(value, maxVersion[0]));
                        }
                    });
                }
            }
            p.drain();
            Map<Integer, Long> found = new TreeMap<>();
            for (int db : inBackup.keySet()) {
                endpoint.check(c.call("SELECT", Integer.toString(db)), "SELECT");
                found.put(db, (Long) endpoint.check(c.call("DBSIZE"), "DBSIZE"));
            }
            LOG.info("restored backup {} into {}: {} keys loaded, {} already expired and skipped", context.manifest().id(),
                    endpoint.describe(), p.restored.values().stream().mapToLong(Long::longValue).sum(), p.expiredSkipped);
            Map<Integer, Long> expected = new TreeMap<>();
            inBackup.forEach((db, n) -> expected.put(db, p.restored.getOrDefault(db, 0L) + existing.getOrDefault(db, 0L)));
            List<CheckResult> checks = keyChecks(context, p.restored, expected, found, p.expiredPerDb, "in " + endpoint.describe());
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("keysRestored", dbKeys(p.restored));
            facts.put("expiredSkipped", p.expiredSkipped);
            facts.put("targetRedisVersion", targetVersion == null ? "unknown" : targetVersion);
            return new RestoreOutcome(endpoint.describe(), checks, facts);
        }
    }

    /** A DUMP payload: type + value (as {@code value} holds them), RDB version LE16, CRC-64 LE. */
    static byte[] payload(byte[] typeAndValue, int rdbVersion) {
        int n = typeAndValue.length;
        byte[] p = java.util.Arrays.copyOf(typeAndValue, n + 10);
        p[n] = (byte) rdbVersion;
        p[n + 1] = (byte) (rdbVersion >> 8);
        long crc = Crc64.update(0, p, 0, n + 2);
        for (int i = 0; i < 8; i++) {
            p[n + 2 + i] = (byte) (crc >>> (8 * i));
        }
        return p;
    }

    private static List<CheckResult> keyChecks(RestoreContext context, Map<Integer, Long> loaded, Map<Integer, Long> expected,
                                               Map<Integer, Long> found, Map<Integer, Long> expired, String where) {
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
            long low = loaded.getOrDefault(e.getKey(), 0L);
            boolean ok = f >= low && f <= e.getValue() && (inManifest == null || inManifest - exp == low);
            String detail = "expected " + (low == e.getValue() ? "" : low + "..") + e.getValue() + " (manifest " + (inManifest == null ? "n/a" : inManifest)
                    + (exp > 0 ? ", " + exp + " expired before restore" : "") + "), found " + f + " " + where;
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

    /** Pipelined SELECT/RESTORE with bounded replies outstanding. */
    private static final class Pipeline {
        private final RespConnection c;
        private final RedisEndpoint endpoint;
        private final int batch;
        private final long nowMs;
        private int db = -1;
        private int pending;
        private long pendingBytes;
        final Map<Integer, Long> restored = new TreeMap<>();
        final Map<Integer, Long> expiredPerDb = new TreeMap<>();
        long expiredSkipped;

        private final boolean replace;

        Pipeline(RespConnection c, RedisEndpoint endpoint, int batch, long nowMs, boolean replace) {
            this.replace = replace;
            this.c = c;
            this.endpoint = endpoint;
            this.batch = batch;
            this.nowMs = nowMs;
        }

        void restore(int keyDb, byte[] key, long expireAtMs, byte[] payload) throws IOException {
            if (expireAtMs != -1 && expireAtMs <= nowMs) {
                expiredSkipped++;
                expiredPerDb.merge(keyDb, 1L, Long::sum);
                return;
            }
            if (keyDb != db) {
                c.send("SELECT", Integer.toString(keyDb));
                pending++;
                db = keyDb;
            }
            long ttl = expireAtMs == -1 ? 0 : expireAtMs;
            if (replace) {
                c.send("RESTORE", key, Long.toString(ttl), payload, "REPLACE", "ABSTTL");
            } else {
                c.send("RESTORE", key, Long.toString(ttl), payload, "ABSTTL");
            }
            pending++;
            pendingBytes += payload.length + key.length;
            restored.merge(keyDb, 1L, Long::sum);
            if (pending >= batch || pendingBytes >= MAX_PENDING_BYTES) {
                drain();
            }
        }

        void drain() throws IOException {
            c.flush();
            String firstError = null;
            for (int i = 0; i < pending; i++) {
                Object r = c.read();
                if (r instanceof RespConnection.RespError err && firstError == null) {
                    firstError = err.message();
                }
            }
            pending = 0;
            pendingBytes = 0;
            if (firstError != null) {
                throw new BackupException(firstError.startsWith("BUSYKEY") ? CoreErrorCode.TARGET_NOT_EMPTY
                        : CoreErrorCode.SOURCE_FAILED, "RESTORE into " + endpoint.describe() + " db" + db + " failed: "
                        + firstError + (firstError.startsWith("BUSYKEY") ? " (call RedisTarget.replaceExisting() to overwrite)" : ""));
            }
        }
    }
}
