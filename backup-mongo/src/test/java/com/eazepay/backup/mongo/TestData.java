package com.eazepay.backup.mongo;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Test data: every BSON type, many collections, dotted names. */
final class TestData {

    private TestData() {
    }

    static MongoClient client(String uri) {
        return MongoClients.create(uri);
    }

    /** Documents with the types mongo-java-server refuses but real servers store. */
    static List<BsonDocument> typesOnlyRealServersStore() {
        List<BsonDocument> docs = new ArrayList<>();
        int id = 1000;
        for (BsonBinarySubType t : BsonBinarySubType.values()) {
            docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("binary",
                    new BsonBinary(t.getValue(), t == BsonBinarySubType.VECTOR ? new byte[]{3, 0, 1} : new byte[16])));
        }
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("symbol", new org.bson.BsonSymbol("sym"))
                .append("undefined", new org.bson.BsonUndefined())
                .append("jsScope", new org.bson.BsonJavaScriptWithScope("x", new BsonDocument("x", new BsonInt32(1))))
                .append("dbPointer", new org.bson.BsonDbPointer("db.coll", new ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"))));
        return docs;
    }

    /** One document per BSON type the server stores, plus nesting. */
    static List<BsonDocument> everyType() {
        List<BsonDocument> docs = new ArrayList<>();
        int id = 0;
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("double", new BsonDouble(3.141592653589793))
                .append("nan", new BsonDouble(Double.NaN)).append("negZero", new BsonDouble(-0.0))
                .append("inf", new BsonDouble(Double.POSITIVE_INFINITY)));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("string", new BsonString("héllo wörld ✓ 𝄞"))
                .append("empty", new BsonString("")));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("doc",
                new BsonDocument("a", new BsonDocument("b", new BsonDocument("c", new BsonInt32(1))))));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("array", new BsonArray(List.of(new BsonInt32(1),
                new BsonArray(List.of(new BsonArray(List.of(new BsonString("deep"))), new BsonDocument("x", new BsonNull()))),
                new BsonArray()))));
        // mongo-java-server refuses subtypes 1, 5 and others ("Unknown subtype"): ArchiveFormatTest covers
        // every subtype byte for byte without a server (the source never decodes documents)
        for (BsonBinarySubType t : List.of(BsonBinarySubType.BINARY, BsonBinarySubType.UUID_LEGACY,
                BsonBinarySubType.UUID_STANDARD)) {
            byte[] data = t == BsonBinarySubType.UUID_STANDARD || t == BsonBinarySubType.UUID_LEGACY || t == BsonBinarySubType.MD5
                    ? HexFormat.of().parseHex("00112233445566778899aabbccddeeff") : new byte[]{0, 1, 2, (byte) 255};
            docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("binary", new BsonBinary(t.getValue(), data))
                    .append("subtype", new BsonInt32(t.getValue())));
        }
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("uuid", new BsonBinary(UUID.fromString("3b241101-e2bb-4255-8caf-4136c566a962"))));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("oid", new BsonObjectId(new ObjectId("5f43a1b2c3d4e5f6a7b8c9d0"))));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("t", BsonBoolean.TRUE).append("f", BsonBoolean.FALSE));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("date", new BsonDateTime(1_700_000_000_123L))
                .append("before1970", new BsonDateTime(-86_400_000L)));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("null", BsonNull.VALUE));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("regex", new BsonRegularExpression("^a.*b$", "imsx")));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("js", new BsonJavaScript("function() { return 1; }")));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("int32", new BsonInt32(Integer.MIN_VALUE))
                .append("int64", new BsonInt64(Long.MAX_VALUE)));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("ts", new BsonTimestamp(1_700_000_000, 7)));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("dec", new BsonDecimal128(new Decimal128(new BigDecimal("1234567890.123456789012345678901234"))))
                .append("decNaN", new BsonDecimal128(Decimal128.NaN)).append("decNegZero", new BsonDecimal128(Decimal128.NEGATIVE_ZERO)));
        docs.add(new BsonDocument("_id", new BsonInt32(id++)).append("min", new BsonMinKey()).append("max", new BsonMaxKey()));
        docs.add(new BsonDocument("_id", new BsonObjectId(new ObjectId("65f0a1b2c3d4e5f6a7b8c9d1"))).append("objectIdKey", BsonBoolean.TRUE));
        docs.add(new BsonDocument("_id", new BsonString("string-key")).append("n", new BsonInt32(1)));
        return docs;
    }

    /** Fills {@code db.coll} with {@code n} payment-like documents of about {@code payload} bytes. */
    static void payments(MongoDatabase db, String coll, int n, int payload) {
        MongoCollection<BsonDocument> c = db.getCollection(coll, BsonDocument.class);
        String pad = "p".repeat(Math.max(0, payload - 120));
        List<BsonDocument> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new BsonDocument("_id", new BsonInt32(i)).append("seq", new BsonInt64(i))
                    .append("account", new BsonString("acct-" + (i % 977)))
                    .append("amount", new BsonDecimal128(new Decimal128(BigDecimal.valueOf(i, 2))))
                    .append("at", new BsonDateTime(1_700_000_000_000L + i)).append("memo", new BsonString(pad)));
            if (batch.size() == 1000) {
                c.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            c.insertMany(batch);
        }
    }

    /** All documents of a collection as hex of their exact bytes, keyed by {@code _id} as JSON. */
    static Map<String, String> rawById(MongoClient client, String db, String coll) {
        Map<String, String> out = new TreeMap<>();
        for (RawBsonDocument d : client.getDatabase(db).getCollection(coll, RawBsonDocument.class).find()) {
            ByteBuffer b = d.getByteBuffer().asNIO();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.put(new BsonDocument("id", d.get("_id")).toJson(), HexFormat.of().formatHex(bytes));
        }
        return out;
    }
}
