package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.postgres.internal.ConnectionBuilder;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.postgres.internal.WalNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.PrunedBeside;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.ScratchTarget;
import com.eazepay.backup.spi.ScratchTargets;
import com.eazepay.backup.spi.SourceNames;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Physical base backups of a whole PostgreSQL cluster for point-in-time recovery (type {@code postgres-base}):
 * {@code pg_basebackup -Ft -D - --wal-method=none} streamed straight into one stream {@code base.tar} (then zstd,
 * age, like every stream; nothing is staged on local disk). The WAL comes from the {@link WalArchive} (a managed
 * {@link WalReceiver} or the server's {@code archive_command}).
 *
 * <p>The tar holds {@code backup_label} and, because pg_basebackup injects it when writing to standard output,
 * {@code backup_manifest} (per-file CRC32C checksums and the WAL range). While streaming, this source reads both
 * and records manifest facts: {@code start_lsn}, {@code stop_lsn}, {@code timeline}, {@code start_wal_file},
 * {@code stop_wal_file}, {@code wal_segment_size}, {@code server_version}, {@code backup_manifest} (present).
 * {@code consistentAt} is the time pg_basebackup finished, never earlier than the backup's real end, so
 * {@code restore(..).before(t)} picks a base backup that is consistent before {@code t}.
 *
 * <p>Restoring needs a {@link PitrTarget}: see {@link PostgresPitr}. Checksums are verified with
 * {@code pg_verifybackup} on the extracted directory during restore and during integrity verification
 * ({@link #validator()}: PostgreSQL 15's pg_verifybackup reads plain directories only, not tar files, so the tar is
 * extracted into a temp directory of the data directory's size, {@link Builder#verifyTempDirectory}).
 *
 * <p>Tablespaces are refused: {@code -D -} can write one tablespace only. Secrets: the password goes to
 * pg_basebackup through a 0600 passfile ({@code PGPASSFILE}), never argv or environment.
 */
public final class PostgresBaseBackupSource implements BackupSource {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBaseBackupSource.class);
    /** The persisted source type. */
    public static final String TYPE = "postgres-base";
    /** The one stream: a POSIX tar of the data directory, with {@code backup_label} and {@code backup_manifest}. */
    public static final String STREAM = "base";
    private static final Pattern START = Pattern.compile("START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+) \\(file ([0-9A-F]{24})\\)");
    private static final Pattern TIMELINE = Pattern.compile("START TIMELINE: (\\d+)");

    /** Manifest fact: the name of the server's WAL archive ({@code wal/{name}/}) the base backup replays from. */
    public static final String WAL_SOURCE_FACT = "wal_source";

    private final String name;
    private final ConnectionSettings connection;
    private final Path binDirectory;
    private final Duration timeout;
    private final String walSource;
    private final Path verifyTempDirectory;
    private final Path scratchDirectory;

    private PostgresBaseBackupSource(Builder b, ConnectionSettings connection) {
        this.name = b.name;
        this.connection = connection;
        this.binDirectory = b.binDirectory;
        this.timeout = b.timeout;
        this.walSource = b.walSource == null ? b.name : b.walSource;
        this.verifyTempDirectory = b.verifyTempDirectory;
        this.scratchDirectory = b.scratchDirectory.toAbsolutePath().normalize();
    }

    /** A builder. Required: host; defaults: port 5432, user postgres, name {@code postgres-base}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean sensitive() {
        return true;
    }

    @Override
    public void backup(BackupContext context) {
        PgTools.Tool tool = PgTools.find("pg_basebackup", binDirectory == null ? null : binDirectory.resolve("pg_basebackup"),
                10, "base backups");
        List<String> cmd = new ArrayList<>(List.of(tool.path().toString()));
        cmd.addAll(connection.replicationArgs());
        cmd.addAll(List.of("-Ft", "-D", "-", "--wal-method=none", "--checkpoint=fast", "--label=eazepay-" + context.backupId()));
        String host = connection.host();
        int port = connection.port();
        try {
            Parsed parsed = new Parsed();
            ChildProcess child = connection.withPassfile(ChildProcess.of(cmd).name("pg_basebackup"));
            if (timeout != null) {
                child = child.timeout(timeout);
            }
            try (OutputStream out = context.newStream(STREAM, "tar")) {
                child.run(stdout -> parse(new TeeInputStream(stdout, out), parsed));
            } catch (BackupException e) {
                if (e.getMessage() != null && e.getMessage().contains("can only write single tablespace")) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "server " + host + ":" + port
                            + " has tablespaces: a streamed base backup (-D -) holds one tablespace only;"
                            + " tablespaces are not supported by " + TYPE + " yet: use pg_dump backups (PostgresSource)", e);
                }
                throw e;
            }
            Instant end = context.clock().instant();
            parsed.record(context);
            context.fact(WAL_SOURCE_FACT, walSource);
            context.consistentAt(end);
            LOG.info("base backup {} of {}:{}: WAL {} to {} on timeline {}", context.backupId(), host, port,
                    parsed.startLsn, parsed.stopLsn, parsed.timeline);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "base backup of " + host + ":" + port + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof PitrTarget pitr)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a " + TYPE + " backup restores into a"
                    + " PitrTarget (a new data directory), not " + target.describe());
        }
        WalArchive archive = pitr.archive();
        if (archive == null) {
            String wal = context.manifest().facts().get(WAL_SOURCE_FACT) instanceof String w ? w : walSource;
            archive = WalArchive.builder()
                    .repository(context.repository().orElseThrow(() -> new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                            "this restore has no repository to read the WAL archive from: give the PitrTarget a WalArchive")))
                    .source(wal)
                    .encryption(context.encryption().orElseThrow(() -> new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                            "this restore has no encryption to read the WAL archive with: give the PitrTarget a WalArchive")))
                    .build();
        }
        return new PitrRestore(context, pitr, archive).run();
    }

    /**
     * {@code pg_verifybackup --no-parse-wal} on the {@code base} stream during integrity verification: the decoded
     * tar is extracted (path-safe) into a 0700 directory under {@link Builder#verifyTempDirectory}, checked against
     * the {@code backup_manifest} inside it, and deleted (see {@link BaseBackupValidator}).
     */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of(new BaseBackupValidator(binDirectory, verifyTempDirectory,
                timeout != null ? timeout : Duration.ofHours(6)));
    }

    /**
     * Where restore tests and drills recover a base backup ({@code engine.verify(name).restoreTest()},
     * {@code engine.drill()} without {@code into(..)}): a point-in-time recovery to the end of the WAL archive in the
     * repository the backup is read from, into a new 0700 directory {@code {scratchDirectory}/eazepay-restoretest_<id>/}
     * (owned by {@code postgres} when running as root) holding the data directory {@code data/}, its prefetched WAL
     * {@code data.wal/} and the server log {@code data.log}. A server is started on it on a free 127.0.0.1 port
     * (server binaries: {@link Builder#binDirectory}, else {@code /usr/lib/postgresql/15/bin}), the source's checks
     * (replay reached the base backup's end, every database accepts connections) and the user's
     * ({@code restoreTest().check(t -> ((PitrTarget) t).check("shop", Check.sql(..)..))}) run, the server is stopped,
     * and {@link com.eazepay.backup.spi.ScratchTarget#drop()} deletes the directory ({@link #dropScratch(String)}).
     * It cannot be swapped into place: a recovered cluster replaces a live one by hand (see the README).
     */
    @Override
    public Optional<ScratchTarget> scratchTarget(String testId) {
        Path dir = scratchDirectory.resolve(ScratchTargets.DIRECTORY_PREFIX + testId);
        return Optional.of(ScratchTargets.of(() -> scratchPitrTarget(dir), dir.toString(), this::dropScratch));
    }

    private PitrTarget scratchPitrTarget(Path dir) {
        PitrTarget target = PitrTarget.dataDirectory(dir.resolve("data")).server(PitrTarget.ServerMode.START_AND_STOP)
                .withSourceChecks();
        if (binDirectory != null) {
            target.binDirectory(binDirectory);
        }
        try {
            Files.createDirectories(scratchDirectory);
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot create the restore-test directory " + dir
                    + ": " + e.getMessage() + "; check " + scratchDirectory + " (" + TYPE + " source, scratchDirectory(..))", e);
        }
        String user = target.osUser();
        if (user != null) {
            // the server's user must reach its data directory through this one
            ChildProcess.of(List.of("chown", user, dir.toString())).run(out -> out.transferTo(OutputStream.nullOutputStream()));
        }
        return target;
    }

    /**
     * Drops a restore-test directory of this source (named in a cleanup journal, or by a finished test): a server
     * still running on its {@code data/} (a JVM killed mid-test) is stopped first, with an immediate shutdown
     * ({@code SIGQUIT} to the postmaster, as {@code pg_ctl stop -m immediate} sends) once {@code postmaster.pid} names
     * this data directory and its process is a postgres started on it; then the directory is deleted. Idempotent. Any
     * other path (not {@code {scratchDirectory}/eazepay-restoretest_…}) is left alone and logged.
     *
     * @throws BackupException {@code STORAGE_FAILED} if the server does not stop or the directory cannot be deleted
     */
    @Override
    public void dropScratch(String resource) {
        Path dir = Path.of(resource);
        if (!dir.isAbsolute() || !dir.normalize().equals(dir) || dir.getFileName() == null
                || !dir.getFileName().toString().startsWith(ScratchTargets.DIRECTORY_PREFIX)
                || !scratchDirectory.equals(dir.getParent())) {
            LOG.warn("not dropping {}: not a restore-test directory under {}", resource, scratchDirectory);
            return;
        }
        stopScratchServer(dir.resolve("data"));
        ScratchTargets.deleteDirectory(resource);
    }

    private static void stopScratchServer(Path data) {
        Path pidFile = data.resolve("postmaster.pid");
        List<String> lines;
        try {
            if (!Files.isRegularFile(pidFile, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return; // stopped meanwhile
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot read " + pidFile + ": " + e.getMessage()
                    + "; stop the server on " + data + " by hand and delete the directory", e);
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).strip());
        } catch (RuntimeException e) {
            LOG.warn("{} holds no process id: no server to stop", pidFile);
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return; // a stale pid file: the server died with the JVM
        }
        boolean ours = lines.size() > 1 && data.toString().equals(lines.get(1).strip())
                && process.get().info().command().map(c -> c.endsWith("/postgres")).orElse(false)
                && process.get().info().arguments().map(a -> List.of(a).contains(data.toString())).orElse(false);
        if (!ours) {
            // the pid was reused by another process, or the file was not written by a server on this directory
            LOG.warn("{} names process {}, which is not a postgres server on {}: not signalling it", pidFile, pid, data);
            return;
        }
        LOG.warn("stopping the PostgreSQL server (pid {}) still running on restore-test data directory {}", pid, data);
        ChildProcess.of(List.of("kill", "-QUIT", Long.toString(pid))).run(out -> out.transferTo(OutputStream.nullOutputStream()));
        try {
            process.get().onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while stopping the server on " + data, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "the PostgreSQL server (pid " + pid + ") on " + data
                    + " did not stop within 60 s of an immediate shutdown; stop it by hand, the next restore test retries", e);
        }
    }

    /** The name of this server's WAL archive in the repository ({@code wal/{walSource}/}). */
    public String walSource() {
        return walSource;
    }

    /**
     * The newest point this server's WAL archive ({@code wal/{walSource}/} in {@code repository}) makes recoverable:
     * when its newest complete WAL segment was archived ({@link WalArchive#recoverableUntil()}). The engine's objectives
     * check reports the archive lag from it as the achievable recovery point.
     */
    @Override
    public Optional<Instant> recoverableUntil(StorageTarget repository) {
        return recordsOnly(repository).recoverableUntil();
    }

    /**
     * Trims this server's WAL archive ({@code wal/{walSource}/} in {@code repository}) to what the kept base backups
     * need ({@link WalRetention}): WAL older than the oldest kept base backup's start segment goes, everything from
     * it on stays, and with no kept base backup nothing is removed. Runs after the engine's prune of this source.
     *
     * @return the WAL files removed (would be), with every key deleted (commit record and data object each) and their
     *         bytes as listed, for the prune report
     */
    @Override
    public PrunedBeside afterPrune(StorageTarget repository, List<Manifest> kept, boolean dryRun) {
        WalArchive archive = recordsOnly(repository);
        Map<String, Long> sizes = new HashMap<>();
        repository.listAll(archive.prefix()).forEach(o -> sizes.put(o.key(), o.size()));
        List<WalSegment> removed = WalRetention.prune(archive, kept, dryRun);
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        for (WalSegment w : removed) {
            for (String key : List.of(archive.prefix() + w.name() + ".json", w.object())) {
                keys.add(key);
                bytes += sizes.getOrDefault(key, 0L);
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("WAL archive {} on {}: {} {} files older than the oldest kept base backup ({} bytes; {} kept)", walSource,
                    repository.describe(), dryRun ? "would remove" : "removed", removed.size(), bytes, kept.size());
        }
        return new PrunedBeside("WAL files", removed.stream().map(WalSegment::name).toList(), keys, bytes);
    }

    /** This server's WAL archive in {@code repository} for listing, record reads and deletes: no codec is used, so none is needed. */
    private WalArchive recordsOnly(StorageTarget repository) {
        return WalArchive.builder().repository(repository).source(walSource)
                .encryption(com.eazepay.backup.Codecs.noEncryption()).build();
    }

    /** Reads the tar as it streams past, for backup_label, backup_manifest's WAL range and PG_VERSION. */
    private static void parse(InputStream stdout, Parsed parsed) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(stdout, "UTF-8");
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            switch (e.getName()) {
                case "backup_label" -> parsed.label(new String(tar.readNBytes(64 * 1024), StandardCharsets.UTF_8));
                case "PG_VERSION" -> parsed.serverVersion = new String(tar.readNBytes(64), StandardCharsets.UTF_8).strip();
                case "backup_manifest" -> parsed.manifest(tar);
                case "tablespace_map" -> {
                    if (e.getSize() > 0) {
                        parsed.tablespaces = true;
                    }
                }
                default -> {
                }
            }
        }
        // the tar's end-of-archive blocks and padding still belong to the stream
        stdout.transferTo(OutputStream.nullOutputStream());
    }

    /** Facts found in the tar. */
    private static final class Parsed {
        String startLsn;
        String startFile;
        long timeline;
        String stopLsn;
        String serverVersion;
        boolean manifest;
        boolean tablespaces;

        void label(String text) {
            Matcher m = START.matcher(text);
            Matcher t = TIMELINE.matcher(text);
            if (m.find()) {
                startLsn = m.group(1);
                startFile = m.group(2);
            }
            if (t.find()) {
                timeline = Long.parseLong(t.group(1));
            }
        }

        void manifest(InputStream in) throws IOException {
            manifest = true;
            try (JsonParser p = new JsonFactory().createParser(new FilterInputStream(in) {
                @Override
                public void close() {
                    // the tar stream stays open
                }
            })) {
                JsonToken tok;
                while ((tok = p.nextToken()) != null) {
                    if (tok == JsonToken.FIELD_NAME && "End-LSN".equals(p.getCurrentName())) {
                        p.nextToken();
                        stopLsn = p.getText(); // the last range is the backup's end
                    } else if (tok == JsonToken.FIELD_NAME && "Files".equals(p.getCurrentName())) {
                        p.nextToken();
                        p.skipChildren();
                    }
                }
            }
        }

        void record(BackupContext ctx) {
            if (tablespaces) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "the server has tablespaces: not"
                        + " supported by " + TYPE + " yet; use pg_dump backups (PostgresSource)");
            }
            if (startLsn == null || timeline == 0 || !manifest || stopLsn == null) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "pg_basebackup's tar lacks "
                        + (startLsn == null || timeline == 0 ? "a readable backup_label" : "backup_manifest with a WAL range")
                        + ": not a usable base backup (PostgreSQL 13 or newer writes both)");
            }
            long segmentSize = segmentSize(startLsn, startFile);
            long stop = WalNames.parseLsn(stopLsn);
            ctx.fact("start_lsn", startLsn);
            ctx.fact("stop_lsn", stopLsn);
            ctx.fact("timeline", timeline);
            ctx.fact("start_wal_file", startFile);
            ctx.fact("stop_wal_file", WalNames.segmentOf(timeline, stop - 1, segmentSize));
            ctx.fact("wal_segment_size", segmentSize);
            ctx.fact("backup_manifest", true);
            if (serverVersion != null) {
                ctx.fact("server_version", serverVersion);
            }
        }
    }

    /** The wal_segment_size under which {@code file} holds {@code lsn} (1 MiB to 1 GiB, powers of two). */
    static long segmentSize(String lsn, String file) {
        long l = WalNames.parseLsn(lsn);
        long tli = WalNames.timeline(file);
        for (long size = 1L << 20; size <= 1L << 30; size <<= 1) {
            if (WalNames.segmentOf(tli, l, size).equals(file)) {
                return size;
            }
        }
        throw new BackupException(CoreErrorCode.SOURCE_FAILED, "backup_label names WAL file " + file
                + " for " + lsn + ", which fits no WAL segment size");
    }

    /** Copies everything read from the child's stdout into the backup stream. */
    private static final class TeeInputStream extends FilterInputStream {
        private final OutputStream copy;

        TeeInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                copy.write(buf, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipping would lose bytes of the stream: read them through
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            int r = read(buf, 0, buf.length);
            return Math.max(r, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    @Override
    public String toString() {
        return "PostgresBaseBackupSource[" + name + " " + connection + "]";
    }

    /**
     * Builds a {@link PostgresBaseBackupSource}: {@code host} (required), {@code port} (default 5432), {@code user}
     * (a role with REPLICATION, default {@code postgres}) and {@code password} as every PostgreSQL builder has them;
     * each setting once. Not thread-safe.
     */
    public static final class Builder extends ConnectionBuilder<Builder> {
        private String name = "postgres-base";
        private Path binDirectory;
        private Duration timeout;
        private String walSource;
        private Path verifyTempDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private Path scratchDirectory = Path.of(System.getProperty("java.io.tmpdir"));

        private Builder() {
            super(TYPE + " source", null, "postgres");
        }

        /** The source name in the repository; default {@code postgres-base}. */
        public Builder name(String name) {
            problems.once("name");
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Where pg_basebackup (and pg_verifybackup) live; default: PATH, then /usr/lib/postgresql/{newest}/bin. */
        public Builder binDirectory(Path dir) {
            problems.once("binDirectory");
            this.binDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Kill pg_basebackup (and pg_verifybackup) after this long; default none (pg_verifybackup: 6 hours). */
        public Builder timeout(Duration timeout) {
            problems.once("timeout");
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The name of this server's {@link WalArchive} in the repository (its {@code source}); the engine's prune
         * trims it to what the kept base backups need. Default: this source's name.
         */
        public Builder walSource(String walSource) {
            problems.once("walSource");
            this.walSource = Objects.requireNonNull(walSource, "walSource");
            return this;
        }

        /**
         * Where integrity verification extracts a base backup for {@code pg_verifybackup} (a 0700 directory, deleted
         * afterwards): it needs free space of the data directory's size. Default {@code java.io.tmpdir}.
         */
        public Builder verifyTempDirectory(Path dir) {
            problems.once("verifyTempDirectory");
            this.verifyTempDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * Where restore tests and drills recover a base backup into a temporary data directory
         * ({@code eazepay-restoretest_<id>/}, deleted afterwards; see {@link PostgresBaseBackupSource#scratchTarget}):
         * it needs free space of the data directory plus the WAL replayed, and must be reachable by the OS user
         * {@code postgres} when running as root. Default {@code java.io.tmpdir}.
         */
        public Builder scratchDirectory(Path dir) {
            problems.once("scratchDirectory");
            this.scratchDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** @throws BackupException {@code INVALID_CONFIGURATION} naming every problem */
        public PostgresBaseBackupSource build() {
            SourceNames.problem(name).ifPresent(problems::add);
            if (walSource != null) {
                SourceNames.problem(walSource).ifPresent(p -> problems.add("WAL archive: " + p));
            }
            ConnectionSettings connection = connection("postgres");
            problems.throwIfAny();
            return new PostgresBaseBackupSource(this, connection);
        }
    }
}
