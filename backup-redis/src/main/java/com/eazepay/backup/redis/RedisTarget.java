package com.eazepay.backup.redis;

import com.eazepay.backup.Secret;
import com.eazepay.backup.redis.internal.RedisEndpoint;
import com.eazepay.backup.redis.internal.RestoreSpec;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where a {@link RedisSource} backup is restored. Immutable: each method returns a new target.
 *
 * <ul>
 *   <li>{@link #rdbFile(Path)}: writes a standard {@code dump.rdb} for a fresh {@code redis-server
 *   --dir <dir> --dbfilename <name>} to load at start-up. An existing file is refused with
 *   {@code TARGET_NOT_EMPTY} unless {@link #replaceExisting()}. The file is 0600, owned by the
 *   restoring user, unless {@link #fileMode(String)} / {@link #owner(String, String)} say otherwise.
 *   A key-dump backup is turned into an RDB file too.</li>
 *   <li>{@link #server(String, int)}: loads the keys into a live server with
 *   {@code RESTORE key ttl payload ABSTTL}, pipelined, {@code SELECT} per database. A database of the
 *   backup that already holds keys in the target is refused with {@code TARGET_NOT_EMPTY} unless
 *   {@link #replaceExisting()} (which adds {@code REPLACE}). A target whose RDB version is older than
 *   the backup's is refused with {@code VERSION_MISMATCH}. Keys already expired at restore time
 *   are skipped. Afterwards the key count of each database is checked ({@code CheckResult}s), then the
 *   user's {@link #check(Check...) checks}. The
 *   target's version and emptiness are checked before the backup is read. Functions ({@code FUNCTION2}
 *   in the RDB) are not loaded into a live server: the result's facts {@code functionsNotRestored}
 *   and {@code warnings} say so; restore into an RDB file to keep them.</li>
 * </ul>
 */
public final class RedisTarget implements com.eazepay.backup.spi.RestoreTarget {

    private final RestoreSpec spec;
    private final Set<String> given;
    private final List<Check> checks;
    /** For a restore test's scratch RDB file: the redis-server that loads it (null: none installed); else null. */
    private final Scratch scratch;

    private RedisTarget(RestoreSpec spec, Set<String> given) {
        this(spec, given, List.of(), null);
    }

    private RedisTarget(RestoreSpec spec, Set<String> given, List<Check> checks, Scratch scratch) {
        this.spec = spec;
        this.given = given;
        this.checks = List.copyOf(checks);
        this.scratch = scratch;
    }

    /** A restore test's scratch target: {@code dump.rdb} loaded by {@code server} (null when none is installed). */
    record Scratch(Path server) {
    }

    /** An RDB file to write. */
    public static RedisTarget rdbFile(Path file) {
        Objects.requireNonNull(file, "file");
        return new RedisTarget(new RestoreSpec(file, false, null, false, 1000), Set.of());
    }

    /** A live server, plain TCP, no password, 60 s timeout. */
    public static RedisTarget server(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        return new RedisTarget(new RestoreSpec(null, false,
                new RedisEndpoint(host, port, null, null, null, Duration.ofSeconds(60)), false, 1000), Set.of());
    }

    /**
     * For {@link #rdbFile}: permissions of the restored file, as {@code ls -l} shows them, e.g.
     * {@code "rw-r-----"}. Default {@code rw-------} (0600: a backup's data is as sensitive as the
     * server's). Set before any data is written; POSIX file systems only.
     */
    public RedisTarget fileMode(String permissions) {
        Objects.requireNonNull(permissions, "permissions");
        fileOnly("fileMode");
        Set<PosixFilePermission> perms;
        try {
            perms = PosixFilePermissions.fromString(permissions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("permissions must look like rw-r----- (9 characters of r, w, x or -): " + permissions);
        }
        return copy(new RestoreSpec(spec.file(), spec.overwriteFile(), null, false, spec.batchSize(), perms,
                spec.owner(), spec.group()), given("fileMode"));
    }

    /**
     * For {@link #rdbFile}: owner and group of the restored file (e.g. {@code "redis", "redis"}, so
     * the server's user can read it), or null for either to keep the restoring user's. Default:
     * the restoring user's. Changing the owner needs root (or CAP_CHOWN); a refusal fails the restore
     * before any data is written.
     */
    public RedisTarget owner(String user, String group) {
        fileOnly("owner");
        if (user == null && group == null) {
            throw new IllegalArgumentException("owner: give a user, a group or both");
        }
        return copy(new RestoreSpec(spec.file(), spec.overwriteFile(), null, false, spec.batchSize(),
                spec.fileMode(), user, group), given("owner"));
    }

    private void fileOnly(String what) {
        if (spec.file() == null) {
            throw new IllegalStateException(what + " applies only to a RedisTarget.rdbFile(..) target");
        }
    }

    /**
     * Allows the restore to replace what the target already holds: for {@link #rdbFile} an existing
     * file is replaced; for {@link #server} keys that exist in the target are overwritten
     * ({@code RESTORE ... REPLACE}). The same verb as {@code PostgresTarget.replaceExisting},
     * {@code MongoTarget.replaceExisting()} and {@code FilesTarget.replaceExisting()}. Off by default:
     * a non-empty target is refused with {@code TARGET_NOT_EMPTY}.
     */
    public RedisTarget replaceExisting() {
        return copy(new RestoreSpec(spec.file(), spec.file() != null, spec.endpoint(), spec.endpoint() != null,
                spec.batchSize(), spec.fileMode(), spec.owner(), spec.group()), given("replaceExisting"));
    }

    /** For {@link #server}: ACL user. */
    public RedisTarget user(String user) {
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), Objects.requireNonNull(user, "user"), e.password(), e.tls(), e.timeout()), "user");
    }

    /** For {@link #server}: password. */
    public RedisTarget password(Secret password) {
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), Objects.requireNonNull(password, "password"), e.tls(), e.timeout()), "password");
    }

    /** For {@link #server}: TLS with this context. */
    public RedisTarget tls(SSLContext context) {
        RedisEndpoint e = endpoint();
        SSLSocketFactory f = Objects.requireNonNull(context, "context").getSocketFactory();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), e.password(), f, e.timeout()), "tls");
    }

    /** For {@link #server}: connect and read timeout. Default 60 s. */
    public RedisTarget timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), e.password(), e.tls(), timeout), "timeout");
    }

    /**
     * For {@link #server}: RESTORE commands sent before an explicit flush, 1..100000. Default 1000. Replies are read
     * on another thread while sending goes on, so this does not make the restore wait for the server.
     */
    public RedisTarget batchSize(int n) {
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1..100000: " + n);
        }
        return copy(new RestoreSpec(spec.file(), spec.overwriteFile(), spec.endpoint(), spec.replaceExisting(), n,
                spec.fileMode(), spec.owner(), spec.group()), given("batchSize"));
    }

    private RedisEndpoint endpoint() {
        if (spec.endpoint() == null) {
            throw new IllegalStateException("only a RedisTarget.server(..) target has connection settings");
        }
        return spec.endpoint();
    }

    private RedisTarget with(RedisEndpoint e, String setting) {
        return copy(new RestoreSpec(spec.file(), spec.overwriteFile(), e, spec.replaceExisting(), spec.batchSize(),
                spec.fileMode(), spec.owner(), spec.group()), given(setting));
    }

    /**
     * Adds post-restore checks (see {@link Check}), run in order after the key counts:
     * {@code .check(Check.keys("user:*").atLeast(1))}. For {@link #server}: against the target server once every key
     * is loaded; results in {@code RestoreResult.checks()}, a failed one fails {@code checksPassed()} (and the restore,
     * with {@code checked()}). For a restore test's scratch target ({@code restoreTest().check(t -> ((RedisTarget) t)
     * .check(..))}): against the child {@code redis-server} that loaded the RDB; without one installed they fail as
     * not run. May be called more than once; checks accumulate.
     *
     * @throws IllegalStateException on an {@link #rdbFile} target the user made: no server holds the data to ask
     */
    public RedisTarget check(Check... more) {
        Objects.requireNonNull(more, "checks");
        if (spec.file() != null && scratch == null) {
            throw new IllegalStateException("check(..) applies to a RedisTarget.server(..) target or a restore test's scratch"
                    + " target: a written RDB file has no server to run it; load the file into a redis-server and restore-test"
                    + " it, or add the checks with RedisSource.builder().restoreTestCheck(..)");
        }
        List<Check> all = new java.util.ArrayList<>(checks);
        for (Check c : more) {
            all.add(Objects.requireNonNull(c, "check"));
        }
        return new RedisTarget(spec, given, all, scratch);
    }

    /** The user's checks, in order. */
    public List<Check> checks() {
        return checks;
    }

    /** The scratch target of a restore test: {@code file}, loaded by {@code server} (null: none), with the source's checks. */
    static RedisTarget scratch(Path file, Path server, List<Check> checks) {
        return new RedisTarget(rdbFile(file).spec, Set.of(), checks, new Scratch(server));
    }

    /** Set on a restore test's scratch target only. */
    Scratch scratchInfo() {
        return scratch;
    }

    private RedisTarget copy(RestoreSpec newSpec, Set<String> newGiven) {
        return new RedisTarget(newSpec, newGiven, checks, scratch);
    }

    RestoreSpec spec() {
        return spec;
    }

    @Override
    public String describe() {
        if (scratch != null) {
            return spec.file() + (scratch.server() == null ? "" : ", loaded by " + scratch.server());
        }
        return spec.file() != null ? spec.file().toString() : spec.endpoint().describe();
    }

    @Override
    public String toString() {
        return "RedisTarget[" + describe() + "]";
    }

    /** The settings given so far, plus {@code setting}; a setting given twice is refused (as the builders do). */
    private Set<String> given(String setting) {
        if (given.contains(setting)) {
            throw new IllegalStateException("RedisTarget: " + setting + " was already set; give each setting once");
        }
        Set<String> g = new java.util.HashSet<>(given);
        g.add(setting);
        return Set.copyOf(g);
    }
}
