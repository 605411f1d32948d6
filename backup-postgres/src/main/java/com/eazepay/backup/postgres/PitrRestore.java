package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.files.TarReader;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One point-in-time restore of a {@code postgres-base} backup into a {@link PitrTarget}. Order matters: the WAL chain
 * is checked from the archive's records before anything touches the disk; WAL is prefetched and verified before the
 * server starts; the server is started only on a directory that passed {@code pg_verifybackup}.
 */
final class PitrRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PitrRestore.class);
    private static final Pattern STOPPING = Pattern.compile("recovery stopping [^\\n]*");
    private static final Pattern LAST_TX = Pattern.compile("last completed transaction was at log time ([^\\n]+)");
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);
    /** timestamptz_to_str's output in the server log: {@code 2026-12-02 07:10:11.123456+00} (offset {@code +05:30} too). */
    private static final DateTimeFormatter PG_LOG_TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:mm", "+00").toFormatter();
    private static final Duration POLL = Duration.ofMillis(200);

    private final RestoreContext ctx;
    private final PitrTarget t;

    private final WalArchive archive;

    PitrRestore(RestoreContext ctx, PitrTarget target, WalArchive archive) {
        this.ctx = ctx;
        this.t = target;
        this.archive = archive;
    }

    RestoreOutcome run() {
        t.validate();
        Manifest m = ctx.manifest();
        String startFile = fact(m, "start_wal_file");
        String stopFile = fact(m, "stop_wal_file");
        long segmentSize = ((Number) m.facts().get("wal_segment_size")).longValue();
        if (t.target().kind() == RecoveryTarget.Kind.TIME && m.consistentAt() != null
                && !m.consistentAt().isBefore(t.target().instant())) {
            // recovery cannot stop before the base backup is consistent: PostgreSQL would fail late, after the copy
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "base backup " + m.id() + " of '" + m.source()
                    + "' is consistent only at " + m.consistentAt() + ", not before the recovery target time "
                    + t.target().instant() + "; select an older base backup with restore(..).before(" + t.target().instant()
                    + ") or PostgresPitr.restore(engine, source, target)");
        }
        WalChain chain = WalChain.plan(archive.list(), h -> archive.history(h.name()), startFile, stopFile, segmentSize,
                t.target(), t.timeline());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("base_backup", m.id());
        facts.put("recovery_target", t.target().toString());
        facts.put("recovery_timeline", chain.timeline());
        facts.put("wal_required", chain.required().size());
        facts.put("wal_first", chain.required().get(0).name());
        facts.put("wal_last_required", chain.required().get(chain.required().size() - 1).name());
        Path data = t.directory();
        try {
            if (Files.exists(data)) {
                try (Stream<Path> s = Files.list(data)) {
                    if (s.findAny().isPresent()) {
                        throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "data directory " + data
                                + " is not empty: point-in-time recovery writes a new data directory; choose an empty one");
                    }
                }
                Files.delete(data);
            }
            try (InputStream tar = ctx.openStream(PostgresBaseBackupSource.STREAM)) {
                TarReader.extract(tar, data, false);
            }
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            ChildProcess.of(List.of(t.binDirectory().resolve("pg_verifybackup").toString(), "--no-parse-wal", "--quiet",
                    data.toString())).timeout(Duration.ofHours(1)).run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
            facts.put("pg_verifybackup", "passed");
            String restoreCommand = t.customRestoreCommand();
            if (restoreCommand == null) {
                Path spool = t.walSpool();
                Files.createDirectories(spool);
                long bytes = 0;
                List<WalSegment> all = new ArrayList<>(chain.histories());
                all.addAll(chain.required());
                all.addAll(chain.following());
                for (WalSegment s : all) {
                    if (!archive.fetch(s.name(), spool.resolve(s.name()))) {
                        throw new BackupException(PitrErrorCode.WAL_MISSING, "WAL segment " + s.name()
                                + " disappeared from the archive during the restore (a concurrent prune?)");
                    }
                    bytes += s.size();
                }
                facts.put("wal_fetched", all.size());
                facts.put("wal_fetched_bytes", bytes);
                restoreCommand = "cp \"" + spool + "/%f\" \"%p\"";
            }
            writeRecoverySettings(data, restoreCommand, chain.timeline());
            String user = t.osUser();
            if (user != null) {
                chown(user, data);
                if (Files.exists(t.walSpool())) {
                    chown(user, t.walSpool());
                }
            }
            if (t.mode() == PitrTarget.ServerMode.LEAVE_READY) {
                LOG.info("restored base backup {} into {}: ready to recover to {} (start it with pg_ctl)", m.id(), data, t.target());
                return new RestoreOutcome(data.toString(), List.of(), facts);
            }
            return startAndRecover(data, user, facts);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "restoring base backup " + m.id() + " into " + data
                    + " failed: " + e.getMessage(), e);
        }
    }

    private RestoreOutcome startAndRecover(Path data, String user, Map<String, Object> facts) throws IOException {
        int port = t.port() != 0 ? t.port() : freePort();
        Path sockets = Files.createTempDirectory("eazepay-pitr-");
        Path log = data.resolveSibling(data.getFileName() + ".log");
        if (user != null) {
            chown(user, sockets);
            Files.deleteIfExists(log);
            Files.createFile(log);
            chown(user, log);
        }
        List<String> start = asUser(user, t.binDirectory().resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                log.toString(), "-w", "-t", Long.toString(Math.max(60, t.recoveryTimeout().toSeconds())), "-o",
                "-p " + port + " -k " + sockets + " -c listen_addresses=127.0.0.1", "start");
        boolean stop = t.mode() == PitrTarget.ServerMode.START_AND_STOP;
        boolean started = false;
        try {
            try {
                ChildProcess.of(start).run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
                started = true;
            } catch (BackupException e) {
                throw recoveryFailed("the server did not start or stopped during recovery", log, e);
            }
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/";
            long deadline = System.nanoTime() + t.recoveryTimeout().toNanos();
            while (true) {
                try (Connection c = connect(url + t.checkDatabase()); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("select pg_is_in_recovery()")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        break;
                    }
                } catch (SQLException e) {
                    if (!isAlive(user, data)) {
                        throw recoveryFailed("the server stopped during recovery", log, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw recoveryFailed("recovery did not end within " + t.recoveryTimeout(), log, null);
                }
                t.sleeper().sleep(POLL); // throws INTERRUPTED with the flag restored
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Matcher stopping = STOPPING.matcher(text);
            String reached = null;
            while (stopping.find()) {
                reached = stopping.group();
            }
            Matcher lastTx = LAST_TX.matcher(text);
            String lastTime = null;
            while (lastTx.find()) {
                lastTime = lastTx.group(1).strip();
            }
            if (t.target().kind() != RecoveryTarget.Kind.LATEST && t.target().kind() != RecoveryTarget.Kind.IMMEDIATE
                    && reached == null) {
                throw recoveryFailed("recovery ended without reaching " + t.target(), log, null);
            }
            facts.put("recovery_stopped", reached == null ? "end of archived WAL" : reached);
            if (lastTime != null) {
                facts.put("last_replayed_transaction_time", lastTime);
                try {
                    // the point recovered to, for drills' data age (RestoreOutcome.RECOVERED_TO)
                    facts.put(RestoreOutcome.RECOVERED_TO, OffsetDateTime.parse(lastTime, PG_LOG_TIME).toInstant().toString());
                } catch (DateTimeParseException e) {
                    LOG.warn("cannot read the last replayed transaction time '{}' of the server log: {}", lastTime, e.getMessage());
                }
            }
            facts.put("port", port);
            List<CheckResult> results = new ArrayList<>();
            try (Connection c = connect(url + t.checkDatabase()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select timeline_id, pg_current_wal_lsn()::text from pg_control_checkpoint()")) {
                rs.next();
                facts.put("timeline_after_promotion", rs.getLong(1));
                facts.put("lsn_after_promotion", rs.getString(2));
            } catch (SQLException e) {
                throw recoveryFailed("cannot query the recovered server", log, e);
            }
            ctx.checksStarted(); // recovery ended: what follows is checks, timed apart from the restore
            if (t.sourceChecks()) {
                results.addAll(sourceChecks(url, fact(ctx.manifest(), "stop_lsn")));
            }
            List<Check> checks = t.checks();
            List<String> dbs = t.checkDatabases();
            for (int i = 0; i < checks.size(); i++) {
                results.add(run(url + dbs.get(i), checks.get(i)));
            }
            LOG.info("point-in-time restore of {} into {}: {} ({}), {} of {} checks passed", ctx.manifest().id(), data,
                    t.target(), facts.get("recovery_stopped"), results.stream().filter(CheckResult::passed).count(), results.size());
            return new RestoreOutcome(stop ? data.toString() : "postgresql://127.0.0.1:" + port + " (" + data + ")",
                    results, facts);
        } finally {
            if (started && stop) {
                try {
                    ChildProcess.of(asUser(user, t.binDirectory().resolve("pg_ctl").toString(), "-D", data.toString(),
                            "-m", "fast", "-w", "stop")).run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
                } catch (BackupException e) {
                    LOG.warn("could not stop the recovered server on {}: {}", data, e.getMessage());
                }
            }
            try {
                Files.deleteIfExists(sockets);
            } catch (IOException e) {
                LOG.debug("socket directory {} left: {}", sockets, e.getMessage());
            }
        }
    }

    /**
     * The source's checks of a recovered cluster: replay reached the base backup's end ({@code stop_lsn}; PostgreSQL
     * refuses to promote before it, so this holds unless the wrong WAL was replayed), and every database that allows
     * connections accepts one and reads its catalog.
     */
    private List<CheckResult> sourceChecks(String url, String stopLsn) {
        List<CheckResult> results = new ArrayList<>();
        String replayed = "recovery replayed past the base backup's end " + stopLsn;
        List<String> databases = new ArrayList<>();
        try (Connection c = connect(url + t.checkDatabase()); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select pg_last_wal_replay_lsn()::text, pg_last_wal_replay_lsn() >= '"
                    + stopLsn.replace("'", "''") + "'::pg_lsn")) {
                rs.next();
                results.add(rs.getBoolean(2) ? CheckResult.passed(replayed, "replayed to " + rs.getString(1))
                        : CheckResult.failed(replayed, "replayed only to " + rs.getString(1)));
            }
            try (ResultSet rs = st.executeQuery("select datname from pg_database where datallowconn order by datname")) {
                while (rs.next()) {
                    databases.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            results.add(CheckResult.failed(replayed, "the query failed: " + e.getMessage()));
            return results;
        }
        String connects = "every database accepts connections";
        List<String> failed = new ArrayList<>();
        long relations = 0;
        for (String db : databases) {
            try (Connection c = connect(url + java.net.URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20"));
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from pg_class")) {
                rs.next();
                relations += rs.getLong(1);
            } catch (SQLException e) {
                failed.add(db + " (" + e.getMessage() + ")");
            }
        }
        results.add(failed.isEmpty() ? CheckResult.passed(connects, databases.size() + " databases " + databases + ", "
                + relations + " relations in their catalogs") : CheckResult.failed(connects, "failed: " + failed));
        return results;
    }

    private CheckResult run(String url, Check check) {
        try (Connection c = connect(url); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(check.query())) {
            if (!rs.next()) {
                return CheckResult.failed(check.name(), "the query returned no row");
            }
            long v = rs.getLong(1);
            return check.holds(v) ? CheckResult.passed(check.name(), "got " + v)
                    : CheckResult.failed(check.name(), "got " + v + ", " + check.expectation());
        } catch (SQLException e) {
            return CheckResult.failed(check.name(), "the query failed: " + e.getMessage());
        }
    }

    private Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", t.checkUser());
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(url, p);
    }

    private boolean isAlive(String user, Path data) {
        try {
            ChildProcess.of(asUser(user, t.binDirectory().resolve("pg_ctl").toString(), "-D", data.toString(), "status"))
                    .run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
            return true;
        } catch (BackupException e) {
            return false;
        }
    }

    private BackupException recoveryFailed(String what, Path log, Exception cause) {
        String tail = "";
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            tail = text.substring(Math.max(0, text.length() - 2000)).strip();
        } catch (IOException e) {
            tail = "(no server log: " + e.getMessage() + ")";
        }
        return new BackupException(PitrErrorCode.RECOVERY_FAILED, "point-in-time recovery of " + t.directory() + " to "
                + t.target() + ": " + what + "; server log " + log + " ends with:\n" + tail, cause);
    }

    private void writeRecoverySettings(Path data, String restoreCommand, long timeline) throws IOException {
        Files.createFile(data.resolve("recovery.signal"));
        Path conf = data.resolve("postgresql.conf");
        if (!Files.exists(conf)) {
            Files.createFile(conf); // Debian keeps it in /etc; defaults serve a restored copy
        }
        StringBuilder s = new StringBuilder("\n# written by eazepay-backup point-in-time restore of ")
                .append(ctx.manifest().id()).append("\n");
        setting(s, "restore_command", restoreCommand);
        switch (t.target().kind()) {
            case TIME -> {
                setting(s, "recovery_target_time", PG_TIME.format(t.target().instant()));
                setting(s, "recovery_target_inclusive", "false");
            }
            case LSN -> setting(s, "recovery_target_lsn", t.target().value());
            case NAME -> setting(s, "recovery_target_name", t.target().value());
            case IMMEDIATE -> setting(s, "recovery_target", "immediate");
            case LATEST -> {
            }
        }
        setting(s, "recovery_target_action", "promote");
        // the timeline the chain was checked on, not 'latest': a history file archived since cannot redirect recovery
        setting(s, "recovery_target_timeline", Long.toString(timeline));
        // a restored copy must never archive into (or stream from) the original's archive
        setting(s, "archive_mode", "off");
        setting(s, "primary_conninfo", "");
        setting(s, "primary_slot_name", "");
        Files.writeString(data.resolve("postgresql.auto.conf"), s, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void setting(StringBuilder s, String name, String value) {
        s.append(name).append(" = '").append(value.replace("'", "''")).append("'\n");
    }

    private static void chown(String user, Path p) {
        ChildProcess.of(List.of("chown", "-R", user, p.toString())).run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
    }

    private static List<String> asUser(String user, String... cmd) {
        List<String> all = new ArrayList<>();
        if (user != null) {
            all.addAll(List.of("runuser", "-u", user, "--"));
        }
        all.addAll(List.of(cmd));
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String fact(Manifest m, String key) {
        Object v = m.facts().get(key);
        if (!(v instanceof String s)) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, "manifest of " + m.id() + " lacks the fact '" + key
                    + "': not a " + PostgresBaseBackupSource.TYPE + " backup");
        }
        return s;
    }
}
