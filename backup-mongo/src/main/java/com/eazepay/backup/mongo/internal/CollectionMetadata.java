package com.eazepay.backup.mongo.internal;

/**
 * One collection-metadata document of the prelude.
 *
 * @param db         database name ({@code ""} for the oplog)
 * @param collection collection name
 * @param metadata   canonical Extended JSON v2 with {@code options}, {@code indexes}, {@code uuid},
 *                   {@code collectionName}, {@code type} ({@code ""} for the oplog)
 * @param size       uncompressed size in bytes (mongodump writes 0)
 * @param type       {@code collection}, {@code view}, {@code timeseries}, or {@code ""}
 */
public record CollectionMetadata(String db, String collection, String metadata, long size, String type) {

    /** {@code db.collection}, or {@code oplog}. */
    public String namespace() {
        return ArchiveFormat.namespace(db, collection);
    }
}
