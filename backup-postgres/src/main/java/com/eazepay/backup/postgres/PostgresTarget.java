package com.eazepay.backup.postgres;

import com.eazepay.backup.Secret;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.Identifiers;
import com.eazepay.backup.spi.RestoreTarget;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;

/**
 * Where a {@link PostgresSource} restores to. Immutable: every method returns a new target.
 *
 * <ul>
 *   <li>{@link #newDatabase(String)} (the safe default): the restore creates the database and fails with
 *       {@code ALREADY_EXISTS} if it exists. Optionally {@link #swapInto(String)} renames it into place
 *       once every check passed, keeping the old database as {@code <name>_before_<backupId>}.</li>
 *   <li>{@link #existingEmpty(String)}: the database exists and has no user tables
 *       ({@code TARGET_NOT_EMPTY} otherwise).</li>
 *   <li>{@link #replaceExisting(String)}: explicit overwrite of a live database, all or nothing: the backup is
 *       restored into a new database {@code <name>_restore_<backupId>}, checked, and then swapped in atomically
 *       as with {@link #swapInto(String)}; the previous database is kept as {@code <name>_before_<backupId>}.
 *       Objects created after the backup (migrations) are therefore gone from the live name.</li>
 * </ul>
 *
 * <p>By default the target is on the source's server, with the source's credentials; {@link #on} points it
 * elsewhere. Checks: per-table row counts equal to the manifest's (always, when checks run) plus the
 * {@link Check}s added here.
 */
public final class PostgresTarget implements RestoreTarget {

    /** How the target database is treated. */
    enum Mode {
        NEW_DATABASE, EXISTING_EMPTY, REPLACE_EXISTING
    }

    private final Mode mode;
    private final String database;
    private final ConnectionSettings server;
    private final List<Check> checks;
    private final String swapInto;
    private final int jobs;
    private final boolean noOwner;
    private final boolean noPrivileges;
    private final Path tempDirectory;
    private final boolean noGlobals;
    private final boolean noTablespaces;
    private final List<String> restoreArgs;
    private final Set<String> given;

    private PostgresTarget(Mode mode, String database, ConnectionSettings server, List<Check> checks, String swapInto,
                           int jobs, boolean noOwner, boolean noPrivileges, Path tempDirectory) {
        this(mode, database, server, checks, swapInto, jobs, noOwner, noPrivileges, tempDirectory, false, false, List.of(),
                Set.of());
    }

    private PostgresTarget(Mode mode, String database, ConnectionSettings server, List<Check> checks, String swapInto,
                           int jobs, boolean noOwner, boolean noPrivileges, Path tempDirectory, boolean noGlobals,
                           boolean noTablespaces, List<String> restoreArgs, Set<String> given) {
        this.noGlobals = noGlobals;
        this.noTablespaces = noTablespaces;
        this.restoreArgs = List.copyOf(restoreArgs);
        this.given = given;
        this.mode = mode;
        this.database = database;
        this.server = server;
        this.checks = List.copyOf(checks);
        this.swapInto = swapInto;
        this.jobs = jobs;
        this.noOwner = noOwner;
        this.noPrivileges = noPrivileges;
        this.tempDirectory = tempDirectory;
    }

    /** A database the restore creates; fails with {@code ALREADY_EXISTS} if it exists. */
    public static PostgresTarget newDatabase(String name) {
        return new PostgresTarget(Mode.NEW_DATABASE, Identifiers.requireDatabaseName(name), null, List.of(), null, 1,
                false, false, null);
    }

    /** An existing database without user tables; {@code TARGET_NOT_EMPTY} if it has some, {@code NOT_FOUND} if missing. */
    public static PostgresTarget existingEmpty(String name) {
        return new PostgresTarget(Mode.EXISTING_EMPTY, Identifiers.requireDatabaseName(name), null, List.of(), null, 1,
                false, false, null);
    }

    /**
     * Replaces a live database (created if missing) with the backup: restore into {@code <name>_restore_<backupId>},
     * run the checks, then the atomic swap of {@link #swapInto(String)}, keeping the old database as
     * {@code <name>_before_<backupId>}. If a check fails nothing is renamed. Explicit by design.
     */
    public static PostgresTarget replaceExisting(String name) {
        return new PostgresTarget(Mode.REPLACE_EXISTING, Identifiers.requireDatabaseName(name), null, List.of(), null, 1,
                false, false, null);
    }

    /**
     * Restores on another server. The URL's database (default {@code postgres}) is the maintenance database
     * used for {@code CREATE}/{@code ALTER DATABASE}; the user needs {@code CREATEDB}.
     *
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/postgres}; credentials in it are taken out and kept secret
     * @param user     user name
     * @param password password, or null
     */
    public PostgresTarget on(String jdbcUrl, String user, Secret password) {
        ConnectionSettings parsed = ConnectionSettings.parseJdbcUrl(jdbcUrl);
        ConnectionSettings s = new ConnectionSettings(parsed.host(), parsed.port(), parsed.database(),
                Objects.requireNonNull(user, "user"), password != null ? password : parsed.password(), java.util.Map.of());
        return new PostgresTarget(mode, database, s, checks, swapInto, jobs, noOwner, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given("on"));
    }

    /** As {@link #on(String, String, Secret)} with a plain password. */
    public PostgresTarget on(String jdbcUrl, String user, String password) {
        return on(jdbcUrl, user, password == null ? null : Secret.of(password));
    }

    /** Adds a SQL assertion run after the restore (in addition to the row-count checks). */
    public PostgresTarget check(Check check) {
        List<Check> all = new ArrayList<>(checks);
        all.add(Objects.requireNonNull(check, "check"));
        return new PostgresTarget(mode, database, server, all, swapInto, jobs, noOwner, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given);
    }

    /**
     * After a restore whose checks all passed, renames the restored database to {@code liveName}, keeping the
     * previous {@code liveName} as {@code <liveName>_before_<backupId>}. Connections to both are terminated.
     * If a check fails nothing is renamed and the restored database is kept for inspection. Only for
     * {@link #newDatabase(String)} targets. Checks always run when a swap is configured.
     *
     * @throws IllegalStateException on other targets
     */
    public PostgresTarget swapInto(String liveName) {
        if (mode != Mode.NEW_DATABASE) {
            throw new IllegalStateException("swapInto(..) needs a PostgresTarget.newDatabase(..) target");
        }
        Identifiers.requireDatabaseName(liveName);
        if (liveName.equals(database)) {
            throw new IllegalArgumentException("swapInto(" + liveName + ") must name another database than the restored one");
        }
        return new PostgresTarget(mode, database, server, checks, liveName, jobs, noOwner, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given("swapInto"));
    }

    /**
     * Parallel restore with {@code pg_restore -j n}. Custom-format archives need a seekable file for that, so the
     * stream is first spooled to an owner-only temp file (deleted afterwards). Default 1 (streamed, no temp file).
     *
     * @param n 1 to 64
     */
    public PostgresTarget jobs(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("jobs must be 1..64, was " + n);
        }
        return new PostgresTarget(mode, database, server, checks, swapInto, n, noOwner, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given("jobs"));
    }

    /** {@code pg_restore --no-owner}: objects belong to the restoring user (for another server's roles). Default off. */
    public PostgresTarget noOwner() {
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, true, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given("noOwner"));
    }

    /** {@code pg_restore --no-privileges}: skip GRANT/REVOKE. Default off. */
    public PostgresTarget noPrivileges() {
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, noOwner, true,
                tempDirectory, noGlobals, noTablespaces, restoreArgs, given("noPrivileges"));
    }

    /** Directory for spool files (parallel restores, {@link #replaceExisting}). Default: {@code java.io.tmpdir}. */
    public PostgresTarget tempDirectory(Path dir) {
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, noOwner, noPrivileges,
                Objects.requireNonNull(dir, "dir"), noGlobals, noTablespaces, restoreArgs, given("tempDirectory"));
    }

    /**
     * Do not create missing roles from the backup's globals stream. By default the roles the target server lacks
     * are created (with their attributes, settings and memberships among themselves) before anything else;
     * existing roles are never altered.
     */
    public PostgresTarget noGlobals() {
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, noOwner, noPrivileges,
                tempDirectory, true, noTablespaces, restoreArgs, given("noGlobals"));
    }

    /** {@code pg_restore --no-tablespaces}: everything in the default tablespace; no tablespace is created. */
    public PostgresTarget noTablespaces() {
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, noOwner, noPrivileges,
                tempDirectory, noGlobals, true, restoreArgs, given("noTablespaces"));
    }

    /**
     * More {@code pg_restore} arguments (e.g. {@code --no-comments}, {@code --disable-triggers}). Connection,
     * output, list and mode options are set by the restore and rejected here.
     *
     * @throws IllegalArgumentException for such an option
     */
    public PostgresTarget restoreArgs(String... args) {
        List<String> all = new ArrayList<>(restoreArgs);
        for (String a : args) {
            String opt = Objects.requireNonNull(a, "restoreArgs element").split("=", 2)[0];
            if (List.of("-d", "--dbname", "-f", "--file", "-h", "--host", "-p", "--port", "-U", "--username", "-W",
                    "--password", "-C", "--create", "-c", "--clean", "-1", "--single-transaction", "-j", "--jobs", "-l",
                    "--list", "-L", "--use-list", "-F", "--format").contains(opt)) {
                throw new IllegalArgumentException("restoreArgs must not set " + opt
                        + ": connection, output, mode and parallelism are set by PostgresTarget");
            }
            all.add(a);
        }
        return new PostgresTarget(mode, database, server, checks, swapInto, jobs, noOwner, noPrivileges,
                tempDirectory, noGlobals, noTablespaces, all, given);
    }

    boolean isNoGlobals() {
        return noGlobals;
    }

    boolean isNoTablespaces() {
        return noTablespaces;
    }

    List<String> extraRestoreArgs() {
        return restoreArgs;
    }

    /** The database restored into. */
    public String database() {
        return database;
    }

    /** The live name to swap into, if configured. */
    public Optional<String> swapTarget() {
        return Optional.ofNullable(swapInto);
    }

    /** The SQL checks, in order. */
    public List<Check> checks() {
        return checks;
    }

    Mode mode() {
        return mode;
    }

    Optional<ConnectionSettings> server() {
        return Optional.ofNullable(server);
    }

    int jobCount() {
        return jobs;
    }

    boolean isNoOwner() {
        return noOwner;
    }

    boolean isNoPrivileges() {
        return noPrivileges;
    }

    Path tempDir() {
        return tempDirectory != null ? tempDirectory : Path.of(System.getProperty("java.io.tmpdir"));
    }

    @Override
    public String describe() {
        String what = switch (mode) {
            case NEW_DATABASE -> "new database ";
            case EXISTING_EMPTY -> "empty database ";
            case REPLACE_EXISTING -> "replace database ";
        };
        return "postgres " + what + database + (server != null ? " on " + server.location() : "")
                + (swapInto != null ? ", swap into " + swapInto : "");
    }

    @Override
    public String toString() {
        return "PostgresTarget[" + describe() + ", " + checks.size() + " checks]";
    }

    /** The settings given so far, plus {@code setting}; a setting given twice is refused (as the builders do). */
    private Set<String> given(String setting) {
        if (given.contains(setting)) {
            throw new IllegalStateException("PostgresTarget: " + setting + " was already set; give each setting once");
        }
        Set<String> g = new java.util.HashSet<>(given);
        g.add(setting);
        return Set.copyOf(g);
    }
}
