package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.mongo.internal.ArchiveFormat;
import com.eazepay.backup.mongo.internal.ArchiveHeader;
import com.eazepay.backup.mongo.internal.ArchiveWriter;
import com.eazepay.backup.mongo.internal.CollectionMetadata;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Backs up MongoDB databases into one stream, {@code archive}, in the mongodump {@code --archive}
 * format (readable by {@code mongorestore --archive}), and restores it into a {@link MongoTarget}.
 *
 * <pre>{@code
 * MongoSource mongo = MongoSource.builder()
 *     .name("mongo")
 *     .connectionString("mongodb://db1:27017,db2:27017/?replicaSet=rs0")
 *     .user("backup").password(Secret.of(System.getenv("MONGO_PASSWORD"))).authDatabase("admin")
 *     .databases("pay", "ops")
 *     .excludeCollections("pay.sessions")
 *     .batchSize(1000)
 *     .oplog(true)
 *     .build();
 * }</pre>
 *
 * <p>Each collection is read with a batched cursor as {@link RawBsonDocument} and written byte for byte;
 * memory is one batch. Collection options and index definitions are captured in the archive's
 * prelude as mongodump writes them. On a replica set (a {@code local.oplog.rs} exists) the oplog
 * position is read before and after, and the oplog entries in between (for the namespaces backed up)
 * are written as the archive's {@code oplog} namespace, so a restore replays to one point in time;
 * the manifest then says {@code pointInTime: true}. On a standalone server it says {@code false}.
 *
 * <p>Manifest facts: {@code serverVersion}, {@code collections} (namespace to document count),
 * {@code pointInTime}, {@code oplogStart}/{@code oplogEnd} ({@code {t, i}}) and {@code oplogEntries}.
 *
 * <p>Errors: {@code SOURCE_UNAVAILABLE} (retryable) when the server cannot be reached or the
 * connection drops mid-backup; {@link com.eazepay.backup.CoreErrorCode#AUTHENTICATION_FAILED} for refused credentials;
 * {@code SOURCE_FAILED} for server errors. Immutable and thread-safe; each backup opens its own client.
 */
public final class MongoSource implements BackupSource {

    private static final Logger LOG = LoggerFactory.getLogger(MongoSource.class);
    /** The stream name of the archive. */
    public static final String STREAM = "archive";
    /** Default documents per cursor batch. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    static final String TOOL_VERSION = "eazepay-backup-mongo 0.1.0";
    private static final Set<String> SYSTEM_DATABASES = Set.of("admin", "local", "config");

    private final String name;
    private final Connection connection;
    private final Set<String> databases;
    private final Set<String> excludeDatabases;
    private final Set<String> collections;
    private final Set<String> excludeCollections;
    private final int batchSize;
    private final boolean oplog;

    private MongoSource(Builder b) {
        this.name = b.name;
        this.connection = new Connection(b.connectionString, b.host, b.port, null, null, null, b.serverSelectionTimeout)
                .withCredentials(b.user, b.password, b.authDatabase);
        this.databases = Set.copyOf(b.databases);
        this.excludeDatabases = Set.copyOf(b.excludeDatabases);
        this.collections = Set.copyOf(b.collections);
        this.excludeCollections = Set.copyOf(b.excludeCollections);
        this.batchSize = b.batchSize;
        this.oplog = b.oplog;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code mongo}. */
    @Override
    public String type() {
        return "mongo";
    }

    /** {@code true}: database contents are personal data. */
    @Override
    public boolean sensitive() {
        return true;
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void backup(BackupContext context) {
        long started = System.nanoTime();
        try (MongoClient client = connection.open()) {
            String serverVersion = serverVersion(client);
            List<Collection> plan = plan(client);
            BsonTimestamp before = oplog ? lastOplogTimestamp(client) : null;
            if (oplog && before == null) {
                LOG.warn("no oplog on {} (standalone server?): backup of '{}' is not point-in-time", connection, name);
            }
            List<CollectionMetadata> prelude = new ArrayList<>();
            for (Collection c : plan) {
                prelude.add(new CollectionMetadata(c.db, c.name, c.metadataJson, 0, c.type));
            }
            if (before != null) {
                prelude.add(new CollectionMetadata(ArchiveFormat.OPLOG_DB, ArchiveFormat.OPLOG_COLLECTION, "", 0, ""));
            }
            // the stream is closed (= committed) only on success; on failure it stays open and the engine aborts it
            OutputStream stream = context.newStream(STREAM, "archive");
            BufferedOutputStream out = new BufferedOutputStream(stream, 1 << 16);
            ArchiveWriter writer = new ArchiveWriter(out);
            writer.writePrelude(new ArchiveHeader(1, ArchiveFormat.FORMAT_VERSION, serverVersion, TOOL_VERSION), prelude);
            Map<String, Long> counts = new LinkedHashMap<>();
            long docs = 0;
            for (Collection c : plan) {
                if (c.type.equals("view")) {
                    continue; // views have no data: mongodump writes their metadata only
                }
                writer.beginNamespace(c.db, c.dataCollection);
                dumpCollection(client, c, writer);
                counts.put(c.namespace(), writer.documents());
                docs += writer.documents();
                writer.endNamespace();
            }
            Map<String, Object> window = null;
            if (before != null) {
                BsonTimestamp after = lastOplogTimestamp(client);
                writer.beginNamespace(ArchiveFormat.OPLOG_DB, ArchiveFormat.OPLOG_COLLECTION);
                Set<String> namespaces = new LinkedHashSet<>();
                plan.forEach(c -> namespaces.add(c.db + "." + c.dataCollection));
                dumpOplog(client, before, after, namespaces, writer);
                long entries = writer.documents();
                writer.endNamespace();
                window = new LinkedHashMap<>();
                window.put("oplogStart", ts(before));
                window.put("oplogEnd", ts(after));
                window.put("oplogEntries", entries);
                context.consistentAt(Instant.ofEpochSecond(after.getTime()));
            }
            try {
                out.flush();
                out.close();
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "storing the archive of '" + name + "' failed: "
                        + e.getMessage(), e);
            }
            context.fact("serverVersion", serverVersion);
            context.fact("format", "mongodump-archive " + ArchiveFormat.FORMAT_VERSION);
            context.fact("collections", counts);
            context.fact("pointInTime", before != null);
            if (window != null) {
                window.forEach(context::fact);
            }
            long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
            LOG.info("mongo backup '{}' of {}: {} collections, {} documents, {} archive bytes, point-in-time {}, {} ms",
                    name, connection.describe(null), counts.size(), docs, writer.position(), before != null, ms);
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "backup of '" + name + "'");
        }
    }

    /** The archive walk with every namespace's CRC-64, without a server (see {@link MongoValidator}). */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of(new MongoValidator());
    }

    /** Prefix of the temporary databases of restore tests; {@link #dropScratch} drops nothing else. */
    static final String SCRATCH_PREFIX = com.eazepay.backup.spi.ScratchTargets.DATABASE_PREFIX;

    /**
     * A temporary database {@code restoretest_<id>} on this source's server: every database of the backup is restored
     * into it ({@link MongoTarget#database}; collections of the same name in two databases clash and fail the test
     * with {@code TARGET_NOT_EMPTY}), checked, then dropped. Needs the {@code dropDatabase} privilege on it.
     */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.ScratchTarget> scratchTarget(String testId) {
        String db = SCRATCH_PREFIX + testId;
        return java.util.Optional.of(com.eazepay.backup.spi.ScratchTargets.of(() -> MongoTarget.database(db), db, this::dropScratch));
    }

    /**
     * Drops a scratch database named in a cleanup journal, on this source's server; refuses any name that is not
     * {@code restoretest_[a-z0-9_]+} (the journal comes from the repository).
     */
    @Override
    public void dropScratch(String resource) {
        if (!com.eazepay.backup.spi.ScratchTargets.isScratchDatabase(resource)) {
            LOG.warn("not dropping database {}: not a restore-test scratch database", resource);
            return;
        }
        try (MongoClient client = connection.open()) {
            client.getDatabase(resource).drop();
            LOG.debug("dropped restore-test database {} on {}", resource, connection.describe(null));
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "dropping restore-test database " + resource);
        }
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof MongoTarget mongoTarget)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a mongo backup restores into a MongoTarget "
                    + "(MongoTarget.database(\"restore_tmp\") or MongoTarget.sameDatabases()), not " + target.describe());
        }
        return new MongoRestore(this, context, mongoTarget).run();
    }

    @Override
    public String toString() {
        return "MongoSource[" + name + " " + connection + "]";
    }

    // ---------------------------------------------------------------- backup internals

    private static final class Collection {
        String db;
        String name;
        String dataCollection;
        String type;
        String metadataJson;

        String namespace() {
            return db + "." + name;
        }
    }

    private static String serverVersion(MongoClient client) {
        BsonDocument info = client.getDatabase("admin").runCommand(new BsonDocument("buildInfo", new BsonInt32(1)),
                BsonDocument.class);
        BsonValue v = info.get("version");
        return v != null && v.isString() ? v.asString().getValue() : "unknown";
    }

    private boolean wantDatabase(String db) {
        if (excludeDatabases.contains(db)) {
            return false;
        }
        if (!databases.isEmpty()) {
            return databases.contains(db);
        }
        if (!collections.isEmpty()) {
            return collections.stream().anyMatch(ns -> ns.startsWith(db + "."));
        }
        return !SYSTEM_DATABASES.contains(db);
    }

    private boolean wantCollection(String db, String coll) {
        String ns = db + "." + coll;
        if (excludeCollections.contains(ns)) {
            return false;
        }
        if (!collections.isEmpty() && !collections.contains(ns)) {
            return false;
        }
        return !coll.startsWith("system.") || collections.contains(ns);
    }

    private List<Collection> plan(MongoClient client) {
        List<Collection> plan = new ArrayList<>();
        List<String> dbs = new ArrayList<>();
        client.listDatabaseNames().forEach(dbs::add);
        dbs.sort(null);
        for (String db : dbs) {
            if (!wantDatabase(db)) {
                continue;
            }
            MongoDatabase database = client.getDatabase(db);
            List<BsonDocument> infos = new ArrayList<>();
            database.listCollections(BsonDocument.class).forEach(infos::add);
            infos.sort((a, b) -> a.getString("name").getValue().compareTo(b.getString("name").getValue()));
            for (BsonDocument info : infos) {
                String coll = info.getString("name").getValue();
                if (!wantCollection(db, coll)) {
                    continue;
                }
                Collection c = new Collection();
                c.db = db;
                c.name = coll;
                c.type = info.containsKey("type") ? info.getString("type").getValue() : "collection";
                c.dataCollection = c.type.equals("timeseries") ? "system.buckets." + coll : coll;
                BsonDocument options = info.containsKey("options") ? info.getDocument("options") : new BsonDocument();
                BsonDocument metadata = new BsonDocument();
                if (!options.isEmpty()) {
                    metadata.append("options", options);
                }
                BsonArray indexes = new BsonArray();
                if (!c.type.equals("view")) {
                    for (BsonDocument index : database.getCollection(coll).listIndexes(BsonDocument.class)) {
                        index.remove("ns"); // as mongodump: the namespace is implied by the collection
                        indexes.add(index);
                    }
                }
                metadata.append("indexes", indexes);
                BsonValue uuid = info.containsKey("info") ? info.getDocument("info").get("uuid") : null;
                if (uuid != null && uuid.isBinary()) {
                    metadata.append("uuid", new BsonString(HexFormat.of().formatHex(uuid.asBinary().getData())));
                }
                metadata.append("collectionName", new BsonString(coll));
                metadata.append("type", new BsonString(c.type));
                c.metadataJson = CollectionMetadata.json(metadata); // compact, as mongodump writes it
                plan.add(c);
            }
        }
        for (String ns : collections) {
            if (plan.stream().noneMatch(c -> c.namespace().equals(ns))) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "collection '" + ns + "' configured for backup '"
                        + name + "' does not exist on " + connection.describe(null));
            }
        }
        return plan;
    }

    private void dumpCollection(MongoClient client, Collection c, ArchiveWriter writer) {
        MongoCollection<RawBsonDocument> coll = client.getDatabase(c.db).getCollection(c.dataCollection, RawBsonDocument.class);
        try (MongoCursor<RawBsonDocument> cursor = coll.find().batchSize(batchSize).iterator()) {
            while (cursor.hasNext()) {
                write(writer, cursor.next());
            }
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "backup of '" + name + "', reading " + c.namespace()
                    + " after " + writer.documents() + " documents");
        }
    }

    private void dumpOplog(MongoClient client, BsonTimestamp before, BsonTimestamp after, Set<String> namespaces,
                           ArchiveWriter writer) {
        MongoCollection<RawBsonDocument> coll = client.getDatabase("local").getCollection("oplog.rs", RawBsonDocument.class);
        BsonDocument filter = new BsonDocument("ts", new BsonDocument("$gt", before).append("$lte", after));
        try (MongoCursor<RawBsonDocument> cursor = coll.find(filter).sort(new BsonDocument("ts", new BsonInt32(1)))
                .batchSize(batchSize).iterator()) {
            while (cursor.hasNext()) {
                RawBsonDocument entry = cursor.next();
                BsonValue ns = entry.get("ns");
                if (ns != null && ns.isString() && namespaces.contains(ns.asString().getValue())) {
                    write(writer, entry);
                }
            }
        } catch (MongoException e) {
            throw MongoErrors.map(e, connection, "backup of '" + name + "', reading the oplog");
        }
    }

    private static void write(ArchiveWriter writer, RawBsonDocument doc) {
        if (Thread.currentThread().isInterrupted()) {
            throw new BackupException(CoreErrorCode.INTERRUPTED, "mongo backup interrupted");
        }
        ByteBuffer nio = doc.getByteBuffer().asNIO();
        if (nio.hasArray()) {
            writer.writeDocument(nio.array(), nio.arrayOffset() + nio.position(), nio.remaining());
        } else {
            byte[] copy = new byte[nio.remaining()];
            nio.get(copy);
            writer.writeDocument(copy, 0, copy.length);
        }
    }

    /** The newest oplog timestamp, {@code Timestamp(0,0)} for an empty oplog, or null when there is no oplog. */
    private static BsonTimestamp lastOplogTimestamp(MongoClient client) {
        MongoDatabase local = client.getDatabase("local");
        boolean exists = false;
        for (String n : local.listCollectionNames()) {
            if (n.equals("oplog.rs")) {
                exists = true;
                break;
            }
        }
        if (!exists) {
            return null;
        }
        BsonDocument last = local.getCollection("oplog.rs", BsonDocument.class).find()
                .sort(new BsonDocument("ts", new BsonInt32(-1))).limit(1).first();
        return last == null || !last.isTimestamp("ts") ? new BsonTimestamp(0L) : last.getTimestamp("ts");
    }

    private static Map<String, Object> ts(BsonTimestamp t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("t", t.getTime());
        m.put("i", t.getInc());
        return m;
    }

    /**
     * Builds a {@link MongoSource}. Not thread-safe. Defaults: name {@code mongo}, port 27017,
     * authDatabase {@code admin}, all non-system databases and collections, batch size
     * {@value #DEFAULT_BATCH_SIZE}, oplog capture on, server selection timeout 10 s.
     */
    public static final class Builder {
        private String name = "mongo";
        private Secret connectionString;
        private String host;
        private int port = 27017;
        private String user;
        private Secret password;
        private String authDatabase = "admin";
        private final Set<String> databases = new LinkedHashSet<>();
        private final Set<String> excludeDatabases = new LinkedHashSet<>();
        private final Set<String> collections = new LinkedHashSet<>();
        private final Set<String> excludeCollections = new LinkedHashSet<>();
        private int batchSize = DEFAULT_BATCH_SIZE;
        private boolean oplog = true;
        private Duration serverSelectionTimeout = Duration.ofSeconds(10);

        private final ConfigurationProblems problems = ConfigurationProblems.of("MongoSource");

        private Builder() {
        }

        /**
         * Source name, checked by {@link SourceNames} (1-63 characters from a-z, 0-9, '.', '_', '-', not a reserved
         * repository folder); default {@code mongo}.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} for a name the repository cannot hold
         */
        public Builder name(String name) {
            problems.once("name");
            this.name = SourceNames.requireValid(name);
            return this;
        }

        /** A {@code mongodb://} connection string; kept as a secret since it may hold credentials. */
        public Builder connectionString(String connectionString) {
            problems.once("connectionString");
            this.connectionString = Secret.of(Objects.requireNonNull(connectionString, "connectionString"));
            return this;
        }

        /** Server host, instead of a connection string. */
        public Builder host(String host) {
            problems.once("host");
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Server port; default 27017. */
        public Builder port(int port) {
            problems.once("port");
            if (port < 1 || port > 65535) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "port must be 1..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** User to authenticate as (SCRAM); none by default. */
        public Builder user(String user) {
            problems.once("user");
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The user's password. */
        public Builder password(Secret password) {
            problems.once("password");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Database holding the user; default {@code admin}. */
        public Builder authDatabase(String authDatabase) {
            problems.once("authDatabase");
            this.authDatabase = Objects.requireNonNull(authDatabase, "authDatabase");
            return this;
        }

        /** Databases to back up; default all except {@code admin}, {@code local}, {@code config}. */
        public Builder databases(String... names) {
            databases.addAll(List.of(names));
            return this;
        }

        /** Databases to skip. */
        public Builder excludeDatabases(String... names) {
            excludeDatabases.addAll(List.of(names));
            return this;
        }

        /** Only these collections, as {@code db.collection} (the collection part may contain dots). */
        public Builder collections(String... namespaces) {
            for (String ns : namespaces) {
                if (ns.indexOf('.') <= 0) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "collection must be db.collection: " + ns);
                }
            }
            collections.addAll(List.of(namespaces));
            return this;
        }

        /** Collections to skip, as {@code db.collection}. */
        public Builder excludeCollections(String... namespaces) {
            excludeCollections.addAll(List.of(namespaces));
            return this;
        }

        /** Documents per cursor batch, 1..100000; default {@value #DEFAULT_BATCH_SIZE}. Bounds memory. */
        public Builder batchSize(int batchSize) {
            problems.once("batchSize");
            if (batchSize < 1 || batchSize > 100_000) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "batchSize must be 1..100000: " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Capture the oplog slice written during the backup when the server has an oplog; default true. */
        public Builder oplog(boolean oplog) {
            problems.once("oplog");
            this.oplog = oplog;
            return this;
        }

        /** How long to wait for a reachable server; default 10 s. */
        public Builder serverSelectionTimeout(Duration timeout) {
            problems.once("serverSelectionTimeout");
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "serverSelectionTimeout must be positive");
            }
            this.serverSelectionTimeout = timeout;
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem at once (no server, both a
         *                         connection string and a host, an invalid connection string, a user without password
         *                         or the reverse, a database both included and excluded)
         */
        public MongoSource build() {
            problems.check(connectionString != null || host != null,
                    "no MongoDB server: call connectionString(\"mongodb://host:27017\") or host(..)");
            problems.check(connectionString == null || (host == null && !problems.given("port")),
                    "give either connectionString(..) or host(..)/port(..), not both");
            if (connectionString != null) {
                try {
                    new com.mongodb.ConnectionString(connectionString.reveal());
                } catch (IllegalArgumentException e) {
                    // the driver's message may quote the string, which may hold a password: not copied
                    problems.add("the connection string is not valid (expected mongodb://host:port/...)");
                }
            }
            problems.check(user == null || password != null, "user '" + user + "' given without password(..)");
            problems.check(password == null || user != null, "password(..) given without user(..)");
            Set<String> both = new LinkedHashSet<>(databases);
            both.retainAll(excludeDatabases);
            problems.check(both.isEmpty(), "databases " + both + " are both included and excluded");
            for (String ns : collections) {
                problems.check(!excludeDatabases.contains(ns.substring(0, ns.indexOf('.'))),
                        "collection " + ns + " is in an excluded database");
            }
            problems.throwIfAny();
            return new MongoSource(this);
        }
    }
}
