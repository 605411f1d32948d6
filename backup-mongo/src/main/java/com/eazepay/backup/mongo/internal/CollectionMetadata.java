package com.eazepay.backup.mongo.internal;

import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * One collection-metadata document of the prelude.
 *
 * @param db         database name ({@code ""} for the oplog)
 * @param collection collection name
 * @param metadata   compact canonical Extended JSON v2 (see {@link #json(BsonDocument)}) with {@code options}, {@code indexes}, {@code uuid},
 *                   {@code collectionName}, {@code type} ({@code ""} for the oplog)
 * @param size       uncompressed size in bytes (mongodump writes 0)
 * @param type       {@code collection}, {@code view}, {@code timeseries}, or {@code ""}
 */
public record CollectionMetadata(String db, String collection, String metadata, long size, String type) {

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    /**
     * The {@code metadata} string of a collection, as mongodump writes it: canonical Extended JSON v2
     * ({@code {"$numberInt":"1"}}) without any whitespace between tokens, which is what mongo-tools'
     * {@code bson.MarshalExtJSON(meta, true, false)} produces. The driver's writer puts a space after
     * each {@code :} and {@code ,}; those are removed here, outside string literals only (inside a
     * string every character is kept: the writer escapes quotes and control characters, so a string
     * literal is delimited exactly by its unescaped quotes).
     */
    public static String json(BsonDocument metadata) {
        String spaced = metadata.toJson(CANONICAL);
        StringBuilder out = new StringBuilder(spaced.length());
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < spaced.length(); i++) {
            char c = spaced.charAt(i);
            if (inString) {
                out.append(c);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                out.append(c);
            } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code db.collection}, or {@code oplog}. */
    public String namespace() {
        return ArchiveFormat.namespace(db, collection);
    }
}
