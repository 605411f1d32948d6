package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.RestoreTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where a mongo backup is restored: every database of the backup into one (differently named)
 * database, {@link #database(String)}, or each into its own name, {@link #sameDatabases()}; on the
 * source's server unless {@link #on(String)} names another. Immutable; every method returns a copy.
 *
 * <p>Defaults: collections that already hold documents are refused ({@code TARGET_NOT_EMPTY}) unless
 * {@link #replaceExisting()}; the oplog slice is replayed; inserts go in batches of 1000 documents,
 * on {@link #DEFAULT_INSERTION_WORKERS} threads per collection.
 */
public final class MongoTarget implements RestoreTarget {

    private final String database;
    private final String fromDatabase;
    private final Connection connection;
    private final boolean dropExisting;
    private final boolean replayOplog;
    /** Insertion workers per collection by default: min(4, available processors), as mongorestore's default of 1 raised. */
    public static final int DEFAULT_INSERTION_WORKERS = Math.min(4, Runtime.getRuntime().availableProcessors());
    /** The most insertion workers per collection {@link #insertionWorkersPerCollection} accepts. */
    public static final int MAX_INSERTION_WORKERS = 64;

    private final int batchSize;
    private final int insertionWorkers;
    private final List<Check> checks;
    private final Set<String> given;

    private MongoTarget(String database, String fromDatabase, Connection connection, boolean dropExisting,
                        boolean replayOplog, int batchSize, int insertionWorkers, List<Check> checks, Set<String> given) {
        this.database = database;
        this.fromDatabase = fromDatabase;
        this.connection = connection;
        this.dropExisting = dropExisting;
        this.replayOplog = replayOplog;
        this.batchSize = batchSize;
        this.insertionWorkers = insertionWorkers;
        this.checks = List.copyOf(checks);
        this.given = given;
    }

    /** Restores every database of the backup into {@code database} (use {@link #fromDatabase} if collection names clash). */
    public static MongoTarget database(String database) {
        if (database == null || database.isEmpty() || database.contains(".") || database.contains("$")) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "not a valid database name: " + database);
        }
        return new MongoTarget(database, null, null, false, true, 1000, DEFAULT_INSERTION_WORKERS, List.of(), Set.of());
    }

    /** Restores each database of the backup under its own name. */
    public static MongoTarget sameDatabases() {
        return new MongoTarget(null, null, null, false, true, 1000, DEFAULT_INSERTION_WORKERS, List.of(), Set.of());
    }

    /** Restores on this server ({@code mongodb://} connection string; kept secret) instead of the source's. */
    public MongoTarget on(String connectionString) {
        return new MongoTarget(database, fromDatabase, Connection.of(Objects.requireNonNull(connectionString)),
                dropExisting, replayOplog, batchSize, insertionWorkers, checks, given("on"));
    }

    /** Credentials for the target server given with {@link #on(String)}. */
    public MongoTarget credentials(String user, Secret password, String authDatabase) {
        if (connection == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "call on(connectionString) before credentials(..)");
        }
        return new MongoTarget(database, fromDatabase, connection.withCredentials(user, password, authDatabase),
                dropExisting, replayOplog, batchSize, insertionWorkers, checks, given("credentials"));
    }

    /** Restores only this database of the backup. */
    public MongoTarget fromDatabase(String sourceDatabase) {
        return new MongoTarget(database, Objects.requireNonNull(sourceDatabase), connection, dropExisting, replayOplog,
                batchSize, insertionWorkers, checks, given("fromDatabase"));
    }

    /**
     * Allows restoring over collections that already hold documents: each target collection the
     * backup holds is dropped before it is restored (other collections are left alone). The same verb
     * as {@code PostgresTarget.replaceExisting}, {@code RedisTarget.replaceExisting()} and
     * {@code FilesTarget.replaceExisting()}. Off by default: a non-empty collection is refused with
     * {@code TARGET_NOT_EMPTY}.
     */
    public MongoTarget replaceExisting() {
        return new MongoTarget(database, fromDatabase, connection,
                true, replayOplog, batchSize, insertionWorkers, checks, given("replaceExisting"));
    }

    /** Whether to replay the backup's oplog slice; default true. */
    public MongoTarget replayOplog(boolean replay) {
        return new MongoTarget(database, fromDatabase, connection,
                dropExisting, replay, batchSize, insertionWorkers, checks, given("replayOplog"));
    }

    /** Documents per {@code insertMany}, 1..100000; default 1000. */
    public MongoTarget batchSize(int batchSize) {
        if (batchSize < 1 || batchSize > 100_000) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "batchSize must be 1..100000: " + batchSize);
        }
        return new MongoTarget(database, fromDatabase, connection,
                dropExisting, replayOplog, batchSize, insertionWorkers, checks, given("batchSize"));
    }

    /**
     * Threads inserting one collection's batches at once, 1..{@value #MAX_INSERTION_WORKERS}, as mongorestore's
     * {@code --numInsertionWorkersPerCollection}; default {@link #DEFAULT_INSERTION_WORKERS} (min(4, available
     * processors)). The archive is read on one thread, which hands each batch over and reads on; each batch is
     * one ordered {@code insertMany}, batches of a collection may land in any order (a capped collection's are
     * always inserted one after another, in archive order). The first failed insert stops the others and fails
     * the restore naming the collection. Memory: up to {@code 2 × n + 1} batches ({@link #batchSize}
     * documents, at most 8 MiB each) in flight. 1 inserts on the reading thread, in archive order.
     */
    public MongoTarget insertionWorkersPerCollection(int workers) {
        if (workers < 1 || workers > MAX_INSERTION_WORKERS) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "insertionWorkersPerCollection must be 1.."
                    + MAX_INSERTION_WORKERS + ": " + workers);
        }
        return new MongoTarget(database, fromDatabase, connection,
                dropExisting, replayOplog, batchSize, workers, checks, given("insertionWorkersPerCollection"));
    }

    /** Adds post-restore assertions, run after the data and oplog are restored. */
    public MongoTarget check(Check... more) {
        List<Check> all = new ArrayList<>(checks);
        all.addAll(List.of(more));
        return new MongoTarget(database, fromDatabase, connection, dropExisting, replayOplog, batchSize, insertionWorkers, all, given);
    }

    String database() {
        return database;
    }

    String fromDatabaseName() {
        return fromDatabase;
    }

    Connection connection() {
        return connection;
    }

    boolean drop() {
        return dropExisting;
    }

    boolean replay() {
        return replayOplog;
    }

    int insertBatchSize() {
        return batchSize;
    }

    int insertionWorkersPerCollection() {
        return insertionWorkers;
    }

    List<Check> checks() {
        return checks;
    }

    /** Maps a source database to its target database name. */
    String targetDatabase(String sourceDatabase) {
        return database == null ? sourceDatabase : database;
    }

    @Override
    public String describe() {
        String where = connection == null ? "the source server" : connection.describe(null);
        return "mongo " + (database == null ? "same databases" : "database " + database)
                + (fromDatabase == null ? "" : " from " + fromDatabase) + " on " + where;
    }

    @Override
    public String toString() {
        return "MongoTarget[" + describe() + "]";
    }

    /** The settings given so far, plus {@code setting}; a setting given twice is refused (as the builders do). */
    private Set<String> given(String setting) {
        if (given.contains(setting)) {
            throw new IllegalStateException("MongoTarget: " + setting + " was already set; give each setting once");
        }
        Set<String> g = new java.util.HashSet<>(given);
        g.add(setting);
        return Set.copyOf(g);
    }
}
