package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.storage.Sleeper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how a {@code postgres-base} backup is restored to a point in time: a new data directory (which must not
 * exist or be empty), the {@link WalArchive} to replay from, the {@link RecoveryTarget}, and whether to start a
 * server on it (Debian/PGDG binaries, loopback, a private socket directory, as the OS user {@code postgres} when
 * running as root), wait for recovery to end, run checks, and stop it again or leave it running.
 *
 * <p>By default every WAL file recovery needs is fetched and verified before the server starts, into
 * {@code {dataDirectory}.wal/}, and {@code restore_command} copies from there ({@code cp}: no key reaches the server).
 * {@link #restoreCommand(String)} replaces that with a command of your own (e.g. the CLI's
 * {@code eazepay-backup wal-fetch %f %p}); the chain is still checked from the archive's records first.
 */
public final class PitrTarget implements RestoreTarget {

    /** What to do once recovery has ended. */
    public enum ServerMode {
        /** Prepare the directory only (recovery.signal and settings written); start it yourself. */
        LEAVE_READY,
        /** Start, wait for recovery to reach the target and promote, run checks, stop (a drill). */
        START_AND_STOP,
        /** Start, wait, run checks, and leave the server running on {@link PitrTarget#port()}. */
        START_AND_KEEP
    }

    private final Path dataDirectory;
    private final WalArchive archive;
    private RecoveryTarget target;
    private RecoveryTimeline timeline = RecoveryTimeline.latest();
    private ServerMode mode = ServerMode.START_AND_STOP;
    private Path binDirectory = Path.of("/usr/lib/postgresql/15/bin");
    private int port;
    private String osUser;
    private String restoreCommand;
    private String checkUser = "postgres";
    private String checkDatabase = "postgres";
    private Duration recoveryTimeout = Duration.ofHours(1);
    private Sleeper sleeper = Sleeper.system();
    private boolean sourceChecks;
    private final List<Check> checks = new ArrayList<>();
    private final List<String> checkDatabases = new ArrayList<>();
    private final List<String> targetsGiven = new ArrayList<>();
    private final ConfigurationProblems problems = ConfigurationProblems.of("PitrTarget");

    private PitrTarget(Path dataDirectory, WalArchive archive, RecoveryTarget target, boolean targetGiven) {
        this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
        this.archive = archive;
        this.target = target;
        if (targetGiven) {
            targetsGiven.add("dataDirectory(.., " + target + ")");
        }
    }

    /** A new data directory at {@code dataDirectory}, replaying WAL from {@code archive} up to {@code target}. */
    public static PitrTarget dataDirectory(Path dataDirectory, WalArchive archive, RecoveryTarget target) {
        return new PitrTarget(Objects.requireNonNull(dataDirectory, "dataDirectory"), Objects.requireNonNull(archive, "archive"),
                Objects.requireNonNull(target, "target"), true);
    }

    /**
     * A new data directory at {@code dataDirectory}, replaying WAL from {@code archive} to its end unless
     * {@link #pointInTime}, {@link #lsn} or {@link #restorePoint} says otherwise; for the engine's restore path:
     * <pre>{@code
     * engine.restore("postgres-base").before(t)
     *       .into(PitrTarget.dataDirectory(dir, wal).pointInTime(t)).checked().run();
     * }</pre>
     */
    public static PitrTarget dataDirectory(Path dataDirectory, WalArchive archive) {
        return new PitrTarget(Objects.requireNonNull(dataDirectory, "dataDirectory"), Objects.requireNonNull(archive, "archive"),
                RecoveryTarget.latest(), false);
    }

    /**
     * A new data directory at {@code dataDirectory}, replaying WAL from the WAL archive in the repository the base
     * backup is restored from ({@code wal/{walSource}/}, decrypted with the engine's identities), to its end unless
     * {@link #pointInTime}, {@link #lsn} or {@link #restorePoint} says otherwise. What the command line's
     * {@code restore SOURCE --to DATADIR} builds for a {@code postgres-base} source.
     */
    public static PitrTarget dataDirectory(Path dataDirectory) {
        return new PitrTarget(Objects.requireNonNull(dataDirectory, "dataDirectory"), null, RecoveryTarget.latest(), false);
    }

    /** Recovers up to {@code instant} (commits after it are not applied): {@link RecoveryTarget#time}. */
    public PitrTarget pointInTime(java.time.Instant instant) {
        return target(RecoveryTarget.time(instant), "pointInTime(" + instant + ")");
    }

    /** Recovers up to the WAL position {@code lsn} ({@code 0/3000060}): {@link RecoveryTarget#lsn}. */
    public PitrTarget lsn(String lsn) {
        return target(RecoveryTarget.lsn(lsn), "lsn(" + lsn + ")");
    }

    /** Recovers up to the named restore point ({@code pg_create_restore_point}): {@link RecoveryTarget#restorePoint}. */
    public PitrTarget restorePoint(String name) {
        return target(RecoveryTarget.restorePoint(name), "restorePoint(" + name + ")");
    }

    private PitrTarget target(RecoveryTarget t, String call) {
        targetsGiven.add(call);
        this.target = t;
        return this;
    }

    /**
     * The timeline to follow ({@code recovery_target_timeline}); default {@link RecoveryTimeline#latest()}: the
     * newest timeline whose history file is archived, through its history from the base backup's timeline. The chain
     * is checked before anything is written, and the server is given the timeline that was checked.
     */
    public PitrTarget timeline(RecoveryTimeline timeline) {
        problems.once("timeline");
        this.timeline = Objects.requireNonNull(timeline, "timeline");
        return this;
    }

    /** What to do with the server; default {@link ServerMode#START_AND_STOP}. */
    public PitrTarget server(ServerMode mode) {
        problems.once("server");
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** PostgreSQL server binaries (pg_ctl, postgres, pg_verifybackup); default {@code /usr/lib/postgresql/15/bin}. */
    public PitrTarget binDirectory(Path dir) {
        problems.once("binDirectory");
        this.binDirectory = Objects.requireNonNull(dir, "dir");
        return this;
    }

    /** The port to start on (127.0.0.1 only); default 0: a free port chosen at start. */
    public PitrTarget port(int port) {
        problems.once("port");
        if (port < 0 || port > 65535) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "port " + port + " is out of range");
        }
        this.port = port;
        return this;
    }

    /** The OS user that owns the data directory and runs the server; default {@code postgres} as root, else the current user. */
    public PitrTarget osUser(String user) {
        problems.once("osUser");
        this.osUser = Objects.requireNonNull(user, "user");
        return this;
    }

    /** A restore_command of your own ({@code %f}, {@code %p} as PostgreSQL defines them) instead of the prefetched copy. */
    public PitrTarget restoreCommand(String command) {
        problems.once("restoreCommand");
        this.restoreCommand = Objects.requireNonNull(command, "command");
        return this;
    }

    /** The role checks connect as (trust or peer over loopback as the restored pg_hba.conf allows); default postgres. */
    public PitrTarget checkUser(String user) {
        problems.once("checkUser");
        this.checkUser = Objects.requireNonNull(user, "user");
        return this;
    }

    /** A SQL check run in {@code database} after recovery; a failure fails the restore's checks. */
    public PitrTarget check(String database, Check check) {
        checkDatabases.add(Objects.requireNonNull(database, "database"));
        checks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /** How long recovery may take before the restore fails; default 1 hour. */
    public PitrTarget recoveryTimeout(Duration timeout) {
        problems.once("recoveryTimeout");
        this.recoveryTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /** How the restore waits between polls of the recovering server; default {@link Sleeper#system()}. */
    public PitrTarget sleeper(Sleeper sleeper) {
        problems.once("sleeper");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Also runs the source's own checks before the user's (restore tests and drills into the source's scratch target,
     * {@link PostgresBaseBackupSource#scratchTarget(String)}): recovery replayed at least to the base backup's end
     * ({@code stop_lsn}), and every database that allows connections accepts one and reads its catalog.
     */
    PitrTarget withSourceChecks() {
        this.sourceChecks = true;
        return this;
    }

    boolean sourceChecks() {
        return sourceChecks;
    }

    /**
     * Checks the combination of settings; called before the restore writes anything.
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} listing every problem at once
     */
    void validate() {
        problems.check(targetsGiven.size() <= 1, "conflicting recovery targets " + targetsGiven + ": give one");
        problems.check(checks.isEmpty() || mode != ServerMode.LEAVE_READY, "check(..) needs a started server, but"
                + " server(LEAVE_READY) does not start it: use START_AND_STOP or START_AND_KEEP, or drop the checks");
        problems.check(port == 0 || mode != ServerMode.LEAVE_READY, "port(..) is not used with server(LEAVE_READY):"
                + " the server is not started; set the port in postgresql.conf yourself");
        problems.check(!recoveryTimeout.isNegative() && !recoveryTimeout.isZero(), "recoveryTimeout(..) must be positive");
        problems.throwIfAny();
    }

    /** The data directory. */
    public Path directory() {
        return dataDirectory;
    }

    /** The WAL archive; {@code null} when it is the restore's own repository's ({@link #dataDirectory(Path)}). */
    public WalArchive archive() {
        return archive;
    }

    /** The recovery target. */
    public RecoveryTarget target() {
        return target;
    }

    /** The timeline to follow. */
    public RecoveryTimeline timeline() {
        return timeline;
    }

    /** The server mode. */
    public ServerMode mode() {
        return mode;
    }

    /** Server binaries. */
    public Path binDirectory() {
        return binDirectory;
    }

    /** The configured port (0: choose). */
    public int port() {
        return port;
    }

    String osUser() {
        if (osUser != null) {
            return osUser;
        }
        return "root".equals(System.getProperty("user.name")) ? "postgres" : null;
    }

    String customRestoreCommand() {
        return restoreCommand;
    }

    String checkUser() {
        return checkUser;
    }

    String checkDatabase() {
        return checkDatabase;
    }

    List<Check> checks() {
        return List.copyOf(checks);
    }

    List<String> checkDatabases() {
        return List.copyOf(checkDatabases);
    }

    Sleeper sleeper() {
        return sleeper;
    }

    Duration recoveryTimeout() {
        return recoveryTimeout;
    }

    /** Where prefetched WAL goes: beside the data directory. */
    Path walSpool() {
        return dataDirectory.resolveSibling(dataDirectory.getFileName() + ".wal");
    }

    @Override
    public String describe() {
        return "PostgreSQL data directory " + dataDirectory + " recovered to " + target;
    }

    @Override
    public String toString() {
        return "PitrTarget[" + describe() + ", " + mode + "]";
    }
}
