package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program as a child process the way backup tools must: an argv list (never a shell string),
 * secrets only in the child's environment (never in argv), stderr drained on its own thread and
 * kept (last {@value #STDERR_LIMIT} bytes) for the error message, exit code and signal checked,
 * killed on timeout or interruption. For sources that run {@code pg_dump}-like tools and restores
 * that run {@code pg_restore}-like tools. Immutable; each {@code run*} call starts a new process.
 *
 * <p>The child does not inherit the JVM's environment (which may hold cloud credentials, database
 * passwords or tokens meant for the application): it gets only {@link #BASE_ENVIRONMENT} copied from
 * the JVM's environment where set, the variables named in {@link #inheritEnvironment(String...)}, and
 * what {@link #environment(Map)} and {@link #secretEnvironment(String, Secret)} add.
 *
 * <p>When the {@linkplain #runWithInput stdin writer} fails (e.g. a restore stream's checksum does not
 * match), the program and its descendants are killed <em>before</em> its standard input is closed, so it
 * never sees a clean end of input and cannot commit what it read.
 */
public final class ChildProcess {

    /** Bytes of stderr kept for error messages. */
    public static final int STDERR_LIMIT = 16 * 1024;

    /** Variables copied from the JVM's environment, when set: {@code PATH HOME LANG LC_ALL TZ TMPDIR}. */
    public static final List<String> BASE_ENVIRONMENT = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR");

    /** Reads the child's stdout. */
    @FunctionalInterface
    public interface StdoutHandler {
        void accept(InputStream stdout) throws IOException;
    }

    /** Writes the child's stdin; the stream is closed afterwards by {@link ChildProcess}. */
    @FunctionalInterface
    public interface StdinWriter {
        void accept(OutputStream stdin) throws IOException;
    }

    private final List<String> command;
    private final Map<String, String> environment;
    private final Map<String, Secret> secretEnvironment;
    private final List<String> inherited;
    private final Path directory;
    private final Duration timeout;

    private ChildProcess(List<String> command, Map<String, String> environment, Map<String, Secret> secretEnvironment,
                         List<String> inherited, Path directory, Duration timeout) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.secretEnvironment = Map.copyOf(secretEnvironment);
        this.inherited = List.copyOf(inherited);
        this.directory = directory;
        this.timeout = timeout;
    }

    /** A process running {@code command} (program first), no extra environment, no timeout. */
    public static ChildProcess of(List<String> command) {
        if (Objects.requireNonNull(command, "command").isEmpty()) {
            throw new IllegalArgumentException("command must name a program");
        }
        return new ChildProcess(command, Map.of(), Map.of(), List.of(), null, null);
    }

    /** Adds environment variables. */
    public ChildProcess environment(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.putAll(env);
        return new ChildProcess(command, e, secretEnvironment, inherited, directory, timeout);
    }

    /**
     * Also copies these variables from the JVM's environment, where set (e.g. {@code KUBECONFIG},
     * {@code SSL_CERT_FILE}). Default: only {@link #BASE_ENVIRONMENT}.
     */
    public ChildProcess inheritEnvironment(String... names) {
        List<String> n = new ArrayList<>(inherited);
        for (String name : names) {
            n.add(Objects.requireNonNull(name, "name"));
        }
        return new ChildProcess(command, environment, secretEnvironment, n, directory, timeout);
    }

    /** Adds a secret environment variable (e.g. {@code PGPASSWORD}); its value never appears in messages. */
    public ChildProcess secretEnvironment(String name, Secret value) {
        Map<String, Secret> e = new LinkedHashMap<>(secretEnvironment);
        e.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new ChildProcess(command, environment, e, inherited, directory, timeout);
    }

    /** The working directory. Default: the current one. */
    public ChildProcess directory(Path dir) {
        return new ChildProcess(command, environment, secretEnvironment, inherited, dir, timeout);
    }

    /** Kills the process when it runs longer. Default: no timeout. */
    public ChildProcess timeout(Duration t) {
        return new ChildProcess(command, environment, secretEnvironment, inherited, directory, t);
    }

    /** The argv, for logs and messages (it holds no secrets by construction). */
    public List<String> command() {
        return command;
    }

    /** Environment variable names set for the child (values not shown). */
    public List<String> environmentNames() {
        List<String> names = new ArrayList<>(environment.keySet());
        names.addAll(secretEnvironment.keySet());
        return names;
    }

    /**
     * Runs the program, handing its stdout to {@code stdout} on the calling thread, then waits.
     *
     * @return the stderr text (bounded), for tools that print warnings
     * @throws BackupException {@code SOURCE_FAILED} on a non-zero exit or signal (with the stderr tail),
     *                         or when the program cannot be started (naming it); {@code TIMEOUT};
     *                         {@code INTERRUPTED}; or whatever {@code stdout} throws (the process is killed)
     */
    public String run(StdoutHandler stdout) {
        return run(null, stdout);
    }

    /**
     * Runs the program with {@code stdin} writing its standard input on the calling thread, and its
     * stdout discarded into the error buffer.
     */
    public String runWithInput(StdinWriter stdin) {
        return run(stdin, null);
    }

    private String run(StdinWriter stdin, StdoutHandler stdout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        Map<String, String> env = pb.environment();
        env.clear();
        Map<String, String> jvm = System.getenv();
        for (List<String> names : List.of(BASE_ENVIRONMENT, inherited)) {
            for (String name : names) {
                String value = jvm.get(name);
                if (value != null) {
                    env.put(name, value);
                }
            }
        }
        env.putAll(environment);
        secretEnvironment.forEach((k, v) -> pb.environment().put(k, v.reveal()));
        if (stdout == null) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot start " + command.get(0) + ": " + e.getMessage()
                    + "; is it installed and on the PATH?", e);
        }
        Tail stderr = new Tail(p.getErrorStream());
        Thread drainer = new Thread(stderr, "eazepay-backup-stderr-" + p.pid());
        drainer.setDaemon(true);
        drainer.start();
        java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = timeout == null ? null : watchdog(p, timedOut);
        boolean ok = false;
        try {
            if (stdin != null) {
                OutputStream in = p.getOutputStream();
                try {
                    stdin.accept(in);
                } catch (IOException | RuntimeException | Error e) {
                    // Kill first: closing stdin would hand the program a clean end of input it could commit.
                    killTree(p);
                    try {
                        in.close();
                    } catch (IOException closeFailure) {
                        e.addSuppressed(closeFailure);
                    }
                    throw e;
                }
                in.close();
            }
            if (stdout != null) {
                try (InputStream out = p.getInputStream()) {
                    stdout.accept(out);
                }
            }
            int exit = p.waitFor();
            drainer.join(5_000);
            if (timedOut.get()) {
                throw new BackupException(CoreErrorCode.TIMEOUT, command.get(0) + " was killed after the timeout of " + timeout
                        + "; stderr: " + stderr.text());
            }
            if (exit != 0) {
                String how = exit > 128 ? "was killed by signal " + (exit - 128) : "exited with code " + exit;
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, command.get(0) + " " + how + ": " + stderr.text().strip());
            }
            ok = true;
            return stderr.text();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, "interrupted while " + command.get(0) + " was running", e);
        } catch (IOException e) {
            // A broken pipe usually means the child died: its stderr says why.
            p.destroyForcibly();
            waitQuietly(p);
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, command.get(0) + " failed: " + e.getMessage()
                    + (stderr.text().isBlank() ? "" : "; stderr: " + stderr.text().strip()), e);
        } finally {
            if (watchdog != null) {
                watchdog.interrupt();
            }
            if (!ok && p.isAlive()) {
                p.destroyForcibly();
                waitQuietly(p);
            }
        }
    }

    private Thread watchdog(Process p, java.util.concurrent.atomic.AtomicBoolean timedOut) {
        Thread t = new Thread(() -> {
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // finished normally
            }
        }, "eazepay-backup-timeout-" + p.pid());
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void killTree(Process p) {
        // Descendants first (a shell's children would otherwise keep reading and finish), then the program.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        waitQuietly(p);
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ChildProcess" + command + " env=" + environmentNames();
    }

    private static final class Tail implements Runnable {
        private final InputStream in;
        private final byte[] ring = new byte[STDERR_LIMIT];
        private long total;

        Tail(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[4096];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (this) {
                        for (int i = 0; i < n; i++) {
                            ring[(int) (total++ % ring.length)] = buf[i];
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }

        synchronized String text() {
            int len = (int) Math.min(total, ring.length);
            byte[] out = new byte[len];
            long start = total - len;
            for (int i = 0; i < len; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            return (total > ring.length ? "…" : "") + new String(out, StandardCharsets.UTF_8);
        }
    }
}
