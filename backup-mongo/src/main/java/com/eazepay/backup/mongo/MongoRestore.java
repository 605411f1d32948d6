package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.mongo.internal.ArchiveFormat;
import com.eazepay.backup.mongo.internal.ArchiveReader;
import com.eazepay.backup.mongo.internal.CollectionMetadata;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.CountOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReplaceOptions;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One restore of a mongo archive. Two passes over the stream: the first reads it to the end
 * (checksums of storage and of every namespace) and writes nothing; the second (which does not compute the
 * namespaces' CRC-64 again) creates collections,
 * inserts documents in ordered batches on {@link MongoTarget#insertionWorkersPerCollection} threads
 * ({@link InsertWorkers}; a capped collection's batches in archive order on the reading thread), creates
 * indexes, checks counts, then replays the oplog slice.
 */
final class MongoRestore {

    private static final Logger LOG = LoggerFactory.getLogger(MongoRestore.class);
    private static final int MAX_BATCH_BYTES = 8 * 1024 * 1024;

    private final MongoSource source;
    private final RestoreContext context;
    private final MongoTarget target;
    private final Connection connection;

    /** source namespace (db.coll) to {targetDb, targetColl}. */
    private final Map<String, String[]> mapping = new LinkedHashMap<>();
    private final Map<String, CollectionMetadata> metadata = new LinkedHashMap<>();
    private final List<CheckResult> results = new ArrayList<>();
    private final Map<String, Long> restored = new LinkedHashMap<>();
    private final Map<String, Long> archiveCounts = new HashMap<>();
    private boolean dataDone;
    private long oplogApplied;
    private long oplogSkipped;

    MongoRestore(MongoSource source, RestoreContext context, MongoTarget target) {
        this.source = source;
        this.context = context;
        this.target = target;
        this.connection = target.connection() != null ? target.connection() : source.connection();
    }

    RestoreOutcome run() {
        verifyPass();
        try (MongoClient client = connection.open()) {
            prepare(client);
            loadPass(client);
            if (!dataDone) {
                finishData(client);
            }
            boolean checks = context.checksRequested() || !target.checks().isEmpty();
            if (checks) {
                context.checksStarted(); // the count checks were taken while loading; the user's run now
                for (Check c : target.checks()) {
                    results.add(c.run(client, this::resolveCheck));
                }
            } else {
                results.clear();
            }
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "restore of '" + context.manifest().source() + "' into " + target.describe());
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("collections", restored);
        facts.put("oplogApplied", oplogApplied);
        facts.put("oplogSkipped", oplogSkipped);
        String location = connection.describe(target.database());
        LOG.info("mongo restore of backup {} into {}: {} collections, {} oplog entries applied", context.manifest().id(),
                target.describe(), restored.size(), oplogApplied);
        return new RestoreOutcome(location, results, facts);
    }

    private void verifyPass() {
        try (InputStream in = context.openStream(MongoSource.STREAM); ArchiveReader reader = ArchiveReader.open(in)) {
            for (CollectionMetadata cm : reader.collections()) {
                if (cm.db().equals(ArchiveFormat.OPLOG_DB)) {
                    continue;
                }
                if (target.fromDatabaseName() != null && !target.fromDatabaseName().equals(cm.db())) {
                    continue;
                }
                String dataColl = cm.type().equals("timeseries") ? "system.buckets." + cm.collection() : cm.collection();
                String[] to = {target.targetDatabase(cm.db()), cm.collection()};
                for (Map.Entry<String, String[]> e : mapping.entrySet()) {
                    if (e.getValue()[0].equals(to[0]) && e.getValue()[1].equals(to[1])) {
                        throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "both " + e.getKey() + " and "
                                + cm.namespace() + " would restore into " + to[0] + "." + to[1]
                                + "; restore one database at a time with MongoTarget.fromDatabase(..)");
                    }
                }
                mapping.put(cm.db() + "." + dataColl, new String[]{to[0], dataColl});
                metadata.put(cm.db() + "." + dataColl, cm);
            }
            ArchiveReader.Event e;
            while ((e = reader.next()) != null) {
                if (e instanceof ArchiveReader.NamespaceEnd end) {
                    archiveCounts.put(end.namespace(), end.documents());
                }
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "closing the archive stream failed: " + e.getMessage(), e);
        }
    }

    private void prepare(MongoClient client) {
        List<String> notEmpty = new ArrayList<>();
        for (Map.Entry<String, String[]> e : mapping.entrySet()) {
            String[] to = e.getValue();
            MongoDatabase db = client.getDatabase(to[0]);
            if (!exists(db, to[1])) {
                continue;
            }
            if (target.drop()) {
                LOG.warn("dropping {}.{} before restoring it (replaceExisting)", to[0], to[1]);
                db.getCollection(to[1]).drop();
            } else if (!metadata.get(e.getKey()).type().equals("view")
                    && db.getCollection(to[1]).countDocuments(new BsonDocument(), new CountOptions().limit(1)) > 0) {
                notEmpty.add(to[0] + "." + to[1]);
            }
        }
        if (!notEmpty.isEmpty()) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "restore target collections already hold documents: "
                    + String.join(", ", notEmpty) + "; restore into another database or use MongoTarget.replaceExisting()");
        }
        for (Map.Entry<String, String[]> e : mapping.entrySet()) {
            createCollection(client, metadata.get(e.getKey()), e.getValue());
        }
    }

    private void createCollection(MongoClient client, CollectionMetadata cm, String[] to) {
        BsonDocument md = cm.metadata().isEmpty() ? new BsonDocument() : BsonDocument.parse(cm.metadata());
        BsonDocument options = md.containsKey("options") ? md.getDocument("options") : new BsonDocument();
        MongoDatabase db = client.getDatabase(to[0]);
        // a time-series collection is created under its own name; its data goes to system.buckets.<name>
        String name = cm.type().equals("timeseries") ? cm.collection() : to[1];
        if (exists(db, name)) {
            return; // exists and is empty: keep it (replaceExisting drops first)
        }
        BsonDocument create = new BsonDocument("create", new BsonString(name));
        for (Map.Entry<String, BsonValue> o : options.entrySet()) {
            create.append(o.getKey(), o.getValue());
        }
        db.runCommand(create);
    }

    private static boolean exists(MongoDatabase db, String collection) {
        for (String n : db.listCollectionNames()) {
            if (n.equals(collection)) {
                return true;
            }
        }
        return false;
    }

    private void createIndexes(MongoClient client, CollectionMetadata cm, String[] to) {
        BsonDocument md = cm.metadata().isEmpty() ? new BsonDocument() : BsonDocument.parse(cm.metadata());
        if (!md.containsKey("indexes")) {
            return;
        }
        BsonArray specs = new BsonArray();
        for (BsonValue v : md.getArray("indexes")) {
            BsonDocument spec = v.asDocument().clone();
            if (spec.getString("name", new BsonString("")).getValue().equals("_id_")) {
                continue;
            }
            spec.remove("ns");
            spec.remove("v");
            specs.add(spec);
        }
        if (!specs.isEmpty()) {
            client.getDatabase(to[0]).runCommand(new BsonDocument("createIndexes", new BsonString(to[1])).append("indexes", specs));
        }
    }

    private void loadPass(MongoClient client) {
        // the first pass verified every namespace's CRC-64 over these bytes (and the engine their SHA-256): not again
        try (InputStream in = context.openStream(MongoSource.STREAM); ArchiveReader reader = ArchiveReader.open(in, false);
             InsertWorkers workers = new InsertWorkers(target.insertionWorkersPerCollection(), (ns, b) -> insert(client, ns, b))) {
            String batchNs = null;
            List<RawBsonDocument> batch = new ArrayList<>();
            long batchBytes = 0;
            ArchiveReader.Event e;
            while ((e = reader.next()) != null) {
                if (!(e instanceof ArchiveReader.Document d)) {
                    continue;
                }
                if (d.namespace().equals(ArchiveFormat.OPLOG_COLLECTION) && d.db().isEmpty()) {
                    batch = flush(client, workers, batchNs, batch);
                    batchBytes = 0;
                    workers.awaitIdle(); // every document is in before indexes, counts and the oplog
                    if (!dataDone) {
                        finishData(client);
                    }
                    if (target.replay()) {
                        applyOplog(client, d.document());
                    }
                    continue;
                }
                if (!mapping.containsKey(d.namespace())) {
                    continue;
                }
                if (batchNs != null && !batchNs.equals(d.namespace())) {
                    batch = flush(client, workers, batchNs, batch);
                    batchBytes = 0;
                }
                batchNs = d.namespace();
                batch.add(d.document());
                batchBytes += d.document().getByteBuffer().remaining();
                if (batch.size() >= target.insertBatchSize() || batchBytes >= MAX_BATCH_BYTES) {
                    batch = flush(client, workers, batchNs, batch);
                    batchBytes = 0;
                }
            }
            flush(client, workers, batchNs, batch);
            workers.awaitIdle();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "closing the archive stream failed: " + e.getMessage(), e);
        }
    }

    /**
     * Hands a full batch to the workers and returns the list for the next one. A capped collection's
     * batches are inserted here, in archive order: its natural order is its insertion order.
     */
    private List<RawBsonDocument> flush(MongoClient client, InsertWorkers workers, String ns, List<RawBsonDocument> batch) {
        if (batch.isEmpty()) {
            return batch;
        }
        if (isCapped(metadata.get(ns))) {
            insert(client, ns, batch);
            batch.clear();
            return batch;
        }
        workers.submit(ns, batch);
        return new ArrayList<>();
    }

    /** Whether the archive's metadata declares a capped collection ({@code options.capped: true}). */
    static boolean isCapped(CollectionMetadata cm) {
        if (cm == null || cm.metadata().isEmpty()) {
            return false;
        }
        BsonDocument md = BsonDocument.parse(cm.metadata());
        BsonValue capped = md.containsKey("options") ? md.getDocument("options").get("capped") : null;
        return capped != null && capped.isBoolean() && capped.asBoolean().getValue();
    }

    /** One ordered {@code insertMany}; runs on an insertion worker. Failures name the collection. */
    private void insert(MongoClient client, String ns, List<RawBsonDocument> batch) {
        String[] to = mapping.get(ns);
        try {
            client.getDatabase(to[0]).getCollection(to[1], RawBsonDocument.class)
                    .insertMany(batch, new InsertManyOptions().ordered(true));
        } catch (MongoBulkWriteException e) {
            throw insertFailed(to, batch.size(), e);
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "inserting " + batch.size() + " documents into " + to[0] + "." + to[1]
                    + " (restore of '" + context.manifest().source() + "')");
        }
        synchronized (restored) {
            restored.merge(ns, (long) batch.size(), Long::sum);
        }
    }

    /**
     * The first write error of an ordered batch: a duplicate key (E11000) is {@code TARGET_NOT_EMPTY} naming the
     * collection and the index, never the key's value (it is data).
     */
    private BackupException insertFailed(String[] to, int batchSize, MongoBulkWriteException e) {
        String collection = to[0] + "." + to[1];
        if (e.getWriteErrors().isEmpty()) {
            return MongoErrors.map(e, connection, "inserting " + batchSize + " documents into " + collection);
        }
        BulkWriteError first = e.getWriteErrors().get(0);
        if (first.getCode() == 11000) {
            java.util.regex.Matcher index = java.util.regex.Pattern.compile("index: (\\S+)").matcher(String.valueOf(first.getMessage()));
            return new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "duplicate key (E11000) inserting into " + collection
                    + (index.find() ? " (index " + index.group(1) + ")" : "") + ", document " + (first.getIndex() + 1) + " of a batch of "
                    + batchSize + ": the collection already holds a document with the same key (another client writing to it,"
                    + " or a unique index created before the restore); restore into an empty collection or with"
                    + " MongoTarget.replaceExisting()", e);
        }
        return new BackupException(CoreErrorCode.SOURCE_FAILED, "inserting into " + collection + " failed at document "
                + (first.getIndex() + 1) + " of a batch of " + batchSize + ": error code " + first.getCode()
                + " (" + first.getCategory() + ")", e);
    }

    /** After all documents: indexes, then count checks against the manifest (before the oplog changes counts). */
    private void finishData(MongoClient client) {
        dataDone = true;
        Map<String, Long> expected = manifestCounts();
        for (Map.Entry<String, String[]> e : mapping.entrySet()) {
            CollectionMetadata cm = metadata.get(e.getKey());
            if (cm.type().equals("view")) {
                continue;
            }
            createIndexes(client, cm, e.getValue());
            restored.putIfAbsent(e.getKey(), 0L);
            String[] to = e.getValue();
            long found = client.getDatabase(to[0]).getCollection(to[1]).countDocuments();
            Long want = expected.getOrDefault(cm.namespace(), archiveCounts.get(e.getKey()));
            String name = "documents " + to[0] + "." + to[1];
            String detail = "expected " + want + " (backup of " + cm.namespace() + "), found " + found;
            results.add(want != null && want == found ? CheckResult.passed(name, detail) : CheckResult.failed(name, detail));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> manifestCounts() {
        Map<String, Long> out = new HashMap<>();
        Object facts = context.manifest().facts().get("collections");
        if (facts instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Number n) {
                    out.put(String.valueOf(k), n.longValue());
                }
            });
        }
        return out;
    }

    private void applyOplog(MongoClient client, RawBsonDocument raw) {
        // a full decode: sub-documents of a RawBsonDocument stay raw and immutable
        BsonDocument entry = new org.bson.codecs.BsonDocumentCodec().decode(
                new org.bson.BsonBinaryReader(raw.getByteBuffer().asNIO()), org.bson.codecs.DecoderContext.builder().build());
        String op = entry.getString("op", new BsonString("")).getValue();
        String ns = entry.getString("ns", new BsonString("")).getValue();
        String[] to = mapping.get(ns);
        if (to == null || op.equals("n")) {
            oplogSkipped++;
            return;
        }
        var coll = client.getDatabase(to[0]).getCollection(to[1], BsonDocument.class);
        BsonDocument o = entry.getDocument("o", new BsonDocument());
        switch (op) {
            case "i" -> coll.replaceOne(new BsonDocument("_id", o.get("_id")), o, new ReplaceOptions().upsert(true));
            case "d" -> coll.deleteOne(new BsonDocument("_id", o.get("_id")));
            case "u" -> {
                BsonDocument filter = entry.getDocument("o2", new BsonDocument());
                if (!filter.containsKey("_id")) {
                    // without the document key the update could hit any document: never guess
                    LOG.warn("oplog update on {} without o2._id is not replayed", ns);
                    oplogSkipped++;
                    return;
                }
                if (o.containsKey("diff")) {
                    coll.updateOne(filter, fromDiff(o.getDocument("diff")));
                } else if (!o.isEmpty() && o.getFirstKey().startsWith("$")) {
                    BsonDocument update = o.clone();
                    update.remove("$v");
                    coll.updateOne(filter, update);
                } else {
                    coll.replaceOne(filter, o, new ReplaceOptions().upsert(true));
                }
            }
            default -> {
                LOG.warn("oplog entry op '{}' on {} is not replayed (only i/u/d are)", op, ns);
                oplogSkipped++;
                return;
            }
        }
        oplogApplied++;
    }

    /** Top-level fields of a {@code $v: 2} update diff: {@code u}/{@code i} set, {@code d} unset. */
    private static BsonDocument fromDiff(BsonDocument diff) {
        BsonDocument set = new BsonDocument();
        BsonDocument unset = new BsonDocument();
        if (diff.containsKey("u")) {
            set.putAll(diff.getDocument("u"));
        }
        if (diff.containsKey("i")) {
            set.putAll(diff.getDocument("i"));
        }
        if (diff.containsKey("d")) {
            unset.putAll(diff.getDocument("d"));
        }
        BsonDocument update = new BsonDocument();
        if (!set.isEmpty()) {
            update.append("$set", set);
        }
        if (!unset.isEmpty()) {
            update.append("$unset", unset);
        }
        return update;
    }

    private String[] resolveCheck(String name) {
        if (target.database() != null) {
            return new String[]{target.database(), name};
        }
        int dot = name.indexOf('.');
        if (dot <= 0) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "with MongoTarget.sameDatabases() name checked collections as db.collection: " + name);
        }
        return new String[]{name.substring(0, dot), name.substring(dot + 1)};
    }
}
