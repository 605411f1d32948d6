package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.RowCounts;
import com.eazepay.backup.postgres.internal.ToolFailure;
import com.eazepay.backup.postgres.internal.ToolStreams;
import com.eazepay.backup.postgres.internal.Identifiers;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.postgres.internal.TableFilter;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One restore of a {@link PostgresSource} backup into a {@link PostgresTarget}. Not thread-safe; used once. */
final class PostgresRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRestore.class);
    private static final Pattern MAJOR = Pattern.compile("^(\\d+)");

    private final PostgresSource source;
    private final RestoreContext context;
    private final PostgresTarget target;
    private final ConnectionSettings server;
    private final String db;

    PostgresRestore(PostgresSource source, RestoreContext context, PostgresTarget target) {
        this.source = source;
        this.context = context;
        this.target = target;
        this.server = target.server().orElse(source.settings());
        // replaceExisting = restore into a new database, then the atomic swap (the old one is kept)
        this.db = target.mode() == PostgresTarget.Mode.REPLACE_EXISTING
                ? Identifiers.derivedName(target.database(), "_restore_", context.manifest().id())
                : target.database();
    }

    /** For {@link #swapIntoPlace} only: no context, no target. */
    private PostgresRestore(PostgresSource source, ConnectionSettings server, String db) {
        this.source = source;
        this.context = null;
        this.target = null;
        this.server = server;
        this.db = db;
    }

    /**
     * Swaps the checked scratch database {@code scratch} into place of {@code live} on the source's server (a corruption
     * drill with {@code swap()}), as {@link PostgresTarget#swapInto(String)} does after a restore: the same privilege
     * check, then both renames in one transaction, the previous {@code live} kept (owner, settings and ACL with it) as
     * {@code <live>_before_<backupId>}. Nothing is renamed when it fails.
     *
     * @return the previous database's new name, or null if {@code live} did not exist
     */
    static String swapIntoPlace(PostgresSource source, String scratch, String live, String backupId) {
        PostgresRestore r = new PostgresRestore(source, source.settings(), scratch);
        String before = Identifiers.beforeName(live, backupId);
        try (Connection admin = r.adminConnection(live)) {
            admin.setAutoCommit(true);
            r.checkSwapPrivileges(admin, live);
            if (databaseExists(admin, before)) {
                throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "database " + before + " exists on "
                        + r.server.location(before) + ": the swap into " + live + " would keep the previous database under"
                        + " that name; drop or rename it first. Nothing was renamed");
            }
            boolean liveExists = databaseExists(admin, live);
            r.swap(live, before);
            return liveExists ? before : null;
        } catch (SQLException e) {
            throw r.server.translate(e, "preparing the swap of " + scratch + " into " + live + " on " + r.server.location(live));
        }
    }

    RestoreOutcome run() {
        Manifest manifest = context.manifest();
        Manifest.StreamInfo stream = manifest.stream(PostgresSource.STREAM).orElseThrow(() -> new BackupException(
                CoreErrorCode.NOT_FOUND, "backup " + manifest.id() + " has no '" + PostgresSource.STREAM
                + "' stream: it was not taken by a PostgresSource"));
        boolean plain = "sql".equals(stream.format()) || "plain".equals(manifest.facts().get("format"));
        int dumpMajor = dumpMajor(manifest);
        PgTools.Tool tool = plain
                ? PgTools.find("psql", source.psqlPath(), 0, "plain dumps load with psql")
                : PgTools.find("pg_restore", source.pgRestorePath(), dumpMajor,
                "backup " + manifest.id() + " was written by pg_dump " + manifest.facts().get("pg_dump_version"));
        String swapInto = target.mode() == PostgresTarget.Mode.REPLACE_EXISTING ? target.database()
                : target.swapTarget().orElse(null);
        String before = swapInto == null ? null : Identifiers.beforeName(swapInto, manifest.id());

        boolean created;
        List<String> rolesCreated = List.of();
        try (Connection admin = adminConnection(swapInto)) {
            admin.setAutoCommit(true);
            if (swapInto != null) {
                checkSwapPrivileges(admin, swapInto);
            }
            if (!target.isNoGlobals() && manifest.stream(PostgresSource.GLOBALS_STREAM).isPresent()) {
                rolesCreated = restoreMissingGlobals(admin);
            }
            created = prepare(admin, swapInto, before);
        } catch (SQLException e) {
            throw server.translate(e, "preparing restore into " + server.location(db));
        }

        Map<String, Object> facts = new LinkedHashMap<>();
        if (!rolesCreated.isEmpty()) {
            facts.put("roles_created", rolesCreated);
        }
        long start = System.nanoTime();
        try {
            long bytes = load(tool, plain);
            facts.put("restored_bytes", bytes);
            if (created) {
                facts.put("database_properties", applyDatabaseEntries(manifest));
            } else {
                facts.put("database_properties", "not applied: the target database existed before the restore");
            }
        } catch (RuntimeException e) {
            if (created) {
                dropCreated(e);
            }
            throw e;
        }
        facts.put("database", db);
        facts.put("restore_tool", tool.path().getFileName() + " " + tool.version());
        facts.put("load_millis", (System.nanoTime() - start) / 1_000_000);

        List<CheckResult> checks = new ArrayList<>();
        // user checks run whenever they are given (as in the MongoDB module), the row counts with them;
        // a swap (and so a replace) always checks first
        if (context.checksRequested() || swapInto != null || !target.checks().isEmpty()) {
            context.checksStarted();
            checks.addAll(runChecks(manifest));
        }
        boolean passed = checks.stream().allMatch(CheckResult::passed);
        String location = server.location(db);
        if (swapInto != null) {
            if (passed) {
                swap(swapInto, before);
                facts.put("swapped", true);
                facts.put("database", swapInto);
                facts.put("previous_database", before);
                location = server.location(swapInto);
                LOG.info("restored backup {} into {} and swapped it in; previous database kept as {}",
                        manifest.id(), server.location(swapInto), before);
            } else {
                facts.put("swapped", false);
                facts.put("kept_for_inspection", db);
                facts.put("note", "checks failed: " + swapInto + " was not touched; restored database " + db
                        + " kept for inspection");
                LOG.warn("restored backup {} into {} but checks failed: no swap into {}, {} kept for inspection",
                        manifest.id(), location, swapInto, db);
            }
        } else {
            LOG.info("restored backup {} into {} ({} checks, {})", manifest.id(), location, checks.size(),
                    passed ? "all passed" : "some failed");
        }
        return new RestoreOutcome(location, checks, facts);
    }

    static int dumpMajor(Manifest m) {
        Object v = m.facts().get("pg_dump_version");
        if (v != null) {
            Matcher matcher = MAJOR.matcher(v.toString());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        return 0;
    }

    /** A connection for CREATE/ALTER DATABASE, never to a database this restore creates, renames or fills. */
    private Connection adminConnection(String swapInto) {
        String maintenance = server.database();
        if (maintenance.equals(db) || maintenance.equals(swapInto)) {
            maintenance = "postgres";
        }
        return server.withDatabase(maintenance).connect("restore");
    }

    /** Checks the target's state and creates the database when the mode says so; returns whether it was created. */
    private boolean prepare(Connection admin, String swapInto, String before) throws SQLException {
        boolean exists = databaseExists(admin, db);
        switch (target.mode()) {
            case NEW_DATABASE -> {
                if (exists) {
                    throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "database " + db + " already exists on "
                            + server.location(db) + ": restore into a new name, drop it yourself, or use "
                            + "PostgresTarget.replaceExisting(\"" + db + "\") to overwrite it");
                }
                if (before != null && databaseExists(admin, before)) {
                    throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "database " + before + " already exists on "
                            + server.location(before) + ": the swap into " + swapInto + " would need that name for the"
                            + " previous database; rename or drop it first");
                }
                create(admin);
                return true;
            }
            case EXISTING_EMPTY -> {
                if (!exists) {
                    throw new BackupException(CoreErrorCode.NOT_FOUND, "database " + db + " does not exist on "
                            + server.location(db) + ": create it, or use PostgresTarget.newDatabase(\"" + db + "\")");
                }
                try (Connection c = server.withDatabase(db).connect("restore");
                     Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                             + " where c.relkind in ('r','p','v','m','S','f') and n.nspname <> 'information_schema'"
                             + " and n.nspname !~ '^pg_'")) {
                    rs.next();
                    long n = rs.getLong(1);
                    if (n > 0) {
                        throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "database " + db + " on "
                                + server.location(db) + " is not empty (" + n + " user relations): restore into "
                                + "PostgresTarget.newDatabase(..), or replaceExisting(\"" + db + "\") to overwrite it");
                    }
                }
                return false;
            }
            case REPLACE_EXISTING -> {
                if (exists) {
                    throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "database " + db + " already exists on "
                            + server.location(db) + ": the replace of " + swapInto + " restores into that name first"
                            + " (left over from an earlier replace that failed its checks?); inspect and drop it");
                }
                if (databaseExists(admin, before)) {
                    throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "database " + before + " already exists on "
                            + server.location(before) + ": the replace of " + swapInto + " keeps the previous database"
                            + " under that name; rename or drop it first");
                }
                create(admin);
                return true;
            }
            default -> throw new IllegalStateException("unknown mode " + target.mode());
        }
    }

    /**
     * {@code CREATE DATABASE … TEMPLATE template0} with the source database's encoding, collation, ctype, locale
     * provider and (when the role exists here and owners are restored) owner, as recorded in the manifest.
     */
    private void create(Connection admin) throws SQLException {
        Map<?, ?> props = context.manifest().facts().get(PostgresSource.FACT_DATABASE_PROPERTIES) instanceof Map<?, ?> m
                ? m : Map.of();
        StringBuilder sql = new StringBuilder("CREATE DATABASE " + Identifiers.quote(db) + " TEMPLATE template0");
        if (props.get("encoding") != null) {
            sql.append(" ENCODING ").append(Identifiers.literal(props.get("encoding").toString()));
        }
        if (props.get("lc_collate") != null) {
            sql.append(" LC_COLLATE ").append(Identifiers.literal(props.get("lc_collate").toString()));
        }
        if (props.get("lc_ctype") != null) {
            sql.append(" LC_CTYPE ").append(Identifiers.literal(props.get("lc_ctype").toString()));
        }
        if (props.get("locale_provider") != null && serverVersionNum(admin) >= 150000) {
            sql.append(" LOCALE_PROVIDER ").append("icu".equals(props.get("locale_provider")) ? "icu" : "libc");
            if (props.get("icu_locale") != null) {
                sql.append(" ICU_LOCALE ").append(Identifiers.literal(props.get("icu_locale").toString()));
            }
        }
        Object owner = props.get("owner");
        if (owner != null && !target.isNoOwner() && roleExists(admin, owner.toString())) {
            sql.append(" OWNER ").append(Identifiers.quote(owner.toString()));
        }
        try (Statement st = admin.createStatement()) {
            // template0: a restore needs an empty database, without whatever was added to template1
            st.execute(sql.toString());
        } catch (SQLException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot create " + server.location(db)
                    + " like the backed-up database (" + props + "): " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("locale")
                    ? "; install that locale on the target server's machine" : ""), e);
        }
        LOG.debug("created database {}: {}", server.location(db), sql);
    }

    private static int serverVersionNum(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean roleExists(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Applies the archive's database-level entries (owner, {@code ALTER DATABASE … SET},
     * {@code ALTER ROLE … IN DATABASE … SET}, comment, ACL) to the restored database, in one transaction:
     * {@code pg_restore --create --schema-only -f -} of the {@value PostgresSource#DATABASE_STREAM} stream, with
     * the source database's name rewritten to the restored one. Returns what was applied, for the facts.
     */
    private String applyDatabaseEntries(Manifest manifest) {
        if (manifest.stream(PostgresSource.DATABASE_STREAM).isEmpty()) {
            LOG.warn("backup {} has no '{}' stream (taken by an older version): the database-level settings, comment"
                    + " and ACL of the source were not restored into {}", manifest.id(), PostgresSource.DATABASE_STREAM, db);
            return "not in backup";
        }
        Object sourceDb = manifest.facts().get("database");
        PgTools.Tool pgRestore = PgTools.find("pg_restore", source.pgRestorePath(), dumpMajor(manifest),
                "backup " + manifest.id() + " was written by pg_dump " + manifest.facts().get("pg_dump_version"));
        List<String> argv = new ArrayList<>(List.of(pgRestore.path().toString(), "--create", "--schema-only", "--file=-"));
        if (target.isNoOwner()) {
            argv.add("--no-owner");
        }
        if (target.isNoPrivileges()) {
            argv.add("--no-privileges");
        }
        String sqlText;
        try (InputStream in = context.openStream(PostgresSource.DATABASE_STREAM);
             ChildProcess.Running child = ConnectionSettings.offlineTool("pg_restore", argv, source.timeout()).start()) {
            java.util.concurrent.atomic.AtomicReference<IOException> readError = new java.util.concurrent.atomic.AtomicReference<>();
            Thread feeder = new Thread(() -> {
                // read the stream to its end (it is verified there) even if pg_restore stops reading early
                OutputStream stdin = child.stdin();
                boolean writing = true;
                byte[] buffer = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (writing) {
                            try {
                                stdin.write(buffer, 0, n);
                            } catch (IOException e) {
                                writing = false; // pg_restore has what it needs (or failed: its exit code tells)
                            }
                        }
                    }
                } catch (IOException e) {
                    readError.set(e);
                } finally {
                    try {
                        stdin.close();
                    } catch (IOException e) {
                        LOG.debug("pg_restore already closed its stdin: {}", e.toString());
                    }
                }
            }, "pg_restore-db-entries-" + child.pid());
            feeder.setDaemon(true);
            feeder.start();
            sqlText = new String(child.stdout().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            feeder.join();
            if (readError.get() != null) {
                throw readError.get();
            }
            int exit = child.waitFor();
            if (exit != 0 || child.wasKilled()) {
                throw ToolFailure.classify("pg_restore", child, exit, "reading the database-level entries of backup "
                        + manifest.id(), source.timeout(), source.lockWaitTimeout(), source.settings().password());
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "reading the database-level entries of backup "
                    + manifest.id() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "restore into " + db + " was interrupted", e);
        }
        List<String> statements = databaseStatements(sqlText, sourceDb == null ? null : sourceDb.toString(), db);
        try (Connection admin = adminConnection(null); Statement st = admin.createStatement()) {
            admin.setAutoCommit(false);
            for (String sql : statements) {
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    admin.rollback();
                    throw new BackupException(CoreErrorCode.SOURCE_FAILED, "applying the database-level entry '"
                            + abbreviate(sql) + "' to " + server.location(db) + " failed: " + e.getMessage()
                            + (e.getMessage() != null && e.getMessage().contains("role")
                            ? "; the role is missing on the target: back up with globals (the default) or use noOwner()/noPrivileges()" : ""), e);
                }
            }
            admin.commit();
        } catch (SQLException e) {
            throw server.translate(e, "applying the database-level entries to " + server.location(db));
        }
        LOG.debug("applied {} database-level entries to {}", statements.size(), server.location(db));
        return statements.size() + " database-level statements applied";
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ");
        return one.length() > 80 ? one.substring(0, 77) + "..." : one;
    }

    /**
     * The owner, setting, comment, ACL and security-label statements of {@code pg_restore --create} output, with
     * {@code DATABASE <sourceDb>} rewritten to the restored database. CREATE DATABASE, SET and psql meta-commands
     * are left out.
     */
    static List<String> databaseStatements(String sqlText, String sourceDb, String targetDb) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sqlText.split("\n", -1)) {
            if (current.length() == 0 && (line.isBlank() || line.startsWith("--") || line.startsWith("\\"))) {
                continue;
            }
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                String stmt = current.toString().strip();
                current.setLength(0);
                if (stmt.startsWith("ALTER DATABASE ") || stmt.startsWith("ALTER ROLE ") || stmt.startsWith("COMMENT ON DATABASE ")
                        || stmt.startsWith("GRANT ") || stmt.startsWith("REVOKE ") || stmt.startsWith("SECURITY LABEL ")) {
                    out.add(sourceDb == null ? stmt : renameDatabase(stmt, sourceDb, targetDb));
                }
            }
        }
        return out;
    }

    private static String renameDatabase(String stmt, String from, String to) {
        Pattern p = Pattern.compile("(DATABASE )(?:\"" + Pattern.quote(from.replace("\"", "\"\"")) + "\"|"
                + Pattern.quote(from) + ")(?=[ ;])");
        return p.matcher(stmt).replaceFirst(Matcher.quoteReplacement("DATABASE " + Identifiers.quote(to)));
    }

    private static boolean databaseExists(Connection admin, String name) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void dropCreated(RuntimeException cause) {
        try (Connection admin = adminConnection(null); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Identifiers.quote(db) + " WITH (FORCE)");
            LOG.warn("restore into {} failed; dropped the database this restore created", server.location(db));
        } catch (SQLException | BackupException e) {
            cause.addSuppressed(e);
        }
    }

    /** Runs pg_restore (or psql for plain dumps), streaming or from a spool file; returns the bytes read. */
    private long load(PgTools.Tool tool, boolean plain) {
        boolean spool = !plain && target.jobCount() > 1;
        List<String> argv = new ArrayList<>();
        argv.add(tool.path().toString());
        if (plain) {
            argv.addAll(List.of("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                    "--no-password", "--dbname=dbname=" + Identifiers.conninfoValue(db)));
        } else {
            argv.add("--dbname=dbname=" + Identifiers.conninfoValue(db));
            argv.add("--no-password");
            argv.add("--exit-on-error");
            if (target.isNoOwner()) {
                argv.add("--no-owner");
            }
            if (target.isNoPrivileges()) {
                argv.add("--no-privileges");
            }
            if (target.isNoTablespaces()) {
                argv.add("--no-tablespaces");
            }
            argv.addAll(target.extraRestoreArgs());
            if (target.jobCount() > 1) {
                argv.add("--jobs=" + target.jobCount());
            } else {
                argv.add("--single-transaction");
            }
        }
        ConnectionSettings conn = server.withDatabase(db);
        String what = "restore into " + server.location(db);
        try (InputStream in = context.openStream(PostgresSource.STREAM)) {
            if (spool) {
                // verify the whole stream before pg_restore touches the target
                Path file = ToolStreams.spool(in, target.tempDir());
                try {
                    argv.add(file.toString());
                    runTool(tool, argv, conn, InputStream.nullInputStream(), what);
                    return Files.size(file);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
            return runTool(tool, argv, conn, in, what);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, what + " failed: " + e.getMessage(), e);
        }
    }

    /** Feeds {@code in} to the tool's stdin, reading {@code in} to its end even if the tool stops early. */
    private long runTool(PgTools.Tool tool, List<String> argv, ConnectionSettings conn, InputStream in, String what) {
        String name = tool.path().getFileName().toString();
        LOG.debug("running {}", argv);
        try (ChildProcess.Running child = conn.tool(name, argv, source.timeout()).start()) {
            // stdout of pg_restore/psql is small (notices); drain it so the tool never blocks on it
            Thread out = new Thread(() -> drain(child.stdout()), name + "-stdout-" + child.pid());
            out.setDaemon(true);
            out.start();
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            OutputStream stdin = child.stdin();
            boolean toolClosed = false;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (Thread.currentThread().isInterrupted()) {
                    child.kill();
                    throw new BackupException(CoreErrorCode.INTERRUPTED, name + " was cancelled: the calling thread was interrupted");
                }
                total += n;
                if (!toolClosed) {
                    try {
                        stdin.write(buffer, 0, n);
                    } catch (IOException e) {
                        // the tool stopped reading (done or failed): keep reading so the stream gets verified
                        toolClosed = true;
                    }
                }
            }
            try {
                stdin.close();
            } catch (IOException e) {
                // the tool already exited; its exit code tells
            }
            int exit = child.waitFor();
            if (exit != 0 || child.wasKilled()) {
                throw ToolFailure.classify(name, child, exit, what, source.timeout(), source.lockWaitTimeout(),
                        source.settings().password());
            }
            String warnings = child.stderrTail();
            if (!warnings.isEmpty()) {
                LOG.warn("{} during {} wrote to stderr: {}", name, what, warnings);
            }
            return total;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, what + ": reading the backup failed: " + e.getMessage(), e);
        }
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the tool exited
        }
    }

    private List<CheckResult> runChecks(Manifest manifest) {
        List<CheckResult> results = new ArrayList<>();
        Map<String, Long> expected = RowCounts.expected(manifest, PostgresSource.FACT_ROW_COUNTS);
        try (Connection c = server.withDatabase(db).connect("checks")) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            Map<String, Long> found = RowCounts.count(c, new TableFilter(List.of(), List.of(), List.of(), List.of()));
            c.commit();
            expected.forEach((table, n) -> results.add(RowCounts.check(table, n, found.get(table))));
            for (Check check : target.checks()) {
                results.add(run(c, check));
            }
        } catch (SQLException e) {
            throw server.translate(e, "checks on " + server.location(db));
        }
        return results;
    }

    private static CheckResult run(Connection c, Check check) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(check.query())) {
            if (!rs.next()) {
                c.rollback();
                return CheckResult.failed(check.name(), check.expectation() + ", query returned no row");
            }
            Object v = rs.getObject(1);
            c.rollback();
            long value;
            if (v instanceof Number num) {
                value = num.longValue();
            } else if (v instanceof Boolean b) {
                value = b ? 1 : 0;
            } else {
                return CheckResult.failed(check.name(), check.expectation() + ", query returned "
                        + (v == null ? "null" : "a " + v.getClass().getSimpleName()) + ", not a number");
            }
            String detail = check.expectation() + ", found " + value;
            return check.holds(value) ? CheckResult.passed(check.name(), detail) : CheckResult.failed(check.name(), detail);
        } catch (SQLException e) {
            c.rollback();
            return CheckResult.failed(check.name(), check.expectation() + ", query failed: " + e.getMessage());
        }
    }

    private static final String NAME = "(\"(?:[^\"]|\"\")*\"|[^\\s;,\"]+)";
    private static final Pattern CREATE_ROLE = Pattern.compile("^CREATE ROLE " + NAME + ";$");
    private static final Pattern ROLE_STATEMENT = Pattern.compile(
            "^(?:ALTER ROLE|COMMENT ON ROLE|SECURITY LABEL (?:FOR \\S+ )?ON ROLE) " + NAME + "[ ;]");
    private static final Pattern GRANT_ROLE = Pattern.compile("^GRANT " + NAME + " TO " + NAME
            + "( WITH ADMIN OPTION)?(?: GRANTED BY \\S+)?;$");
    private static final Pattern CREATE_TABLESPACE = Pattern.compile("^CREATE TABLESPACE " + NAME + " ");
    private static final Pattern TABLESPACE_STATEMENT = Pattern.compile(
            "^(?:ALTER TABLESPACE|COMMENT ON TABLESPACE|GRANT .* ON TABLESPACE|REVOKE .* ON TABLESPACE) " + NAME + "[ ;]");

    private static String unquote(String name) {
        return name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
    }

    /**
     * Creates, from the backup's {@value PostgresSource#GLOBALS_STREAM} stream, the roles (with their attributes,
     * settings, comments and memberships among the new roles) and tablespaces the target server lacks, in one
     * transaction. Existing roles and tablespaces are never altered. Returns the roles created.
     */
    private List<String> restoreMissingGlobals(Connection admin) throws SQLException {
        String text;
        try (InputStream in = context.openStream(PostgresSource.GLOBALS_STREAM)) {
            text = new String(in.readNBytes(64 * 1024 * 1024), java.nio.charset.StandardCharsets.UTF_8);
            in.transferTo(OutputStream.nullOutputStream()); // read to the end: the stream is verified there
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "reading the roles of backup "
                    + context.manifest().id() + " failed: " + e.getMessage(), e);
        }
        java.util.Set<String> existingRoles = new java.util.HashSet<>();
        java.util.Set<String> existingSpaces = new java.util.HashSet<>();
        try (Statement st = admin.createStatement()) {
            try (ResultSet rs = st.executeQuery("select rolname from pg_roles")) {
                while (rs.next()) {
                    existingRoles.add(rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("select spcname from pg_tablespace")) {
                while (rs.next()) {
                    existingSpaces.add(rs.getString(1));
                }
            }
        }
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (current.length() == 0 && (line.isBlank() || line.startsWith("--") || line.startsWith("\\"))) {
                continue;
            }
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                statements.add(current.toString().strip());
                current.setLength(0);
            }
        }
        java.util.Set<String> newRoles = new java.util.LinkedHashSet<>();
        java.util.Set<String> newSpaces = new java.util.LinkedHashSet<>();
        for (String stmt : statements) {
            Matcher m = CREATE_ROLE.matcher(stmt);
            if (m.find() && !existingRoles.contains(unquote(m.group(1)))) {
                newRoles.add(unquote(m.group(1)));
            }
            m = CREATE_TABLESPACE.matcher(stmt);
            if (m.find() && !target.isNoTablespaces() && !existingSpaces.contains(unquote(m.group(1)))) {
                newSpaces.add(unquote(m.group(1)));
            }
        }
        if (newRoles.isEmpty() && newSpaces.isEmpty()) {
            return List.of();
        }
        List<String> apply = new ArrayList<>();
        for (String stmt : statements) {
            Matcher m;
            if ((m = CREATE_ROLE.matcher(stmt)).find() || (m = ROLE_STATEMENT.matcher(stmt)).find()) {
                // ALTER ROLE … IN DATABASE … belongs to a database's entries, not to the role
                if (newRoles.contains(unquote(m.group(1))) && !stmt.contains(" IN DATABASE ")) {
                    apply.add(stmt);
                }
            } else if ((m = GRANT_ROLE.matcher(stmt)).find()) {
                // memberships only for a role this restore creates: an existing role is never changed
                if (newRoles.contains(unquote(m.group(2)))) {
                    apply.add("GRANT " + m.group(1) + " TO " + m.group(2) + (m.group(3) == null ? "" : m.group(3)) + ";");
                }
            } else if ((m = CREATE_TABLESPACE.matcher(stmt)).find() || (m = TABLESPACE_STATEMENT.matcher(stmt)).find()) {
                if (newSpaces.contains(unquote(m.group(1)))) {
                    apply.add(stmt);
                }
            }
        }
        // CREATE TABLESPACE cannot run in a transaction block: tablespaces first, one by one, then the roles
        try (Statement st = admin.createStatement()) {
            for (String stmt : apply) {
                if (stmt.startsWith("CREATE TABLESPACE")) {
                    execGlobal(st, stmt);
                }
            }
            admin.setAutoCommit(false);
            try {
                for (String stmt : apply) {
                    if (!stmt.startsWith("CREATE TABLESPACE")) {
                        execGlobal(st, stmt);
                    }
                }
                admin.commit();
            } catch (RuntimeException e) {
                admin.rollback();
                throw e;
            } finally {
                admin.setAutoCommit(true);
            }
        }
        LOG.info("created {} role(s) {} and {} tablespace(s) {} missing on {} from backup {}", newRoles.size(), newRoles,
                newSpaces.size(), newSpaces, server.location(), context.manifest().id());
        return List.copyOf(newRoles);
    }

    private void execGlobal(Statement st, String stmt) {
        try {
            st.execute(stmt);
        } catch (SQLException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "creating the roles/tablespaces missing on "
                    + server.location() + " failed at '" + abbreviate(stmt) + "': " + e.getMessage()
                    + (stmt.startsWith("CREATE TABLESPACE") ? "; create the directory, or use noTablespaces()"
                    : "; the restoring role needs CREATEROLE (superuser for superuser roles), or use noGlobals()")
                    + ". Nothing was restored", e);
        }
    }

    /** How long the swap waits for terminated sessions to go away before it gives up (nothing renamed). */
    static final int SESSION_WAIT_SECONDS = 30;

    /**
     * pg_terminate_backend only signals: wait (server-side polling) until the sessions are gone; if some remain
     * after {@link #SESSION_WAIT_SECONDS}, fail naming them.
     */
    private void waitForNoSessions(Statement st, List<String> databases, String live) throws SQLException {
        String in = String.join(",", databases.stream().map(Identifiers::literal).toList());
        String query = "select pid, usename, application_name, state, datname from pg_stat_activity where datname in ("
                + in + ") and pid <> pg_backend_pid()";
        for (int i = 0; i < SESSION_WAIT_SECONDS * 10; i++) {
            try (ResultSet rs = st.executeQuery("select count(*) from (" + query + ") s")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            st.execute("select pg_sleep(0.1)");
        }
        List<String> left = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                left.add("pid " + rs.getInt(1) + " user " + rs.getString(2) + " app '" + rs.getString(3) + "' "
                        + rs.getString(4) + " on " + rs.getString(5));
            }
        }
        throw new BackupException(CoreErrorCode.TIMEOUT, "swap into " + live + " on " + server.location(live)
                + ": sessions still connected " + SESSION_WAIT_SECONDS + " s after pg_terminate_backend: " + left
                + "; nothing was renamed: " + live + " is still the live database and the restored data is in " + db
                + ". End those sessions and swap by hand, or retry");
    }

    /**
     * Checks, before anything is restored, that the role can do the swap: terminate other sessions (superuser or
     * member of {@code pg_signal_backend}) and rename the databases (CREATEDB and owner of the live one).
     */
    private void checkSwapPrivileges(Connection admin, String live) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("select r.rolsuper, r.rolcreatedb,"
                + " pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'),"
                + " (select pg_has_role(current_user, d.datdba, 'MEMBER') from pg_database d where d.datname = ?)"
                + " from pg_roles r where r.rolname = current_user")) {
            ps.setString(1, live);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                boolean superuser = rs.getBoolean(1);
                List<String> missing = new ArrayList<>();
                if (!superuser && !rs.getBoolean(3)) {
                    missing.add("terminating the sessions of the databases needs superuser or membership in"
                            + " pg_signal_backend (GRANT pg_signal_backend TO " + server.user() + ")");
                }
                if (!superuser && !rs.getBoolean(2)) {
                    missing.add("renaming databases needs CREATEDB (ALTER ROLE " + server.user() + " CREATEDB)");
                }
                Object owner = rs.getObject(4);
                if (!superuser && owner != null && !rs.getBoolean(4)) {
                    missing.add("renaming " + live + " needs its owner or a member of the owner's role");
                }
                if (!missing.isEmpty()) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "role " + server.user() + " on "
                            + server.location(live) + " cannot swap into " + live + ": " + String.join("; ", missing)
                            + ". Nothing was restored");
                }
            }
        }
    }

    /**
     * Renames {@code db} to {@code live}, keeping an existing {@code live} as {@code before}. Both renames run in
     * one transaction: either both happen or neither, so the live name never disappears.
     */
    private void swap(String live, String before) {
        try (Connection admin = adminConnection(live); Statement st = admin.createStatement()) {
            admin.setAutoCommit(true);
            boolean liveExists = databaseExists(admin, live);
            List<String> involved = liveExists ? List.of(live, db) : List.of(db);
            // block new sessions first, so none sneaks in between terminate and rename
            for (String d : involved) {
                st.execute("ALTER DATABASE " + Identifiers.quote(d) + " ALLOW_CONNECTIONS false");
            }
            try {
                for (String d : involved) {
                    st.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = "
                            + Identifiers.literal(d) + " and pid <> pg_backend_pid()");
                }
                waitForNoSessions(st, involved, live);
                admin.setAutoCommit(false);
                try {
                    if (liveExists) {
                        st.execute("ALTER DATABASE " + Identifiers.quote(live) + " RENAME TO " + Identifiers.quote(before));
                    }
                    st.execute("ALTER DATABASE " + Identifiers.quote(db) + " RENAME TO " + Identifiers.quote(live));
                    admin.commit();
                } catch (SQLException e) {
                    admin.rollback();
                    throw new BackupException(CoreErrorCode.SOURCE_FAILED, "swap into " + live + " on "
                            + server.location(live) + " failed, nothing was renamed: " + live
                            + " is still the live database and the restored data is in " + db + ". Cause: "
                            + e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")", e);
                } finally {
                    admin.setAutoCommit(true);
                }
            } finally {
                for (String d : List.of(live, db, before)) {
                    if (databaseExists(admin, d)) {
                        st.execute("ALTER DATABASE " + Identifiers.quote(d) + " ALLOW_CONNECTIONS true");
                    }
                }
            }
        } catch (SQLException e) {
            // renames happen only in the transaction above: whatever failed here, nothing was renamed
            BackupException t = server.translate(e, "swapping " + db + " into " + live + " on " + server.location(live));
            throw new BackupException(t.errorCode(), t.getMessage() + "; nothing was renamed: " + live
                    + " is still the live database and the restored data is in " + db, e, t.isRetryable());
        }
    }
}
