package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.postgres.internal.ConnectionBuilder;
import com.eazepay.backup.postgres.internal.ConnectionSettings;
import com.eazepay.backup.postgres.internal.PgTools;
import com.eazepay.backup.postgres.internal.WalNames;
import com.eazepay.backup.spi.ChildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A managed {@code pg_receivewal} child streaming WAL from the server through a physical replication slot into a
 * spool directory; a daemon thread pushes every completed segment (and timeline history file) through
 * {@link WalArchive#push} and then deletes it from the spool. The slot makes the server keep WAL the receiver has not
 * confirmed, so a receiver (or host) restart leaves no gap: pg_receivewal resumes from the spool's {@code .partial}
 * file or, with an empty spool, from the slot's {@code restart_lsn} (PostgreSQL 15).
 *
 * <p>{@link #close()} stops pg_receivewal (SIGTERM: it flushes and exits), pushes every completed segment left, and
 * archives the current {@code .partial} segment under its {@code .partial} name (kept in the spool so the next start
 * resumes from it). A slot nobody consumes makes the server keep WAL forever: drop it
 * ({@code select pg_drop_replication_slot('eazepay_backup')}) when retiring a receiver.
 *
 * <p>The role needs the REPLICATION attribute. Its password goes through a 0600 passfile ({@code PGPASSFILE},
 * {@link ChildProcess#secretFile}). pg_receivewal runs through the shared {@link ChildProcess#start()} handle (minimal
 * environment, descendants killed on close); a JVM shutdown hook stops it when the JVM exits without {@link #close()}.
 */
public final class WalReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalReceiver.class);

    private final Builder b;
    private final AtomicReference<ChildProcess.Running> process = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final AtomicLong pushedFiles = new AtomicLong();
    private final AtomicLong pushedBytes = new AtomicLong();
    private final Object sweepLock = new Object();
    private volatile boolean running;
    private Thread pusher;
    private Thread shutdownHook;

    private WalReceiver(Builder b) {
        this.b = b;
    }

    /** A builder. Required: host, spool directory, archive. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the slot if it does not exist, starts pg_receivewal and the pusher.
     *
     * @throws BackupException {@code SOURCE_FAILED} if the slot cannot be created or pg_receivewal cannot start
     */
    public synchronized WalReceiver start() {
        if (running) {
            throw new BackupException(CoreErrorCode.ALREADY_RUNNING, "WAL receiver for " + b.connection.host() + ":" + b.connection.port() + " is already running");
        }
        try {
            Files.createDirectories(b.spool);
            Files.setPosixFilePermissions(b.spool, PosixFilePermissions.fromString("rwx------"));
            String tool = tool();
            List<String> create = new ArrayList<>(connection(tool));
            create.addAll(List.of("--create-slot", "--if-not-exists"));
            child(create).timeout(Duration.ofMinutes(1))
                    .run(out -> out.transferTo(java.io.OutputStream.nullOutputStream()));
            List<String> cmd = new ArrayList<>(connection(tool));
            cmd.addAll(List.of("-D", b.spool.toString()));
            if (b.synchronous) {
                cmd.add("--synchronous");
            }
            ChildProcess.Running p = child(cmd).start();
            process.set(p);
            p.stdin().close(); // pg_receivewal reads nothing
            // The JVM dying (SIGTERM, System.exit) must not leave pg_receivewal streaming on its own: the hook kills
            // it and its descendants; the shared handle deletes the passfile.
            Thread hook = new Thread(() -> {
                ChildProcess.Running r = process.get();
                if (r != null) {
                    r.close();
                }
            }, "eazepay-pg_receivewal-shutdown-" + p.pid());
            Runtime.getRuntime().addShutdownHook(hook);
            shutdownHook = hook;
            running = true;
            pusher = new Thread(this::pushLoop, "eazepay-wal-pusher-" + b.archive.source());
            pusher.setDaemon(true);
            pusher.start();
            LOG.info("pg_receivewal streaming from {}:{} through slot {} into {}", b.connection.host(), b.connection.port(), b.slot, b.spool);
            return this;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot start pg_receivewal for " + b.connection.host() + ":" + b.connection.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Whether pg_receivewal is running. */
    public boolean isRunning() {
        ChildProcess.Running p = process.get();
        return running && p != null && ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Files pushed so far by this receiver. */
    public long pushedFiles() {
        return pushedFiles.get();
    }

    /** Plaintext bytes pushed so far by this receiver. */
    public long pushedBytes() {
        return pushedBytes.get();
    }

    /** The last push or pg_receivewal error, if any (it keeps retrying). */
    public Optional<String> lastError() {
        String e = lastError.get();
        if (e == null) {
            ChildProcess.Running p = process.get();
            String tail = p == null ? "" : p.stderrTail();
            return tail.isBlank() ? Optional.empty() : Optional.of("pg_receivewal: " + lastLine(tail));
        }
        return Optional.of(e);
    }

    private static String lastLine(String text) {
        int nl = text.lastIndexOf('\n');
        return nl < 0 ? text : text.substring(nl + 1);
    }

    /** The archive segments are pushed to. */
    public WalArchive archive() {
        return b.archive;
    }

    /**
     * Pushes every completed file in the spool now and deletes it from the spool; returns how many were pushed.
     * The pusher thread calls this every poll interval.
     *
     * @throws BackupException from {@link WalArchive#push} (the file stays in the spool)
     */
    public int sweep() {
        synchronized (sweepLock) {
            List<Path> ready = new ArrayList<>();
            try (Stream<Path> s = Files.list(b.spool)) {
                s.filter(f -> {
                    String n = f.getFileName().toString();
                    return WalNames.isArchivable(n) && !WalNames.isPartial(n);
                }).sorted().forEach(ready::add);
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot list the WAL spool " + b.spool + ": " + e.getMessage(), e);
            }
            for (Path f : ready) {
                try {
                    long size = Files.size(f);
                    b.archive.push(f);
                    Files.delete(f);
                    pushedFiles.incrementAndGet();
                    pushedBytes.addAndGet(size);
                } catch (IOException e) {
                    throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot remove pushed WAL " + f + ": " + e.getMessage(), e);
                }
            }
            return ready.size();
        }
    }

    private void pushLoop() {
        while (running) {
            try {
                sweep();
                lastError.set(null);
            } catch (BackupException e) {
                lastError.set(e.getMessage());
                LOG.warn("WAL push from {} failed ({}), retrying in {}: {}", b.spool, e.errorCode(), b.pollInterval, e.getMessage());
            }
            try {
                Thread.sleep(b.pollInterval.toMillis());
            } catch (InterruptedException e) {
                return; // close() interrupts
            }
        }
    }

    /**
     * Stops pg_receivewal, pushes what is complete, and archives the current partial segment as {@code .partial}.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        ChildProcess.Running p = process.get();
        try {
            if (p != null) {
                Optional<ProcessHandle> h = ProcessHandle.of(p.pid());
                if (h.isPresent()) {
                    h.get().destroy(); // SIGTERM: pg_receivewal flushes and exits
                    try {
                        h.get().onExit().get(30, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        LOG.warn("pg_receivewal for {}:{} did not stop on SIGTERM within 30 s; killing it", b.connection.host(), b.connection.port());
                    }
                }
                String tail = p.stderrTail();
                p.close(); // kills what is left (descendants too), deletes the passfile
                process.set(null);
                if (!tail.isBlank()) {
                    LOG.info("pg_receivewal ({}:{}) said: {}", b.connection.host(), b.connection.port(), tail);
                }
            }
            removeShutdownHook();
            if (pusher != null) {
                pusher.interrupt();
                pusher.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while stopping pg_receivewal", e);
        }
        sweep();
        try (Stream<Path> s = Files.list(b.spool)) {
            for (Path f : s.filter(x -> WalNames.isPartial(x.getFileName().toString())).sorted().toList()) {
                b.archive.push(f);
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot archive the partial WAL segment in " + b.spool + ": " + e.getMessage(), e);
        }
        LOG.info("pg_receivewal for {}:{} stopped; {} WAL files pushed", b.connection.host(), b.connection.port(), pushedFiles.get());
    }

    private String tool() {
        return PgTools.find("pg_receivewal", b.binDirectory == null ? null : b.binDirectory.resolve("pg_receivewal"), 15,
                "resuming from the slot's restart_lsn with an empty spool").path().toString();
    }

    private List<String> connection(String tool) {
        List<String> argv = new ArrayList<>(List.of(tool));
        argv.addAll(b.connection.replicationArgs());
        argv.add("--slot=" + b.slot);
        return argv;
    }

    private ChildProcess child(List<String> argv) {
        ChildProcess c = ChildProcess.of(argv).name("pg_receivewal");
        return b.connection.withPassfile(c);
    }

    private void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway
            }
            shutdownHook = null;
        }
    }

    @Override
    public String toString() {
        return "WalReceiver[" + b.connection.host() + ":" + b.connection.port() + " slot=" + b.slot + " spool=" + b.spool + "]";
    }

    /** Builds a {@link WalReceiver}. Not thread-safe. */
    public static final class Builder extends ConnectionBuilder<Builder> {
        private String slot = "eazepay_backup";
        private Path spool;
        private WalArchive archive;
        private Path binDirectory;
        private boolean synchronous;
        private Duration pollInterval = Duration.ofSeconds(1);
        private ConnectionSettings connection;

        private Builder() {
            super("WAL receiver", null, "postgres");
        }

        /** The physical replication slot; created if missing; 1-63 of a-z, 0-9, _; default {@code eazepay_backup}. */
        public Builder slot(String slot) {
            problems.once("slot");
            this.slot = Objects.requireNonNull(slot, "slot");
            return this;
        }

        /** The spool directory (0700; keep it on persistent disk so the .partial survives restarts). Required. */
        public Builder spool(Path spool) {
            problems.once("spool");
            this.spool = Objects.requireNonNull(spool, "spool");
            return this;
        }

        /** The archive to push to. Required. */
        public Builder archive(WalArchive archive) {
            problems.once("archive");
            this.archive = Objects.requireNonNull(archive, "archive");
            return this;
        }

        /** Where pg_receivewal lives; default: PATH, then /usr/lib/postgresql/{newest}/bin. */
        public Builder binDirectory(Path dir) {
            problems.once("binDirectory");
            this.binDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** {@code --synchronous}: flush each write and report it at once (for synchronous_standby_names); default off. */
        public Builder synchronous(boolean synchronous) {
            problems.once("synchronous");
            this.synchronous = synchronous;
            return this;
        }

        /** How often the spool is swept; positive; default 1 s. */
        public Builder pollInterval(Duration interval) {
            problems.once("pollInterval");
            if (Objects.requireNonNull(interval, "interval").isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, was " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** @throws BackupException {@code INVALID_CONFIGURATION} naming every problem */
        public WalReceiver build() {
            connection = connection("postgres");
            problems.check(spool != null, "spool directory is required: call spool(..)");
            problems.check(archive != null, "archive is required: call archive(..)");
            problems.check(slot.matches("[a-z0-9_]{1,63}"), "slot name '" + slot + "' is invalid: use 1-63 of a-z, 0-9, _");
            problems.throwIfAny();
            return new WalReceiver(this);
        }
    }
}
