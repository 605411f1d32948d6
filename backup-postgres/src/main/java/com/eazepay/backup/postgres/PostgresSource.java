package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.Identifiers;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.postgres.internal.RowCounts;
import com.eazepay.backup.postgres.internal.SideDump;
import com.eazepay.backup.postgres.internal.ToolFailure;
import com.eazepay.backup.postgres.internal.ToolStreams;
import com.eazepay.backup.postgres.internal.TableFilter;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Backs up one PostgreSQL database with {@code pg_dump} and restores it with {@code pg_restore}.
 *
 * <pre>{@code
 * PostgresSource source = PostgresSource.builder()
 *     .name("postgres")
 *     .jdbcUrl("jdbc:postgresql://db.internal:5432/payments")
 *     .user("backup")
 *     .password(Secret.of(System.getenv("PGPASSWORD")))
 *     .excludeTables("public.audit_log_*")
 *     .build();
 * }</pre>
 *
 * <p><b>Backup.</b> Opens a JDBC connection, starts a {@code REPEATABLE READ, READ ONLY} transaction,
 * exports its snapshot and runs {@code pg_dump --format=custom --compress=0 --snapshot=<id>}, streaming stdout
 * into the stream {@code db} ({@code db.pgdump}; {@code db.sql} with {@link Builder#plainFormat()}).
 * Compression and encryption happen downstream. From the same snapshot it records the manifest facts
 * {@code row_counts} (exact {@code count(*)} of every dumped table, keyed {@code schema.table}),
 * {@code server_version}, {@code server_version_num}, {@code database_size_bytes}, {@code pg_dump_version},
 * {@code format}, {@code database}, {@code database_properties} (encoding, locale, owner), {@code standby} (when
 * taken from a standby); the consistent-at instant is the snapshot's server time (on a standby, the last replayed
 * commit's). The transaction stays open until {@code pg_dump} has finished; its connection clears the role's
 * statement and idle-in-transaction timeouts, and the counts run on a second connection importing the snapshot.
 * Two small streams are dumped alongside it (on threads of their own, while {@code pg_dump} runs) and follow it in
 * the manifest: {@value #DATABASE_STREAM} (the database-level entries: owner, settings, comment, ACL; same snapshot)
 * and {@value #GLOBALS_STREAM} ({@code pg_dumpall --globals-only --no-role-passwords}; {@link Builder#noGlobals()}).
 * No stream is committed until all three dumps and the row counts succeeded; a failing small dump kills
 * {@code pg_dump} at once and fails the backup with its own error.
 *
 * <p><b>Tools.</b> {@code pg_dump} is taken from {@link Builder#pgDumpPath(Path)} if set, else from {@code PATH}
 * and {@code /usr/lib/postgresql/*}{@code /bin}; its major version must be at least the server's
 * ({@code VERSION_MISMATCH} before anything is dumped, naming the package to install).
 *
 * <p><b>Secrets.</b> The password reaches {@code pg_dump}/{@code pg_restore} only through a 0600 password file
 * ({@code PGPASSFILE}, deleted when the tool exits), never argv nor the child's environment; {@link #toString()} and every message are credential-free.
 *
 * <p><b>Restore</b> into a {@link PostgresTarget}: see there. Errors: {@code SOURCE_UNAVAILABLE} (retryable)
 * when the server cannot be reached, {@code AUTHENTICATION_FAILED} for bad credentials, {@code SOURCE_FAILED} for a failing tool (with its
 * stderr tail), {@code NOT_FOUND} for a missing database, {@code TIMEOUT}, {@code INTERRUPTED},
 * {@code ALREADY_EXISTS}/{@code TARGET_NOT_EMPTY} for restore targets that must not be written.
 *
 * <p>Immutable and thread-safe.
 */
public final class PostgresSource implements BackupSource {

    /** Default {@link Builder#lockWaitTimeout(Duration)}: 5 minutes. */
    public static final Duration DEFAULT_LOCK_WAIT_TIMEOUT = Duration.ofMinutes(5);
    /** Default {@link Builder#timeout(Duration)}: 12 hours. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(12);
    /** The stream name. */
    public static final String STREAM = "db";
    /** Fact key of the per-table row counts. */
    public static final String FACT_ROW_COUNTS = "row_counts";
    /**
     * The stream with the database-level entries only (owner, {@code ALTER DATABASE … SET},
     * {@code ALTER ROLE … IN DATABASE … SET}, comment, ACL): a schema-only custom-format {@code pg_dump} that
     * excludes every schema, from the same snapshot. Restored with {@code pg_restore --create --schema-only}.
     */
    public static final String DATABASE_STREAM = "database";
    /**
     * The stream with the cluster's roles and tablespaces: {@code pg_dumpall --globals-only} (by default
     * {@code --no-role-passwords}), plain SQL. A restore creates the roles the target server lacks from it.
     */
    public static final String GLOBALS_STREAM = "globals";
    /** Fact key of the source database's properties: encoding, lc_collate, lc_ctype, owner, locale_provider, icu_locale. */
    public static final String FACT_DATABASE_PROPERTIES = "database_properties";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSource.class);

    private final String name;
    private final ConnectionSettings settings;
    private final List<String> schemas;
    private final List<String> excludeSchemas;
    private final List<String> tables;
    private final List<String> excludeTables;
    private final boolean plainFormat;
    private final boolean noOwner;
    private final boolean noPrivileges;
    private final List<String> extraArgs;
    private final List<String> excludeTableData;
    private final boolean rowCounts;
    private final boolean globals;
    private final boolean rolePasswords;
    private final Duration lockWaitTimeout;
    private final Path pgDumpPath;
    private final Path pgRestorePath;
    private final Duration timeout;

    private PostgresSource(Builder b, ConnectionSettings settings) {
        this.name = b.name;
        this.settings = settings;
        this.schemas = List.copyOf(b.schemas);
        this.excludeSchemas = List.copyOf(b.excludeSchemas);
        this.tables = List.copyOf(b.tables);
        this.excludeTables = List.copyOf(b.excludeTables);
        this.plainFormat = b.plainFormat;
        this.noOwner = b.noOwner;
        this.noPrivileges = b.noPrivileges;
        this.extraArgs = List.copyOf(b.extraArgs);
        this.excludeTableData = List.copyOf(b.excludeTableData);
        this.rowCounts = b.rowCounts;
        this.globals = b.globals;
        this.rolePasswords = b.rolePasswords;
        this.lockWaitTimeout = b.lockWaitTimeout;
        this.pgDumpPath = b.pgDumpPath;
        this.pgRestorePath = b.pgRestorePath;
        this.timeout = b.timeout;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** {@code postgres}. */
    @Override
    public String type() {
        return "postgres";
    }

    /** Always true: dumps hold personal data, so the engine demands encryption or an explicit opt-out. */
    @Override
    public boolean sensitive() {
        return true;
    }

    /** The credential-free location of the source database, {@code postgresql://host:port/db}. */
    public String location() {
        return settings.location();
    }

    /**
     * The {@code pg_dump} arguments (without the program) for a snapshot: exposed so tests and users can
     * see that no secret is in argv.
     */
    public List<String> pgDumpArguments(String snapshot) {
        List<String> args = new ArrayList<>();
        args.add(plainFormat ? "--format=plain" : "--format=custom");
        args.add("--compress=0");
        args.add("--no-password");
        if (snapshot != null) {
            args.add("--snapshot=" + snapshot);
        }
        schemas.forEach(s -> args.add("--schema=" + s));
        excludeSchemas.forEach(s -> args.add("--exclude-schema=" + s));
        tables.forEach(t -> args.add("--table=" + t));
        excludeTables.forEach(t -> args.add("--exclude-table=" + t));
        excludeTableData.forEach(t -> args.add("--exclude-table-data=" + t));
        args.add("--lock-wait-timeout=" + lockWaitTimeout.toMillis());
        if (noOwner) {
            args.add("--no-owner");
        }
        if (noPrivileges) {
            args.add("--no-privileges");
        }
        args.addAll(extraArgs);
        return args;
    }

    @Override
    public void backup(BackupContext context) {
        long start = System.nanoTime();
        try (Connection c = settings.connect("backup")) {
            long connected = System.nanoTime();
            try (Statement st = c.createStatement()) {
                // the exporting connection must outlive pg_dump: never inherit the role's timeouts
                st.execute("SET statement_timeout = 0");
                st.execute("SET idle_in_transaction_session_timeout = 0");
                st.execute("SET lock_timeout = 0");
            }
            c.setAutoCommit(false);
            Snapshot snap;
            try (Statement st = c.createStatement()) {
                // pgjdbc sends BEGIN before the first statement; SET TRANSACTION must come before any query
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs = st.executeQuery("select pg_export_snapshot(), clock_timestamp(),"
                        + " current_setting('server_version'), current_setting('server_version_num')::int,"
                        + " pg_database_size(current_database()), pg_is_in_recovery(), pg_last_xact_replay_timestamp()")) {
                    rs.next();
                    boolean standby = rs.getBoolean(6);
                    OffsetDateTime replayed = rs.getObject(7, OffsetDateTime.class);
                    // on a standby the data is as of the last replayed commit, not as of the standby's clock
                    Instant at = standby && replayed != null ? replayed.toInstant()
                            : rs.getObject(2, OffsetDateTime.class).toInstant();
                    snap = new Snapshot(rs.getString(1), at, rs.getString(3), rs.getInt(4), rs.getLong(5), standby);
                }
            }
            long exported = System.nanoTime();
            int serverMajor = PgTools.serverMajor(snap.versionNum());
            PgTools.Tool pgDump = PgTools.find("pg_dump", pgDumpPath, serverMajor,
                    "server " + settings.location() + " runs PostgreSQL " + snap.version());
            context.consistentAt(snap.at());
            context.fact("server_version", snap.version());
            context.fact("server_version_num", snap.versionNum());
            context.fact("database", settings.database());
            context.fact("database_size_bytes", snap.databaseSize());
            context.fact("pg_dump_version", pgDump.version());
            context.fact("format", plainFormat ? "plain" : "custom");
            context.fact("snapshot", snap.id());
            if (snap.standby()) {
                context.fact("standby", true);
            }
            long found = System.nanoTime();
            context.fact(FACT_DATABASE_PROPERTIES, databaseProperties(c));
            long queried = System.nanoTime();

            // looked up before any stream is opened: a missing or too old pg_dumpall fails before anything is dumped
            PgTools.Tool pgDumpall = globals ? PgTools.find("pg_dumpall", sibling("pg_dumpall"), serverMajor,
                    "server " + settings.location() + " runs PostgreSQL " + snap.version()) : null;
            long ready = System.nanoTime();
            LOG.debug("before pg_dump of {}: connect {} ms, snapshot export {} ms, pg_dump lookup {} ms,"
                    + " database properties {} ms, pg_dumpall lookup {} ms", settings.location(), (connected - start) / 1_000_000,
                    (exported - connected) / 1_000_000, (found - exported) / 1_000_000, (queried - found) / 1_000_000,
                    (ready - queried) / 1_000_000);

            // exact row counts from the same snapshot, counted while pg_dump runs (both only read)
            long bytes;
            int tableCount;
            try (RowCounts.Counter counter = rowCounts ? new RowCounts.Counter(settings, snap.id(), lockWaitTimeout,
                    new TableFilter(schemas, excludeSchemas, tables, excludeTables),
                    excludeTableData.isEmpty() ? null : new TableFilter(List.of(), List.of(), excludeTableData, List.of()))
                    : null) {
                bytes = dump(context, pgDump, pgDumpall, snap.id(), counter);
                tableCount = counter == null ? 0 : counter.tables();
            }
            c.rollback();
            LOG.info("pg_dump of {} finished: {} bytes, {} tables counted, {} ms ({} ms before pg_dump started)",
                    settings.location(), bytes, tableCount, (System.nanoTime() - start) / 1_000_000,
                    (ready - start) / 1_000_000);
        } catch (SQLException e) {
            throw settings.translate(e, "backup of " + settings.location() + " failed");
        }
    }

    /** Encoding, collation, ctype, owner (and, from PostgreSQL 15, the locale provider) of the current database. */
    private static Map<String, Object> databaseProperties(Connection c) throws SQLException {
        Map<String, Object> props = new TreeMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,"
                     + " pg_get_userbyid(d.datdba), to_jsonb(d) ->> 'datlocprovider', to_jsonb(d) ->> 'daticulocale'"
                     + " from pg_database d where d.datname = current_database()")) {
            rs.next();
            props.put("encoding", rs.getString(1));
            props.put("lc_collate", rs.getString(2));
            props.put("lc_ctype", rs.getString(3));
            props.put("owner", rs.getString(4));
            if (rs.getString(5) != null) {
                props.put("locale_provider", "i".equals(rs.getString(5)) ? "icu" : "libc");
            }
            if (rs.getString(6) != null) {
                props.put("icu_locale", rs.getString(6));
            }
        }
        return props;
    }

    /** The {@value #DATABASE_STREAM} stream: a custom-format archive holding only the database-level entries. */
    private SideDump startDatabaseEntries(BackupContext context, PgTools.Tool pgDump, String snapshot,
                                          Consumer<BackupException> onFailure) {
        List<String> argv = new ArrayList<>(List.of(pgDump.path().toString(), "--format=custom", "--compress=0",
                "--no-password", "--schema-only", "--snapshot=" + snapshot, "--exclude-schema=*"));
        if (noOwner) {
            argv.add("--no-owner");
        }
        if (noPrivileges) {
            argv.add("--no-privileges");
        }
        String what = "the database-level entries of " + settings.location();
        return SideDump.start("pg_dump", what, settings.tool("pg_dump", argv, timeout),
                context.newStream(DATABASE_STREAM, "pgdump"),
                (child, exit) -> toolFailed("pg_dump", child, exit, "dump of " + what), onFailure);
    }

    /** The {@value #GLOBALS_STREAM} stream: {@code pg_dumpall --globals-only}, without password hashes by default. */
    private SideDump startGlobals(BackupContext context, PgTools.Tool pgDumpall, Consumer<BackupException> onFailure) {
        List<String> argv = new ArrayList<>(List.of(pgDumpall.path().toString(), "--globals-only", "--no-password",
                "--database=" + settings.database()));
        if (!rolePasswords) {
            argv.add("--no-role-passwords");
        }
        String what = "the roles and tablespaces of " + settings.location();
        return SideDump.start("pg_dumpall", what, settings.tool("pg_dumpall", argv, timeout)
                        // unlike pg_dump, pg_dumpall does not clear the role's statement_timeout itself
                        .environment(Map.of("PGOPTIONS", "-c statement_timeout=0")),
                context.newStream(GLOBALS_STREAM, "sql"),
                (child, exit) -> toolFailed("pg_dumpall", child, exit, "dump of " + what + " (noGlobals() skips it)"),
                onFailure);
    }

    /** {@code name} next to the configured pg_dump, if it is there; null to search. */
    private Path sibling(String tool) {
        if (pgDumpPath == null || pgDumpPath.getParent() == null) {
            return null;
        }
        Path p = pgDumpPath.resolveSibling(tool);
        return Files.isExecutable(p) ? p : null;
    }

    /**
     * Runs the main pg_dump into {@value #STREAM} and, alongside it, the small {@value #DATABASE_STREAM} and
     * {@value #GLOBALS_STREAM} dumps. The streams are opened on this thread in manifest order; none is closed
     * (committed) until pg_dump, the row counts and every side dump succeeded, so a failure anywhere commits
     * nothing. A failing side dump kills pg_dump at once, and its error is the one thrown.
     */
    private long dump(BackupContext context, PgTools.Tool pgDump, PgTools.Tool pgDumpall, String snapshot,
                      RowCounts.Counter counter) {
        List<String> argv = new ArrayList<>();
        argv.add(pgDump.path().toString());
        argv.addAll(pgDumpArguments(snapshot));
        LOG.debug("running {}", argv);
        OutputStream out = context.newStream(STREAM, plainFormat ? "sql" : "pgdump");
        List<SideDump> sides = new ArrayList<>();
        AtomicReference<BackupException> sideFailure = new AtomicReference<>();
        // The stream is closed (= committed) only after pg_dump exited 0. On any failure it is left open,
        // which the engine treats as an abort: nothing of a failed dump becomes visible.
        try (ChildProcess.Running child = settings.tool("pg_dump", argv, timeout).start()) {
            child.stdin().close();
            Consumer<BackupException> failFast = e -> {
                if (sideFailure.compareAndSet(null, e)) {
                    child.kill();
                }
            };
            sides.add(startDatabaseEntries(context, pgDump, snapshot, failFast));
            if (pgDumpall != null) {
                sides.add(startGlobals(context, pgDumpall, failFast));
            }
            long bytes;
            try {
                bytes = ToolStreams.pumpToExit(child, out, "pg_dump",
                        (ch, exit) -> toolFailed("pg_dump", ch, exit, "dump of " + settings.location()));
            } catch (BackupException e) {
                BackupException side = sideFailure.get();
                // unless its own timeout ended it, pg_dump was killed because a side dump failed: that is the cause
                if (side != null && e.errorCode() != CoreErrorCode.TIMEOUT) {
                    side.addSuppressed(e);
                    throw side;
                }
                throw e;
            }
            long dumped = System.nanoTime();
            String warnings = child.stderrTail();
            if (!warnings.isEmpty()) {
                LOG.warn("pg_dump of {} wrote to stderr: {}", settings.location(), warnings);
            }
            if (bytes == 0) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "pg_dump of " + settings.location()
                        + " exited 0 but wrote nothing: refusing to store an empty dump");
            }
            if (counter != null) {
                try {
                    context.fact(FACT_ROW_COUNTS, counter.await());
                } catch (SQLException e) {
                    throw settings.translate(e, "counting the rows of " + settings.location()
                            + " (pg_dump itself succeeded; skipRowCounts() turns counting off)");
                }
            }
            long counted = System.nanoTime();
            sides.forEach(SideDump::await);
            long sided = System.nanoTime();
            try {
                out.close();
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "storing the dump of "
                        + settings.location() + " failed: " + e.getMessage(), e);
            }
            sides.forEach(SideDump::commit);
            LOG.debug("after pg_dump of {} exited: waited {} ms for the row counts, {} ms for the side dumps ({}), {} ms to"
                    + " store the streams", settings.location(), (counted - dumped) / 1_000_000, (sided - counted) / 1_000_000,
                    sides, (System.nanoTime() - sided) / 1_000_000);
            return bytes;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot start pg_dump: " + e.getMessage(), e);
        } finally {
            sides.forEach(SideDump::close);
        }
    }

    private BackupException toolFailed(String tool, ChildProcess.Running child, int exit, String what) {
        return ToolFailure.classify(tool, child, exit, what, timeout, lockWaitTimeout, settings.password());
    }

    // ------------------------------------------------------------------ restore

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof PostgresTarget pt)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "source " + name
                    + " restores into a PostgresTarget (PostgresTarget.newDatabase(\"restore_tmp\")), not "
                    + target.describe());
        }
        return new PostgresRestore(this, context, pt).run();
    }

    ConnectionSettings settings() {
        return settings;
    }

    /** {@code pg_restore --list} on custom-format archives (see {@link PostgresValidator}). */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of(new PostgresValidator(pgRestorePath(), timeout));
    }

    /** Scratch databases of restore tests are named with this prefix. */
    public static final String SCRATCH_PREFIX = com.eazepay.backup.spi.ScratchTargets.DATABASE_PREFIX;

    /**
     * A new database {@code restoretest_<id>} on this source's server, created by the restore and dropped
     * ({@code DROP DATABASE ... WITH (FORCE)}) by {@link com.eazepay.backup.spi.ScratchTarget#drop()}. The role needs
     * {@code CREATEDB}.
     *
     * <p>It can be swapped into place (a corruption drill with {@code swap()}): once its checks passed, the source's
     * database is renamed to {@code <name>_before_<backupId>} and kept (with its owner, settings and ACL) and the
     * scratch database takes its name, both renames in one transaction after the sessions of both were ended, as
     * {@link PostgresTarget#swapInto(String)} does. The role needs what that swap needs (superuser, or CREATEDB,
     * {@code pg_signal_backend} and ownership of the live database); the scratch database is then not dropped.
     */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.ScratchTarget> scratchTarget(String testId) {
        String db = SCRATCH_PREFIX + testId;
        String live = settings.database();
        return java.util.Optional.of(com.eazepay.backup.spi.ScratchTargets.of(() -> PostgresTarget.newDatabase(db), db,
                this::dropScratch, backup -> {
                    String before = PostgresRestore.swapIntoPlace(this, db, live, backup.id());
                    return new com.eazepay.backup.spi.ScratchSwap.Result(settings.location(live),
                            before == null ? "nothing (" + live + " did not exist)" : settings.location(before));
                }));
    }

    /**
     * Drops a scratch database named in a cleanup journal, on this source's server; refuses any name that is
     * not {@code restoretest_[a-z0-9_]+} (the journal comes from the repository).
     */
    @Override
    public void dropScratch(String resource) {
        if (!com.eazepay.backup.spi.ScratchTargets.isScratchDatabase(resource)) {
            LOG.warn("not dropping database {}: not a restore-test scratch database", resource);
            return;
        }
        try (Connection c = settings.connect("dropping restore-test database " + resource); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(resource) + " WITH (FORCE)");
            LOG.debug("dropped restore-test database {} on {}", resource, settings.location());
        } catch (SQLException e) {
            throw settings.translate(e, "dropping restore-test database " + resource + " on " + settings.location());
        }
    }

    /** The role's password, when one is configured (names only, never values). */
    @Override
    public List<String> secretNames() {
        return settings.password() == null ? List.of()
                : List.of("password of role " + settings.user() + " on " + settings.location());
    }

    Path pgRestorePath() {
        if (pgRestorePath != null) {
            return pgRestorePath;
        }
        return pgDumpPath != null && pgDumpPath.getParent() != null ? pgDumpPath.resolveSibling("pg_restore") : null;
    }

    Path psqlPath() {
        Path r = pgRestorePath();
        return r != null && r.getParent() != null ? r.resolveSibling("psql") : null;
    }

    Duration lockWaitTimeout() {
        return lockWaitTimeout;
    }

    Duration timeout() {
        return timeout;
    }

    @Override
    public String toString() {
        return "PostgresSource[name=" + name + ", " + settings + (plainFormat ? ", plain" : "")
                + (schemas.isEmpty() ? "" : ", schemas=" + schemas) + (tables.isEmpty() ? "" : ", tables=" + tables) + "]";
    }

    private record Snapshot(String id, Instant at, String version, int versionNum, long databaseSize, boolean standby) {
    }

    /**
     * Builds a {@link PostgresSource}: {@code host} (default {@code localhost}), {@code port} (default 5432),
     * {@code user} (default: from the JDBC URL, else the driver's default) and {@code password} as every PostgreSQL
     * builder has them; either those and {@link #database} or {@link #jdbcUrl}. Not thread-safe.
     */
    public static final class Builder extends com.eazepay.backup.postgres.internal.ConnectionBuilder<Builder> {
        private String name = "postgres";
        private String jdbcUrl;
        private String database;
        private final List<String> schemas = new ArrayList<>();
        private final List<String> excludeSchemas = new ArrayList<>();
        private final List<String> tables = new ArrayList<>();
        private final List<String> excludeTables = new ArrayList<>();
        private boolean plainFormat;
        private boolean noOwner;
        private boolean noPrivileges;
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> rejectedArgs = new ArrayList<>();
        private final List<String> excludeTableData = new ArrayList<>();
        private boolean rowCounts = true;
        private boolean globals = true;
        private boolean rolePasswords;
        private Duration lockWaitTimeout = DEFAULT_LOCK_WAIT_TIMEOUT;
        private Path pgDumpPath;
        private Path pgRestorePath;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
            super("PostgresSource", "localhost", null);
        }

        /** Source name in the engine and in storage keys. Default {@code postgres}. */
        public Builder name(String name) {
            problems.once("name");
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * {@code jdbc:postgresql://host:port/database}. A {@code user}/{@code password} in its query string is
         * used (and kept secret); {@link #user}/{@link #password} win over it. Either this or {@link #host} +
         * {@link #database}.
         */
        public Builder jdbcUrl(String jdbcUrl) {
            problems.once("jdbcUrl");
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            return this;
        }

        /** Database to back up. */
        public Builder database(String database) {
            problems.once("database");
            this.database = Identifiers.requireDatabaseName(database);
            return this;
        }

        /** Dump only these schemas ({@code pg_dump --schema}, psql patterns). Default: all. */
        public Builder schemas(String... patterns) {
            schemas.addAll(List.of(patterns));
            return this;
        }

        /** Skip these schemas ({@code --exclude-schema}). */
        public Builder excludeSchemas(String... patterns) {
            excludeSchemas.addAll(List.of(patterns));
            return this;
        }

        /** Dump only these tables ({@code --table}; then schema selections do not apply, as in pg_dump). */
        public Builder tables(String... patterns) {
            tables.addAll(List.of(patterns));
            return this;
        }

        /** Skip these tables ({@code --exclude-table}). */
        public Builder excludeTables(String... patterns) {
            excludeTables.addAll(List.of(patterns));
            return this;
        }

        /** Plain SQL output (stream {@code db.sql}, restored with {@code psql}) instead of custom format. Default off. */
        public Builder plainFormat() {
            problems.once("plainFormat");
            this.plainFormat = true;
            return this;
        }

        /** {@code pg_dump --no-owner}. Default off. */
        public Builder noOwner() {
            problems.once("noOwner");
            this.noOwner = true;
            return this;
        }

        /** {@code pg_dump --no-privileges}. Default off. */
        public Builder noPrivileges() {
            problems.once("noPrivileges");
            this.noPrivileges = true;
            return this;
        }

        /**
         * More {@code pg_dump} arguments, e.g. {@code --exclude-table-data=audit_log}. Must not carry secrets
         * (they would be visible in the process list); connection and output options are rejected.
         */
        public Builder extraArgs(String... args) {
            for (String a : args) {
                Objects.requireNonNull(a, "extraArgs element");
                String opt = a.split("=", 2)[0];
                if (List.of("-f", "--file", "-F", "--format", "-W", "--password", "-d", "--dbname", "-h", "--host",
                        "-U", "--username", "-p", "--port", "-Z", "--compress", "--snapshot").contains(opt)) {
                    throw new IllegalArgumentException("extraArgs must not set " + opt
                            + ": output, format, compression and connection are set by PostgresSource");
                }
                if (List.of("-n", "--schema", "-N", "--exclude-schema", "-t", "--table", "-T", "--exclude-table",
                        "--exclude-table-data", "-a", "--data-only", "-s", "--schema-only", "--lock-wait-timeout",
                        "--strict-names").contains(opt) || opt.matches("-[nNtTas].+")) {
                    rejectedArgs.add(a);
                    continue;
                }
                extraArgs.add(a);
            }
            return this;
        }

        /**
         * Dump these tables' definitions but not their rows ({@code pg_dump --exclude-table-data}); their row
         * count is recorded as 0, so the restore checks expect them empty.
         */
        public Builder excludeTableData(String... patterns) {
            excludeTableData.addAll(List.of(patterns));
            return this;
        }

        /** Do not dump the cluster's roles and tablespaces ({@code pg_dumpall --globals-only}). Default: dumped. */
        public Builder noGlobals() {
            problems.once("noGlobals");
            this.globals = false;
            return this;
        }

        /**
         * Include the roles' password hashes in the globals stream (encrypted like every stream). Default off
         * ({@code --no-role-passwords}): restored roles then have no password until you set one.
         */
        public Builder withRolePasswords() {
            problems.once("withRolePasswords");
            this.rolePasswords = true;
            return this;
        }

        /**
         * Do not record exact row counts (they read every table a second time, concurrently with pg_dump); the
         * restore then has no row-count checks, only the {@link Check}s of the target. Default: counts on.
         */
        public Builder skipRowCounts() {
            problems.once("skipRowCounts");
            this.rowCounts = false;
            return this;
        }

        /**
         * {@code pg_dump --lock-wait-timeout} (and {@code lock_timeout} of the counting connection): how long to
         * wait for a table's share lock, e.g. behind pending DDL, before the backup fails (retryable). Default 5 min.
         */
        public Builder lockWaitTimeout(Duration wait) {
            problems.once("lockWaitTimeout");
            Objects.requireNonNull(wait, "wait");
            if (wait.isNegative() || wait.isZero()) {
                throw new IllegalArgumentException("lockWaitTimeout must be positive, was " + wait);
            }
            this.lockWaitTimeout = wait;
            return this;
        }

        /** The {@code pg_dump} to use (then only it). Default: searched on PATH and in /usr/lib/postgresql/*&#47;bin. */
        public Builder pgDumpPath(Path path) {
            problems.once("pgDumpPath");
            this.pgDumpPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The {@code pg_restore} to use. Default: next to {@link #pgDumpPath} if set, else searched. */
        public Builder pgRestorePath(Path path) {
            problems.once("pgRestorePath");
            this.pgRestorePath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Kill {@code pg_dump}/{@code pg_restore} after this long ({@code TIMEOUT}). Default 12 hours. */
        public Builder timeout(Duration timeout) {
            problems.once("timeout");
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem
         */
        public PostgresSource build() {
            SourceNames.problem(name).ifPresent(problems::add);
            if (!rejectedArgs.isEmpty()) {
                problems.add("extraArgs " + rejectedArgs + " change what is dumped behind the row-count checks' back:"
                        + " use schemas(..), excludeSchemas(..), tables(..), excludeTables(..), excludeTableData(..)"
                        + " or lockWaitTimeout(..) instead");
            }
            ConnectionSettings s = null;
            if (jdbcUrl != null && (serverGiven() || database != null)) {
                problems.add("give either jdbcUrl(..) or host(..)/port(..)/database(..), not both");
            } else if (jdbcUrl != null) {
                try {
                    ConnectionSettings parsed = ConnectionSettings.parseJdbcUrl(jdbcUrl);
                    s = parsed.withCredentials(givenUser() != null ? givenUser() : parsed.user(),
                            givenPassword() != null ? givenPassword() : parsed.password());
                } catch (IllegalArgumentException e) {
                    problems.add("jdbcUrl: " + e.getMessage());
                }
            } else if (database == null) {
                problems.add("no database: call jdbcUrl(\"jdbc:postgresql://host:5432/db\") or database(..)");
            } else {
                s = connection(database);
            }
            problems.throwIfAny();
            return new PostgresSource(this, s);
        }
    }

}
