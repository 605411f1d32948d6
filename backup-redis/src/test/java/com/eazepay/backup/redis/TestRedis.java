package com.eazepay.backup.redis;

import com.eazepay.backup.redis.internal.RespConnection;
import redis.embedded.core.ExecutableProvider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real redis-server on a free loopback port, started from a config file, stopped on close. Waits
 * for the server's "Ready to accept connections" log line (no polling, no sleeping).
 */
final class TestRedis implements AutoCloseable {

    static final Path DEBIAN = Path.of("/usr/bin/redis-server");

    final int port;
    final Path dir;
    private final Process process;
    private final List<String> output = new ArrayList<>();

    private TestRedis(int port, Path dir, Process process) {
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Debian redis-server 7.0. */
    static TestRedis debian(Path dir, String... config) {
        return start(DEBIAN, dir, config);
    }

    /**
     * Debian redis-server 7.0 on its shipped defaults: the config sets only port, bind, dir,
     * daemonize and logging to stdout, so diskless sync with its 5 s delay and the default
     * {@code save} points apply, as on a stock installation.
     */
    static TestRedis debianDefaults(Path dir) {
        return start(DEBIAN, dir, false);
    }

    /** The Redis 6.2 binary shipped in com.github.codemonstur:embedded-redis. */
    static TestRedis embedded62(Path dir, String... config) {
        try {
            return start(ExecutableProvider.newJarResourceProvider().get().toPath(), dir, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestRedis start(Path binary, Path dir, String... config) {
        return start(binary, dir, true, config);
    }

    private static TestRedis start(Path binary, Path dir, boolean tuned, String... config) {
        try {
            Files.createDirectories(dir);
            int port = freePort();
            boolean tls = java.util.Arrays.stream(config).anyMatch(l -> l.startsWith("tls-cert-file"));
            StringBuilder conf = new StringBuilder();
            conf.append(tls ? "port 0\ntls-port " : "port ").append(port).append('\n')
                    .append("bind 127.0.0.1\n")
                    .append("dir ").append(dir.toAbsolutePath()).append('\n')
                    .append("daemonize no\n")
                    .append("logfile \"\"\n");
            if (tuned) {
                conf.append("save \"\"\n")
                        .append("appendonly no\n")
                        .append("repl-diskless-sync-delay 0\n");
            }
            for (String line : config) {
                conf.append(line).append('\n');
            }
            Path confFile = dir.resolve("redis.conf");
            Files.writeString(confFile, conf);
            Process p = new ProcessBuilder(binary.toString(), confFile.toString()).redirectErrorStream(true).start();
            TestRedis r = new TestRedis(port, dir, p);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                r.output.add(line);
                if (line.contains("Ready to accept connections")) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) {
                                // discard
                            }
                        } catch (IOException ignored) {
                            // process ended
                        }
                    }, "redis-" + port + "-log");
                    drain.setDaemon(true);
                    drain.start();
                    return r;
                }
            }
            throw new IllegalStateException("redis-server did not start: " + String.join("\n", r.output));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RespConnection connect() {
        return connect(Duration.ofSeconds(60));
    }

    RespConnection connect(Duration timeout) {
        try {
            return RespConnection.open("127.0.0.1", port, null, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one command on a fresh connection (optionally authenticated) and returns the reply. */
    Object call(Object... args) {
        try (RespConnection c = connect()) {
            return c.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #call} with a long read timeout, for DEBUG POPULATE of big datasets. */
    Object callSlow(Object... args) {
        try (RespConnection c = connect(Duration.ofMinutes(30))) {
            return c.call(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
