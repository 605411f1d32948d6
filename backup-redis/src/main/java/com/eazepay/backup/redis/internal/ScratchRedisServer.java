package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child {@code redis-server} that loads a restore test's scratch RDB: {@code --dir <scratch> --dbfilename dump.rdb
 * --port N --bind 127.0.0.1 --save "" --appendonly no} on a free loopback port, with a random password given on its
 * standard input ({@code redis-server -}: never in its argv), so other local users cannot read the restored data
 * while it runs; its log in {@code redis-server.log} and
 * its pid in {@value #PID_FILE} inside the scratch directory, so {@link #killLeftover(Path)} can stop a server a killed
 * JVM left behind (the directory is what the cleanup journal records). Never persists anything: no save points, no
 * AOF, stopped with {@code SHUTDOWN NOSAVE}. Not thread-safe; one per restore test.
 */
public final class ScratchRedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScratchRedisServer.class);

    /** The pid file inside the scratch directory: the child's pid, for the cleanup after a crash. */
    public static final String PID_FILE = "redis-server.pid";
    /** The child's log inside the scratch directory. */
    public static final String LOG_FILE = "redis-server.log";
    private static final int PORT_ATTEMPTS = 5;

    private final Process process;
    private final Path dir;
    private final RedisEndpoint endpoint;
    private final String version;

    private ScratchRedisServer(Process process, Path dir, RedisEndpoint endpoint, String version) {
        this.process = process;
        this.dir = dir;
        this.endpoint = endpoint;
        this.version = version;
    }

    /** {@code configured} if given, else {@code redis-server} on the {@code PATH}, if any. */
    public static Optional<Path> find(Path configured) {
        if (configured != null) {
            return Optional.of(configured);
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty()) {
                Path p = Path.of(d, "redis-server");
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts {@code binary} on {@code dir/dbfilename} and waits until it has loaded the file and answers
     * {@code PING} (at most {@code timeout}); later commands time out after {@code readTimeout}.
     *
     * @throws BackupException {@code SOURCE_FAILED} if it exits (e.g. it cannot read the RDB: the log's tail is in the
     *                         message), {@code TIMEOUT} if loading takes longer than {@code timeout}; the child is
     *                         stopped then
     */
    public static ScratchRedisServer start(Path binary, Path dir, String dbfilename, Duration timeout, Duration readTimeout) {
        BackupException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            Secret password = randomPassword();
            Process p;
            try {
                ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-", "--bind", "127.0.0.1", "--port",
                        Integer.toString(port), "--dir", dir.toString(), "--dbfilename", dbfilename, "--save", "",
                        "--appendonly", "no", "--daemonize", "no", "--logfile", "")
                        .redirectErrorStream(true).redirectOutput(dir.resolve(LOG_FILE).toFile());
                // the minimal environment every child gets (spi.ChildProcess): none of the JVM's other variables
                Map<String, String> env = pb.environment();
                env.keySet().retainAll(com.eazepay.backup.spi.ChildProcess.BASE_ENVIRONMENT);
                p = pb.start();
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot start " + binary + " to load the"
                        + " restored RDB: " + e.getMessage() + "; install redis-server (Debian: apt-get install redis-server)"
                        + " or configure RedisSource.builder().redisServer(path)", e);
            }
            try {
                Files.writeString(dir.resolve(PID_FILE), p.pid() + "\n", StandardCharsets.US_ASCII);
                try (java.io.OutputStream config = p.getOutputStream()) {
                    config.write(("requirepass " + password.reveal() + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    LOG.debug("writing the scratch redis-server's configuration failed ({}): it exited", e.toString());
                }
                RedisEndpoint endpoint = new RedisEndpoint("127.0.0.1", port, null, password, null, readTimeout);
                String version = awaitLoaded(p, endpoint, binary, dir, timeout);
                LOG.info("started {} (redis {}, pid {}) on 127.0.0.1:{} with the restored {}", binary, version, p.pid(), port,
                        dir.resolve(dbfilename));
                return new ScratchRedisServer(p, dir, endpoint, version);
            } catch (BackupException e) {
                stop(p);
                if (e.getMessage().contains("Address already in use") && attempt < PORT_ATTEMPTS) {
                    last = e; // another process took the port between our probe and the server's bind
                    continue;
                }
                throw e;
            } catch (IOException e) {
                stop(p);
                throw new BackupException(CoreErrorCode.STORAGE_FAILED, "writing " + dir.resolve(PID_FILE) + " failed: " + e, e);
            } catch (RuntimeException | Error e) {
                stop(p);
                throw e;
            }
        }
        throw last;
    }

    private static Secret randomPassword() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return Secret.of(java.util.HexFormat.of().formatHex(b));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INTERNAL, "no free loopback port for the scratch redis-server: " + e, e);
        }
    }

    /** Polls PING until the server answers PONG (not LOADING); returns its version. */
    private static String awaitLoaded(Process p, RedisEndpoint endpoint, Path binary, Path dir, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, binary + " exited with status " + p.exitValue()
                        + " while loading the restored RDB in " + dir + ": " + logTail(dir));
            }
            try (RespConnection c = RespConnection.open("127.0.0.1", endpoint.port(), null, Duration.ofSeconds(5))) {
                Object auth = c.call("AUTH", endpoint.password().reveal());
                Object pong = auth instanceof RespConnection.RespError ? auth : c.call("PING");
                if ("PONG".equals(pong)) {
                    Map<String, String> server = RedisEndpoint.info(c, "server");
                    return server.getOrDefault("redis_version", "unknown");
                }
                if (!(pong instanceof RespConnection.RespError err) || !"LOADING".equals(err.kind())) {
                    throw new BackupException(CoreErrorCode.SOURCE_FAILED, binary + " on 127.0.0.1:" + endpoint.port()
                            + " answered PING with " + pong + ": " + logTail(dir));
                }
            } catch (java.net.ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new BackupException(CoreErrorCode.TIMEOUT, binary + " did not finish loading the restored RDB in "
                        + dir + " within " + timeout + " (is the machine short of memory? see " + dir.resolve(LOG_FILE) + ")", null, true);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while " + binary + " loaded the restored RDB", e);
            }
        }
    }

    private static String logTail(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(LOG_FILE), StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Key counts per database ({@code INFO keyspace}) of the loaded data. */
    public Map<Integer, Long> keyspace() {
        try (RespConnection c = endpoint.connect()) {
            return endpoint.keyspace(c);
        } catch (IOException e) {
            throw endpoint.unavailable("counting keys in", e);
        }
    }

    /** Where it listens, with its password: for the restore test's checks. */
    public RedisEndpoint endpoint() {
        return endpoint;
    }

    /** The server's version ({@code INFO server}). */
    public String version() {
        return version;
    }

    /** E.g. {@code redis-server 7.0.15 on 127.0.0.1:40123}. */
    public String describe() {
        return "redis-server " + version + " on " + endpoint.describe();
    }

    /** Stops the server without saving and deletes the pid file. Idempotent. */
    @Override
    public void close() {
        try (RespConnection c = endpoint.connect()) {
            c.send("SHUTDOWN", "NOSAVE");
            c.flush();
        } catch (IOException | BackupException e) {
            LOG.debug("SHUTDOWN NOSAVE to the scratch redis-server failed ({}): stopping it with a signal", e.toString());
        }
        stop(process);
        try {
            Files.deleteIfExists(dir.resolve(PID_FILE));
        } catch (IOException e) {
            LOG.warn("deleting {} failed: {}", dir.resolve(PID_FILE), e.toString());
        }
    }

    private static void stop(Process p) {
        stop(p.toHandle());
    }

    private static void stop(ProcessHandle h) {
        if (!h.isAlive()) {
            return;
        }
        h.destroy();
        try {
            h.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            h.destroyForcibly();
        } catch (InterruptedException e) {
            h.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops a scratch redis-server a killed JVM left in {@code dir}: the pid in {@value #PID_FILE}, only if that
     * process is alive and runs in {@code dir} (Linux {@code /proc/<pid>/cwd}; a reused pid is left alone, and so is
     * the process where {@code /proc} does not tell).
     */
    public static void killLeftover(Path dir) {
        Path pidFile = dir.resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            LOG.warn("unreadable {}: {}; no scratch redis-server stopped", pidFile, e.toString());
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return;
        }
        // redis-server rewrites its process title, and Debian's binary is redis-check-rdb under another name: the
        // server is recognised by its working directory, which --dir makes the scratch directory
        Path cwd = Path.of("/proc", Long.toString(pid), "cwd");
        try {
            if (!Files.isSymbolicLink(cwd) || !Files.readSymbolicLink(cwd).equals(dir)) {
                LOG.warn("pid {} of {} does not run in {} (a reused pid?): left alone", pid, pidFile, dir);
                return;
            }
        } catch (IOException e) {
            LOG.warn("cannot tell whether pid {} of {} is the scratch redis-server ({}): left alone", pid, pidFile, e.toString());
            return;
        }
        LOG.info("stopping the scratch redis-server (pid {}) a killed restore test left in {}", pid, dir);
        stop(h.get());
    }
}
