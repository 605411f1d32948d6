package com.eazepay.backup.mongo.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Streaming reader of the mongodump {@code --archive} format, also of archives written with
 * {@code mongodump --archive --gzip} (the whole stream gzip-compressed: detected by its magic bytes).
 * Namespaces may be interleaved in segments; each namespace's CRC-64 is checked at its end block.
 * Memory: one document at a time.
 *
 * <p>Errors are {@code BackupException(CORRUPT_DATA)} naming the namespace and the offset (in the
 * uncompressed archive) where reading failed. Not thread-safe. Closing closes the input.
 */
public final class ArchiveReader implements Closeable {

    /** What {@link #next()} returns. */
    public sealed interface Event permits Document, NamespaceEnd {
    }

    /**
     * One document of a namespace.
     *
     * @param namespace {@code db.collection} or {@code oplog}
     * @param document  the exact bytes read
     */
    public record Document(String namespace, String db, String collection, RawBsonDocument document) implements Event {
    }

    /**
     * The end block of a namespace; its CRC has been checked.
     *
     * @param documents documents read for this namespace
     * @param crc       checksum stored and verified
     */
    public record NamespaceEnd(String namespace, String db, String collection, long documents, long crc) implements Event {
    }

    private final InputStream in;
    private final ArchiveHeader header;
    private final List<CollectionMetadata> collections = new ArrayList<>();
    private final Map<String, NsState> states = new LinkedHashMap<>();
    private final byte[] lenBuf = new byte[4];
    private long offset;
    private NsState current;
    private String lastNamespace;
    private boolean finished;
    private boolean verifyCrc = true;

    private static final class NsState {
        final String db;
        final String collection;
        final Crc64Xz crc = new Crc64Xz();
        long documents;
        boolean ended;

        NsState(String db, String collection) {
            this.db = db;
            this.collection = collection;
        }

        String ns() {
            return ArchiveFormat.namespace(db, collection);
        }
    }

    private ArchiveReader(InputStream in) {
        this.in = in;
        int magic = readInt("magic number");
        if (magic != ArchiveFormat.MAGIC) {
            throw corrupt(null, 0, String.format("not a mongodump archive: magic number is 0x%08x, expected 0x%08x",
                    magic, ArchiveFormat.MAGIC));
        }
        BsonDocument h = decode(null, 4, readDocument(null, "archive header", readInt("archive header")));
        this.header = new ArchiveHeader(intValue(h.get("concurrent_collections")), string(h, "version"),
                string(h, "server_version"), string(h, "tool_version"));
        while (true) {
            long at = offset;
            int len = readInt("prelude");
            if (len == ArchiveFormat.TERMINATOR) {
                break;
            }
            BsonDocument d = decode(null, at, readDocument(null, "collection metadata at offset " + at, len));
            collections.add(new CollectionMetadata(string(d, "db"), string(d, "collection"), string(d, "metadata"),
                    longValue(d.get("size")), string(d, "type")));
        }
    }

    /**
     * Opens a reader and reads the prelude. Takes ownership of {@code in}.
     *
     * @throws BackupException {@code CORRUPT_DATA} if the prelude is not a mongodump archive prelude
     */
    public static ArchiveReader open(InputStream in) {
        return open(in, true);
    }

    /**
     * Like {@link #open(InputStream)}; with {@code verifyCrc} false the per-namespace CRC-64 is neither
     * computed nor compared, for a second pass over bytes a first pass has already verified (structure,
     * lengths and BSON are still checked).
     */
    public static ArchiveReader open(InputStream in, boolean verifyCrc) {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        try {
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            InputStream body = buffered;
            if (b0 == 0x1f && b1 == 0x8b) {
                body = new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
            }
            ArchiveReader reader = new ArchiveReader(body);
            reader.verifyCrc = verifyCrc;
            return reader;
        } catch (IOException e) {
            closeQuietly(buffered, e);
            throw new BackupException(CoreErrorCode.CORRUPT_DATA,
                    "cannot read the mongodump archive header: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(buffered, e);
            throw e;
        }
    }

    /** The archive header. */
    public ArchiveHeader header() {
        return header;
    }

    /** The collection metadata documents of the prelude, in archive order. */
    public List<CollectionMetadata> collections() {
        return List.copyOf(collections);
    }

    /** Offset in the uncompressed archive of the next byte to read. */
    public long offset() {
        return offset;
    }

    /**
     * The next document or namespace end, or {@code null} at the end of the archive (after checking
     * that every namespace that had documents also had its end block).
     *
     * @throws BackupException {@code CORRUPT_DATA} naming namespace and offset
     */
    public Event next() {
        if (finished) {
            return null;
        }
        while (true) {
            if (current == null) {
                long at = offset;
                int len = readIntOrEnd();
                if (len == -2) {
                    finished = true;
                    for (CollectionMetadata cm : collections) {
                        String dataNs = cm.type().equals("timeseries")
                                ? ArchiveFormat.namespace(cm.db(), "system.buckets." + cm.collection()) : cm.namespace();
                        NsState s = states.get(dataNs);
                        if (!cm.type().equals("view") && (s == null || !s.ended)) {
                            throw corrupt(dataNs, offset, "archive ends before the end block of namespace " + dataNs
                                    + " listed in its prelude (truncated archive?)");
                        }
                    }
                    for (NsState s : states.values()) {
                        if (!s.ended) {
                            throw corrupt(s.ns(), offset, "archive ends before the end block of namespace " + s.ns()
                                    + " (truncated archive?)");
                        }
                    }
                    return null;
                }
                if (len == ArchiveFormat.TERMINATOR) {
                    throw corrupt(null, at, "terminator where a namespace header was expected");
                }
                BsonDocument h = decode(null, at, readDocument(null, "namespace header", len));
                String db = string(h, "db");
                String coll = string(h, "collection");
                String ns = ArchiveFormat.namespace(db, coll);
                BsonValue eof = h.get("EOF");
                if (eof == null || !eof.isBoolean()) {
                    throw corrupt(ns, at, "namespace header without boolean EOF field");
                }
                NsState state = states.computeIfAbsent(ns, k -> new NsState(db, coll));
                lastNamespace = ns;
                if (state.ended) {
                    throw corrupt(ns, at, "namespace " + ns + " continues after its end block");
                }
                if (eof.asBoolean().getValue()) {
                    long stored = longValue(h.get("CRC"));
                    state.ended = true;
                    long term = offset;
                    if (readInt("terminator after end block of " + ns) != ArchiveFormat.TERMINATOR) {
                        throw corrupt(ns, term, "missing terminator after the end block of namespace " + ns);
                    }
                    if (verifyCrc && stored != state.crc.value()) {
                        throw corrupt(ns, at, String.format(
                                "CRC-64 mismatch in namespace %s: end block says %d, documents give %d",
                                ns, stored, state.crc.value()));
                    }
                    return new NamespaceEnd(ns, db, coll, state.documents, stored);
                }
                current = state;
                continue;
            }
            int len = readInt("document of " + current.ns());
            if (len == ArchiveFormat.TERMINATOR) {
                current = null;
                continue;
            }
            RawBsonDocument doc = readDocument(current.ns(), "document", len);
            java.nio.ByteBuffer nio = doc.getByteBuffer().asNIO();
            if (verifyCrc) {
                current.crc.update(nio.array(), nio.arrayOffset() + nio.position(), nio.remaining());
            }
            current.documents++;
            return new Document(current.ns(), current.db, current.collection, doc);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private RawBsonDocument readDocument(String ns, String what, int len) {
        long at = offset - 4;
        if (len < ArchiveFormat.MIN_DOCUMENT_SIZE || len > ArchiveFormat.MAX_DOCUMENT_SIZE) {
            throw corrupt(ns, at, "invalid BSON length " + Integer.toUnsignedString(len) + " of " + what);
        }
        byte[] buf = new byte[len];
        buf[0] = lenBuf[0];
        buf[1] = lenBuf[1];
        buf[2] = lenBuf[2];
        buf[3] = lenBuf[3];
        readFully(buf, 4, len - 4, ns, what);
        if (buf[len - 1] != 0) {
            throw corrupt(ns, at, "BSON " + what + " of " + len + " bytes does not end with a zero byte");
        }
        return new RawBsonDocument(buf);
    }

    private BsonDocument decode(String ns, long at, RawBsonDocument raw) {
        try {
            return raw.toBsonDocument();
        } catch (org.bson.BSONException | IllegalArgumentException e) {
            throw corrupt(ns, at, "malformed BSON: " + e.getMessage(), e);
        }
    }

    private int readInt(String what) {
        readFully(lenBuf, 0, 4, current == null ? null : current.ns(), what);
        return littleEndian();
    }

    /** Reads a length, or returns -2 at a clean end of stream. */
    private int readIntOrEnd() {
        try {
            int first = in.read();
            if (first < 0) {
                return -2;
            }
            lenBuf[0] = (byte) first;
            offset++;
        } catch (IOException e) {
            throw corrupt(null, offset, "read failed: " + e.getMessage(), e);
        }
        readFully(lenBuf, 1, 3, null, "namespace header");
        return littleEndian();
    }

    private int littleEndian() {
        return (lenBuf[0] & 0xff) | (lenBuf[1] & 0xff) << 8 | (lenBuf[2] & 0xff) << 16 | (lenBuf[3] & 0xff) << 24;
    }

    private void readFully(byte[] buf, int off, int len, String ns, String what) {
        int done = 0;
        try {
            while (done < len) {
                int n = in.read(buf, off + done, len - done);
                if (n < 0) {
                    throw new EOFException("unexpected end of archive");
                }
                done += n;
                offset += n;
            }
        } catch (IOException e) {
            throw corrupt(ns, offset, "truncated or unreadable while reading " + what + ": " + e.getMessage(), e);
        }
    }

    private static String string(BsonDocument d, String key) {
        BsonValue v = d.get(key);
        return v != null && v.isString() ? v.asString().getValue() : "";
    }

    private static int intValue(BsonValue v) {
        return v != null && v.isNumber() ? v.asNumber().intValue() : 0;
    }

    private static long longValue(BsonValue v) {
        return v != null && v.isNumber() ? v.asNumber().longValue() : 0L;
    }

    private BackupException corrupt(String ns, long at, String message) {
        return corrupt(ns, at, message, null);
    }

    private BackupException corrupt(String ns, long at, String message, Throwable cause) {
        String where = ns != null ? " in namespace " + ns : lastNamespace != null ? " after namespace " + lastNamespace : "";
        return new BackupException(CoreErrorCode.CORRUPT_DATA,
                "corrupt mongodump archive" + where + " at offset " + at + ": " + message, cause);
    }

    private static void closeQuietly(InputStream in, Exception original) {
        try {
            in.close();
        } catch (IOException e) {
            original.addSuppressed(e);
        }
    }
}
