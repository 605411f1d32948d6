package com.eazepay.backup.mongo.internal;

/** Constants of the mongodump {@code --archive} format (mongo-tools {@code common/archive}). */
public final class ArchiveFormat {

    /** Little-endian magic number at offset 0 (bytes {@code 6d e2 99 81}). */
    public static final int MAGIC = 0x8199e26d;
    /** Block terminator, four {@code 0xff} bytes. */
    public static final int TERMINATOR = 0xffffffff;
    /** Archive format version written in the header. */
    public static final String FORMAT_VERSION = "0.1";
    /** Largest BSON document the server accepts plus the internal slack mongodump tolerates. */
    public static final int MAX_DOCUMENT_SIZE = 16 * 1024 * 1024 + 16 * 1024;
    /** Smallest valid BSON document: length and terminating zero. */
    public static final int MIN_DOCUMENT_SIZE = 5;
    /** The pseudo database of the oplog namespace, as mongodump writes it. */
    public static final String OPLOG_DB = "";
    /** The pseudo collection of the oplog namespace, as mongodump writes it. */
    public static final String OPLOG_COLLECTION = "oplog";

    private ArchiveFormat() {
    }

    /** {@code db.collection}, or {@code oplog} for the oplog namespace. */
    public static String namespace(String db, String collection) {
        return db.isEmpty() ? collection : db + "." + collection;
    }
}
