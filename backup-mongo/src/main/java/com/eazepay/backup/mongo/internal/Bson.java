package com.eazepay.backup.mongo.internal;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

import java.nio.ByteBuffer;

/** Small helpers to turn documents into their exact BSON bytes. */
final class Bson {

    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private Bson() {
    }

    /** The BSON bytes of {@code doc}, fields in insertion order. */
    static byte[] bytes(BsonDocument doc) {
        RawBsonDocument raw = new RawBsonDocument(doc, CODEC);
        ByteBuffer nio = raw.getByteBuffer().asNIO();
        byte[] out = new byte[nio.remaining()];
        nio.get(out);
        return out;
    }
}
