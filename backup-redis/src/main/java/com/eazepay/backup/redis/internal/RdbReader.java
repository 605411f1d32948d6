package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A streaming RDB parser with constant memory: it pulls bytes from an input, optionally copies every
 * byte it pulls to a tee output (so the same pass stores and validates), checks the structure
 * (magic, version, opcodes, value types, length encodings) and the CRC-64 trailer, and counts keys
 * per database. String payloads are skipped, LZF-compressed ones without decompressing, except keys
 * and aux fields, which are small. With {@code captureValues}, each key's serialized value (the bytes
 * a {@code DUMP} payload carries) is handed to the visitor; memory is then bounded by the largest
 * single value.
 *
 * <p>Corruption is reported as {@code BackupException(CORRUPT_DATA)} or {@code CHECKSUM_MISMATCH}
 * naming the byte offset; I/O failures of the input propagate as {@link IOException}. Not thread-safe.
 */
public final class RdbReader {

    /** Highest RDB version this parser knows (Redis 7.4 / 8.x write 12). */
    public static final int MAX_VERSION = 12;

    /** Receives the parsed entries. All methods are optional. */
    public interface Visitor {
        /** An AUX field such as {@code redis-ver}. */
        default void aux(String key, String value) throws IOException {
        }

        /**
         * One key. {@code value} is non-null only when values are captured: the RDB type byte
         * followed by the serialized value, exactly as in the file.
         *
         * @param expireAtMs absolute expiry in Unix milliseconds, or -1
         */
        default void key(int db, byte[] key, long expireAtMs, byte[] value) throws IOException {
        }

        /**
         * One key, with its captured value in pieces (or null when values are not captured). By
         * default calls {@link #key(int, byte[], long, byte[])} with the value as one array;
         * override to avoid that copy for large values.
         */
        default void key(int db, byte[] key, long expireAtMs, CapturedValue value) throws IOException {
            key(db, key, expireAtMs, value == null ? null : value.toArray());
        }
    }

    /** What a complete parse found. */
    public record Summary(int rdbVersion, String redisVersion, Map<Integer, Long> keysPerDb, long expiringKeys,
                          long functions, long bytes, boolean checksumPresent) {
        /** Total keys over all databases. */
        public long totalKeys() {
            return keysPerDb.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final int TYPE_STRING = 0;
    private static final int TYPE_LIST = 1;
    private static final int TYPE_SET = 2;
    private static final int TYPE_ZSET = 3;
    private static final int TYPE_HASH = 4;
    private static final int TYPE_ZSET_2 = 5;
    private static final int TYPE_MODULE_PRE_GA = 6;
    private static final int TYPE_MODULE_2 = 7;
    private static final int TYPE_HASH_ZIPMAP = 9;
    private static final int TYPE_LIST_ZIPLIST = 10;
    private static final int TYPE_SET_INTSET = 11;
    private static final int TYPE_ZSET_ZIPLIST = 12;
    private static final int TYPE_HASH_ZIPLIST = 13;
    private static final int TYPE_LIST_QUICKLIST = 14;
    private static final int TYPE_STREAM_LISTPACKS = 15;
    private static final int TYPE_HASH_LISTPACK = 16;
    private static final int TYPE_ZSET_LISTPACK = 17;
    private static final int TYPE_LIST_QUICKLIST_2 = 18;
    private static final int TYPE_STREAM_LISTPACKS_2 = 19;
    private static final int TYPE_SET_LISTPACK = 20;
    private static final int TYPE_STREAM_LISTPACKS_3 = 21;

    private static final int OP_SLOT_INFO = 244;
    private static final int OP_FUNCTION2 = 245;
    private static final int OP_FUNCTION_PRE_GA = 246;
    private static final int OP_MODULE_AUX = 247;
    private static final int OP_IDLE = 248;
    private static final int OP_FREQ = 249;
    private static final int OP_AUX = 250;
    private static final int OP_RESIZEDB = 251;
    private static final int OP_EXPIRETIME_MS = 252;
    private static final int OP_EXPIRETIME = 253;
    private static final int OP_SELECTDB = 254;
    private static final int OP_EOF = 255;

    private final InputStream in;
    private final OutputStream tee;
    private final boolean captureValues;
    private final String what;

    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long base;
    private long crc;
    private boolean checkCrc = true;

    private boolean capturing;
    private final CapturedValue cap = new CapturedValue();

    /**
     * @param in            the RDB bytes; not closed here
     * @param tee           receives every byte read, in order, or null; not closed here
     * @param captureValues whether to hand serialized values to the visitor
     * @param what          names the data in error messages, e.g. {@code RDB from redis://host:6379}
     */
    public RdbReader(InputStream in, OutputStream tee, boolean captureValues, String what) {
        this.in = in;
        this.tee = tee;
        this.captureValues = captureValues;
        this.what = what;
    }

    /**
     * Neither computes nor compares the RDB's own CRC-64: for a second pass over bytes that a first pass
     * verified, and whose SHA-256 the engine checks again at their end (the CRC-64 would be compared only
     * there too). Returns this reader.
     */
    public RdbReader withoutChecksum() {
        checkCrc = false;
        return this;
    }

    /** Parses the whole RDB, to the checksum, and checks that nothing follows it. */
    public Summary read(Visitor visitor) throws IOException {
        byte[] magic = new byte[9];
        readFully(magic, 9);
        String header = new String(magic, StandardCharsets.US_ASCII);
        if (!header.startsWith("REDIS") || !header.substring(5).chars().allMatch(Character::isDigit)) {
            throw corrupt(0, "no RDB header: expected 'REDIS' and a 4-digit version");
        }
        int version = Integer.parseInt(header.substring(5));
        if (version < 1 || version > MAX_VERSION) {
            throw new BackupException(CoreErrorCode.VERSION_MISMATCH, what + ": RDB version " + version
                    + " is not supported by this library (1.." + MAX_VERSION + "); upgrade com.eazepay.backup:backup-redis");
        }
        String redisVersion = null;
        Map<Integer, Long> keys = new TreeMap<>();
        long expiring = 0;
        long functions = 0;
        int db = 0;
        long expireAt = -1;
        while (true) {
            long opOffset = offset();
            int t = u8();
            switch (t) {
                case OP_EOF: {
                    long computed = crc;
                    boolean present = false;
                    if (version >= 5) {
                        long trailerOffset = offset();
                        long expected = u64le();
                        present = expected != 0;
                        if (present && checkCrc && expected != computed) {
                            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, what + ": CRC-64 mismatch: trailer at offset "
                                    + trailerOffset + " says " + Long.toHexString(expected) + ", content hashes to "
                                    + Long.toHexString(computed) + "; the RDB is corrupt");
                        }
                    }
                    expectEnd();
                    return new Summary(version, redisVersion, keys, expiring, functions, offset(), present);
                }
                case OP_SELECTDB:
                    db = lenInt(opOffset);
                    break;
                case OP_EXPIRETIME:
                    expireAt = u32le() * 1000L;
                    break;
                case OP_EXPIRETIME_MS:
                    expireAt = u64le();
                    break;
                case OP_RESIZEDB:
                    len();
                    len();
                    break;
                case OP_AUX: {
                    String k = new String(string(), StandardCharsets.UTF_8);
                    String v = new String(string(), StandardCharsets.UTF_8);
                    if ("redis-ver".equals(k)) {
                        redisVersion = v;
                    }
                    visitor.aux(k, v);
                    break;
                }
                case OP_FREQ:
                    u8();
                    break;
                case OP_IDLE:
                    len();
                    break;
                case OP_MODULE_AUX:
                    len(); // module id
                    skipModuleValue(opOffset);
                    break;
                case OP_FUNCTION2:
                    skipString();
                    functions++;
                    break;
                case OP_FUNCTION_PRE_GA:
                    throw corrupt(opOffset, "function library in the Redis 7.0 release-candidate format (opcode 246) is not supported");
                case OP_SLOT_INFO:
                    len();
                    len();
                    len();
                    break;
                default: {
                    if (!isValueType(t)) {
                        throw corrupt(opOffset, "unknown opcode or value type " + t);
                    }
                    byte[] key = string();
                    if (captureValues) {
                        cap.reset();
                        cap.write(t);
                        capturing = true;
                    }
                    try {
                        skipValue(t, opOffset);
                    } finally {
                        capturing = false;
                    }
                    keys.merge(db, 1L, Long::sum);
                    if (expireAt != -1) {
                        expiring++;
                    }
                    visitor.key(db, key, expireAt, captureValues ? cap : null);
                    if (captureValues) {
                        cap.reset();
                    }
                    expireAt = -1;
                }
            }
        }
    }

    private static boolean isValueType(int t) {
        return (t >= 0 && t <= 7) || (t >= 9 && t <= 25);
    }

    private void skipValue(int t, long at) throws IOException {
        switch (t) {
            case TYPE_STRING, TYPE_HASH_ZIPMAP, TYPE_LIST_ZIPLIST, TYPE_SET_INTSET, TYPE_ZSET_ZIPLIST,
                 TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK, TYPE_ZSET_LISTPACK, TYPE_SET_LISTPACK -> skipString();
            case TYPE_LIST, TYPE_SET, TYPE_LIST_QUICKLIST -> {
                long n = count();
                for (long i = 0; i < n; i++) {
                    skipString();
                }
            }
            case TYPE_ZSET -> {
                long n = count();
                for (long i = 0; i < n; i++) {
                    skipString();
                    int dl = u8();
                    if (dl < 253) {
                        skip(dl);
                    }
                }
            }
            case TYPE_ZSET_2 -> {
                long n = count();
                for (long i = 0; i < n; i++) {
                    skipString();
                    skip(8);
                }
            }
            case TYPE_HASH -> {
                long n = count();
                for (long i = 0; i < n; i++) {
                    skipString();
                    skipString();
                }
            }
            case TYPE_LIST_QUICKLIST_2 -> {
                long n = count();
                for (long i = 0; i < n; i++) {
                    long container = len();
                    if (container != 1 && container != 2) {
                        throw corrupt(offset(), "quicklist node container " + container + " is neither PLAIN(1) nor PACKED(2)");
                    }
                    skipString();
                }
            }
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3 -> skipStream(t);
            case TYPE_MODULE_PRE_GA, TYPE_MODULE_2 -> throw new BackupException(CoreErrorCode.SOURCE_FAILED, what
                    + ": key of a module type (RDB type " + t + ") at offset " + at
                    + ": module data types (RedisJSON, RediSearch, ...) are not supported by this library");
            default -> throw new BackupException(CoreErrorCode.SOURCE_FAILED, what + ": RDB value type " + t
                    + " at offset " + at + " (hash with field expirations, Redis 7.4+) is not supported by this library");
        }
    }

    private void skipStream(int t) throws IOException {
        long listpacks = count();
        for (long i = 0; i < listpacks; i++) {
            long at = offset();
            byte[] nodeKey = string();
            if (nodeKey.length != 16) {
                throw corrupt(at, "stream node key is " + nodeKey.length + " bytes, expected 16");
            }
            skipString();
        }
        len(); // length
        len(); // last id ms
        len(); // last id seq
        if (t >= TYPE_STREAM_LISTPACKS_2) {
            len(); // first id
            len();
            len(); // max deleted id
            len();
            len(); // entries added
        }
        long groups = count();
        for (long g = 0; g < groups; g++) {
            skipString(); // name
            len(); // last id
            len();
            if (t >= TYPE_STREAM_LISTPACKS_2) {
                len(); // entries read
            }
            long pel = count();
            for (long p = 0; p < pel; p++) {
                skip(16); // raw id
                skip(8); // delivery time
                len(); // delivery count
            }
            long consumers = count();
            for (long c = 0; c < consumers; c++) {
                skipString(); // name
                skip(8); // seen time
                if (t >= TYPE_STREAM_LISTPACKS_3) {
                    skip(8); // active time
                }
                long cpel = count();
                skip(cpel * 16);
            }
        }
    }

    private void skipModuleValue(long at) throws IOException {
        while (true) {
            long op = len();
            switch ((int) op) {
                case 0:
                    return;
                case 1, 2:
                    len();
                    break;
                case 3:
                    skip(4);
                    break;
                case 4:
                    skip(8);
                    break;
                case 5:
                    skipString();
                    break;
                default:
                    throw corrupt(at, "unknown module value opcode " + op);
            }
        }
    }

    // ---- encodings ----

    private long len() throws IOException {
        long at = offset();
        int b = u8();
        switch (b >> 6) {
            case 0:
                return b & 0x3f;
            case 1:
                return ((b & 0x3f) << 8) | u8();
            case 2:
                if (b == 0x80) {
                    return u32be();
                }
                if (b == 0x81) {
                    return u64be(); // unsigned: stream ids and counters may use the full range (-1 = unset)
                }
                throw corrupt(at, "invalid length prefix 0x" + Integer.toHexString(b));
            default:
                throw corrupt(at, "encoded value where a length was expected");
        }
    }

    /** A length used as a count or size: must fit a signed long. */
    private long count() throws IOException {
        long at = offset();
        long v = len();
        if (v < 0) {
            throw corrupt(at, "count out of range");
        }
        return v;
    }

    private int lenInt(long at) throws IOException {
        long v = len();
        if (v > Integer.MAX_VALUE) {
            throw corrupt(at, "value " + v + " out of range");
        }
        return (int) v;
    }

    private void skipString() throws IOException {
        long at = offset();
        if ((peek() >> 6) == 3) {
            int b = u8();
            switch (b & 0x3f) {
                case 0 -> skip(1);
                case 1 -> skip(2);
                case 2 -> skip(4);
                case 3 -> {
                    long clen = count();
                    len();
                    skip(clen);
                }
                default -> throw corrupt(at, "unknown string encoding " + (b & 0x3f));
            }
            return;
        }
        skip(count());
    }

    /** Reads a string fully (keys and aux fields), decompressing LZF. */
    private byte[] string() throws IOException {
        long at = offset();
        if ((peek() >> 6) == 3) {
            int b = u8();
            switch (b & 0x3f) {
                case 0:
                    return Long.toString((byte) u8()).getBytes(StandardCharsets.US_ASCII);
                case 1:
                    return Long.toString((short) (u8() | (u8() << 8))).getBytes(StandardCharsets.US_ASCII);
                case 2:
                    return Long.toString((int) u32le()).getBytes(StandardCharsets.US_ASCII);
                case 3: {
                    long clen = count();
                    long ulen = len();
                    if (clen > 512L << 20 || ulen > 512L << 20) {
                        throw corrupt(at, "compressed string too large");
                    }
                    byte[] c = new byte[(int) clen];
                    readFully(c, c.length);
                    return Lzf.decompress(c, (int) ulen, () -> corrupt(at, "invalid LZF data"));
                }
                default:
                    throw corrupt(at, "unknown string encoding " + (b & 0x3f));
            }
        }
        long n = count();
        if (n > 512L << 20) {
            throw corrupt(at, "string of " + n + " bytes exceeds Redis's 512 MB limit");
        }
        byte[] s = new byte[(int) n];
        readFully(s, s.length);
        return s;
    }

    // ---- raw input with CRC, tee and capture ----

    /** Offset in the stream of the next byte to be read. */
    public long offset() {
        return base + pos;
    }

    private void fill() throws IOException {
        base += lim;
        pos = 0;
        lim = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            throw corrupt(base, "unexpected end of data (truncated RDB)");
        }
        if (tee != null) {
            tee.write(buf, 0, n);
        }
        lim = n;
    }

    private int u8() throws IOException {
        if (pos == lim) {
            fill();
        }
        int b = buf[pos++] & 0xff;
        if (checkCrc) {
            crc = Crc64Jones.update(crc, b);
        }
        if (capturing) {
            cap.write(b);
        }
        return b;
    }

    private int peek() throws IOException {
        if (pos == lim) {
            fill();
        }
        return buf[pos] & 0xff;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == lim) {
                fill();
            }
            int k = (int) Math.min(n, lim - pos);
            consume(k);
            n -= k;
        }
    }

    private void readFully(byte[] dst, int n) throws IOException {
        int done = 0;
        while (done < n) {
            if (pos == lim) {
                fill();
            }
            int k = Math.min(n - done, lim - pos);
            System.arraycopy(buf, pos, dst, done, k);
            consume(k);
            done += k;
        }
    }

    private void consume(int k) {
        if (checkCrc) {
            crc = Crc64Jones.update(crc, buf, pos, k);
        }
        if (capturing) {
            cap.write(buf, pos, k);
        }
        pos += k;
    }


    private long u32le() throws IOException {
        return (u8() | (u8() << 8) | (u8() << 16) | ((long) u8() << 24)) & 0xffffffffL;
    }

    private long u64le() throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= ((long) u8()) << (8 * i);
        }
        return v;
    }

    private long u32be() throws IOException {
        return ((long) u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
    }

    private long u64be() throws IOException {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | u8();
        }
        return v;
    }

    private void expectEnd() throws IOException {
        if (pos < lim) {
            throw corrupt(offset(), (lim - pos) + " unexpected bytes after the RDB checksum");
        }
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n > 0) {
            throw corrupt(offset(), "unexpected bytes after the RDB checksum");
        }
    }

    private BackupException corrupt(long at, String why) {
        return new BackupException(CoreErrorCode.CORRUPT_DATA, what + ": corrupt at offset " + at + ": " + why);
    }
}
