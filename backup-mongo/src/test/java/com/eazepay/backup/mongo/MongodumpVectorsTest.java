package com.eazepay.backup.mongo;

import com.eazepay.backup.mongo.internal.ArchiveReader;
import com.eazepay.backup.mongo.internal.ArchiveWriter;
import com.eazepay.backup.mongo.internal.CollectionMetadata;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import com.eazepay.backup.test.DirectoryBackupContext;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.IndexOptions;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.BsonInt32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads archives written by the real mongodump 100.8.0 (see /work/shared/vectors/mongo/README.md). */
class MongodumpVectorsTest {

    private static InputStream vector(String name) {
        InputStream in = MongodumpVectorsTest.class.getResourceAsStream("/vectors/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    private record Read(ArchiveReader reader, Map<String, Long> counts, Map<String, List<RawBsonDocument>> docs,
                        List<String> order, Set<BsonType> types,
                        List<String> ends, List<String> payloadBeforeEnd) {
    }

    private static Read read(String name) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, List<RawBsonDocument>> docs = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        List<String> ends = new ArrayList<>();
        List<String> payloadBeforeEnd = new ArrayList<>();
        Set<BsonType> types = EnumSet.noneOf(BsonType.class);
        ArchiveReader r = ArchiveReader.open(vector(name));
        try (r) {
            ArchiveReader.Event e;
            String last = null;
            while ((e = r.next()) != null) {
                if (e instanceof ArchiveReader.Document d) {
                    docs.computeIfAbsent(d.namespace(), k -> new ArrayList<>()).add(d.document());
                    collectTypes(d.document(), types);
                    if (!d.namespace().equals(last)) {
                        order.add(d.namespace());
                        last = d.namespace();
                    }
                } else if (e instanceof ArchiveReader.NamespaceEnd end) {
                    counts.put(end.namespace(), end.documents());
                    ends.add(end.namespace());
                    for (String ns : order) {
                        if (!ends.contains(ns)) {
                            payloadBeforeEnd.add(ns + "<" + end.namespace());
                        }
                    }
                    last = null;
                }
            }
        }
        return new Read(r, counts, docs, order, types, ends, payloadBeforeEnd);
    }

    private static void collectTypes(BsonValue v, Set<BsonType> types) {
        types.add(v.getBsonType());
        if (v.isDocument()) {
            for (BsonValue x : v.asDocument().values()) {
                collectTypes(x, types);
            }
        } else if (v.isArray()) {
            for (BsonValue x : v.asArray()) {
                collectTypes(x, types);
            }
        }
    }

    @Test
    void readsTheFullMongodumpArchiveWithItsNamespacesCountsAndChecksums() throws IOException {
        Read r = read("pay-ops.archive");
        assertThat(r.reader().header().version()).isEqualTo("0.1");
        assertThat(r.reader().header().concurrentCollections()).isEqualTo(4);
        assertThat(r.reader().collections()).extracting(CollectionMetadata::namespace)
                .containsExactly("ops.config", "pay.users", "pay.payments");
        assertThat(r.counts()).containsExactly(Map.entry("ops.config", 10L), Map.entry("pay.users", 2000L),
                Map.entry("pay.payments", 3000L));
        CollectionMetadata payments = r.reader().collections().get(2);
        BsonDocument md = BsonDocument.parse(payments.metadata());
        assertThat(md.getArray("indexes")).extracting(i -> i.asDocument().getString("name").getValue())
                .containsExactly("_id_", "uuid_1", "account_id_1_created_at_-1");
        assertThat(md.getArray("indexes").get(1).asDocument().getBoolean("unique").getValue()).isTrue();
        assertThat(payments.type()).isEqualTo("collection");
        assertThat(r.types()).contains(BsonType.OBJECT_ID, BsonType.INT32, BsonType.INT64, BsonType.DOUBLE,
                BsonType.DECIMAL128, BsonType.STRING, BsonType.DATE_TIME, BsonType.TIMESTAMP, BsonType.BINARY,
                BsonType.REGULAR_EXPRESSION, BsonType.BOOLEAN, BsonType.NULL, BsonType.DOCUMENT, BsonType.ARRAY);
        List<RawBsonDocument> users = r.docs().get("pay.users");
        assertThat(users).extracting(u -> u.getInt32("_id").getValue())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 2000).boxed().toList());
    }

    @Test
    void readsTheGzipArchiveWithInterleavedNamespaces() throws IOException {
        Read gz = read("pay-ops.gzip.archive");
        assertThat(gz.counts()).containsOnly(Map.entry("ops.config", 10L), Map.entry("pay.users", 2000L),
                Map.entry("pay.payments", 3000L));
        // the real tool interleaved users and payments: payments data comes before the end block of users
        assertThat(gz.ends()).containsExactly("ops.config", "pay.users", "pay.payments");
        assertThat(gz.order()).containsExactly("ops.config", "pay.users", "pay.payments");
        assertThat(gz.payloadBeforeEnd()).contains("pay.payments<pay.users");
        Read plain = read("pay-ops.archive");
        for (String ns : plain.counts().keySet()) {
            assertThat(gz.docs().get(ns)).as(ns).hasSameSizeAs(plain.docs().get(ns));
        }
    }

    @Test
    void readsTheSingleCollectionArchive() throws IOException {
        Read r = read("pay-users.archive");
        assertThat(r.counts()).containsExactly(Map.entry("pay.users", 2000L));
    }

    /**
     * Structural comparison: re-writing what the real mongodump wrote (same prelude, same documents,
     * one namespace after the other) with our writer gives the very same bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"pay-users.archive", "pay-ops.archive"})
    void ourWriterReproducesTheMongodumpBytes(String name) throws IOException {
        Read r = read(name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(out);
        w.writePrelude(r.reader().header(), r.reader().collections());
        for (CollectionMetadata cm : r.reader().collections()) {
            w.beginNamespace(cm.db(), cm.collection());
            for (RawBsonDocument d : r.docs().getOrDefault(cm.namespace(), List.of())) {
                ByteBuffer b = d.getByteBuffer().asNIO();
                w.writeDocument(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
            w.endNamespace();
        }
        byte[] original;
        try (InputStream in = vector(name)) {
            original = in.readAllBytes();
        }
        assertThat(out.toByteArray()).isEqualTo(original);
    }

    /**
     * The collection metadata our source writes for the collections and indexes of the vector (same
     * databases, names, index keys, names and options, recreated in mongo-java-server) is byte for byte
     * the {@code metadata} string the real mongodump wrote: compact canonical Extended JSON, same field
     * order. (mongo-java-server reports no collection UUID, as the server the vectors came from did not.)
     */
    @Test
    void ourCollectionMetadataIsTheMongodumpMetadataByteForByte(@TempDir Path dir) throws IOException {
        Read vector = read("pay-ops.archive");
        MongoServer server = MongoServers.start(false);
        try (MongoClient client = TestData.client(MongoServers.uri(server))) {
            client.getDatabase("ops").getCollection("config").insertOne(new org.bson.Document("k", 1));
            MongoDatabase pay = client.getDatabase("pay");
            pay.getCollection("users").insertOne(new org.bson.Document("_id", 0));
            pay.getCollection("payments").insertOne(new org.bson.Document("seq", 0));
            pay.getCollection("payments").createIndex(new BsonDocument("uuid", new BsonInt32(1)),
                    new IndexOptions().unique(true));
            pay.getCollection("payments").createIndex(new BsonDocument("account_id", new BsonInt32(1))
                    .append("created_at", new BsonInt32(-1)));

            DirectoryBackupContext ctx = DirectoryBackupContext.in(dir);
            MongoSource.builder().connectionString(MongoServers.uri(server)).build().backup(ctx);

            List<CollectionMetadata> ours;
            try (ArchiveReader r = ArchiveReader.open(Files.newInputStream(ctx.committedStreams().get(MongoSource.STREAM)))) {
                ours = r.collections();
            }
            assertThat(ours).extracting(CollectionMetadata::namespace).containsExactly("ops.config", "pay.payments", "pay.users");
            for (CollectionMetadata theirs : vector.reader().collections()) {
                CollectionMetadata mine = ours.stream().filter(c -> c.namespace().equals(theirs.namespace()))
                        .findFirst().orElseThrow();
                assertThat(mine.metadata().getBytes(StandardCharsets.UTF_8)).as(theirs.namespace() + ": " + mine.metadata())
                        .isEqualTo(theirs.metadata().getBytes(StandardCharsets.UTF_8));
                assertThat(mine.type()).isEqualTo(theirs.type());
                assertThat(mine.size()).isEqualTo(theirs.size());
            }
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void metadataJsonKeepsSpacesInsideStringsAndDropsThemBetweenTokens() {
        BsonDocument md = BsonDocument.parse("{\"options\": {\"validator\": {\"note\": \"a \\\"quoted\\\", b: c\"}}, "
                + "\"indexes\": [], \"collectionName\": \"odd name, with: spaces\", \"type\": \"collection\"}");

        assertThat(CollectionMetadata.json(md)).isEqualTo("{\"options\":{\"validator\":{\"note\":\"a \\\"quoted\\\", b: c\"}},"
                + "\"indexes\":[],\"collectionName\":\"odd name, with: spaces\",\"type\":\"collection\"}");
        assertThat(BsonDocument.parse(CollectionMetadata.json(md))).isEqualTo(md);
    }
}
