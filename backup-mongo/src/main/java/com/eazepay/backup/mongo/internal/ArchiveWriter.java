package com.eazepay.backup.mongo.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Writes the mongodump {@code --archive} format, one namespace after the other (as mongodump does with
 * {@code --numParallelCollections=1}):
 *
 * <pre>
 * magic 0x8199e26d (LE) | header doc | collection-metadata doc* | 0xFFFFFFFF
 * per namespace: [ {db, collection, EOF:false, CRC:0} doc+ 0xFFFFFFFF ] {db, collection, EOF:true, CRC} 0xFFFFFFFF
 * </pre>
 *
 * <p>A namespace with no documents gets only its end block (CRC 0), as mongodump writes it. The
 * CRC is the CRC-64/ECMA ({@link Crc64Xz}) of the raw bytes of every document of the namespace. Does
 * not close the underlying stream. Not thread-safe.
 */
public final class ArchiveWriter {

    private static final byte[] TERMINATOR = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

    private final OutputStream out;
    private long position;
    private String db;
    private String collection;
    private boolean segmentOpen;
    private Crc64Xz crc;
    private long documents;
    private long documentBytes;
    private boolean preludeWritten;

    /** A writer over {@code out}; the caller keeps ownership of {@code out}. */
    public ArchiveWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Writes magic number, header, the collection metadata documents and the prelude terminator. */
    public void writePrelude(ArchiveHeader header, List<CollectionMetadata> collections) {
        if (preludeWritten) {
            throw new IllegalStateException("prelude already written");
        }
        preludeWritten = true;
        byte[] magic = {(byte) 0x6d, (byte) 0xe2, (byte) 0x99, (byte) 0x81};
        write(magic, 0, 4);
        BsonDocument h = new BsonDocument()
                .append("concurrent_collections", new BsonInt32(header.concurrentCollections()))
                .append("version", new BsonString(header.version()))
                .append("server_version", new BsonString(header.serverVersion()))
                .append("tool_version", new BsonString(header.toolVersion()));
        writeDoc(Bson.bytes(h));
        for (CollectionMetadata cm : collections) {
            BsonDocument d = new BsonDocument()
                    .append("db", new BsonString(cm.db()))
                    .append("collection", new BsonString(cm.collection()))
                    .append("metadata", new BsonString(cm.metadata()))
                    .append("size", intOrLong(cm.size()))
                    .append("type", new BsonString(cm.type()));
            writeDoc(Bson.bytes(d));
        }
        write(TERMINATOR, 0, 4);
    }

    /** Starts a namespace; its segment header is written with its first document. */
    public void beginNamespace(String db, String collection) {
        if (!preludeWritten || this.collection != null) {
            throw new IllegalStateException("prelude missing or namespace " + this.collection + " still open");
        }
        this.db = Objects.requireNonNull(db, "db");
        this.collection = Objects.requireNonNull(collection, "collection");
        this.crc = new Crc64Xz();
        this.documents = 0;
        this.documentBytes = 0;
        this.segmentOpen = false;
    }

    /** Writes one BSON document of the current namespace (exact bytes, no re-encoding). */
    public void writeDocument(byte[] buf, int off, int len) {
        if (collection == null) {
            throw new IllegalStateException("no namespace begun");
        }
        if (!segmentOpen) {
            writeDoc(namespaceHeader(false, 0));
            segmentOpen = true;
        }
        write(buf, off, len);
        crc.update(buf, off, len);
        documents++;
        documentBytes += len;
    }

    /**
     * Ends the current namespace: terminates its segment, writes the end block with the CRC.
     *
     * @return the CRC written
     */
    public long endNamespace() {
        if (collection == null) {
            throw new IllegalStateException("no namespace begun");
        }
        if (segmentOpen) {
            write(TERMINATOR, 0, 4);
        }
        long value = crc.value();
        writeDoc(namespaceHeader(true, value));
        write(TERMINATOR, 0, 4);
        collection = null;
        db = null;
        segmentOpen = false;
        return value;
    }

    /** Documents written in the current (or last) namespace. */
    public long documents() {
        return documents;
    }

    /** Bytes of documents written in the current (or last) namespace. */
    public long documentBytes() {
        return documentBytes;
    }

    /** Bytes written so far. */
    public long position() {
        return position;
    }

    private byte[] namespaceHeader(boolean eof, long crcValue) {
        BsonDocument d = new BsonDocument()
                .append("db", new BsonString(db))
                .append("collection", new BsonString(collection))
                .append("EOF", BsonBoolean.valueOf(eof))
                .append("CRC", new BsonInt64(crcValue));
        return Bson.bytes(d);
    }

    private static BsonValue intOrLong(long v) {
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? new BsonInt32((int) v) : new BsonInt64(v);
    }

    private void writeDoc(byte[] doc) {
        write(doc, 0, doc.length);
    }

    private void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
            position += len;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED,
                    "writing the mongodump archive failed at offset " + position + ": " + e.getMessage(), e);
        }
    }
}
