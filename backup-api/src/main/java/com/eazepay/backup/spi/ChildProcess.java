package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a program as a child process the way backup tools must: an argv list (never a shell string),
 * secrets only in the child's environment or in a 0600 file (never in argv), stderr drained on its own
 * thread and kept (last {@value #STDERR_LIMIT} bytes) for the error message, exit code and signal
 * checked, the program <em>and its descendants</em> killed on timeout, cancellation or failure. Used by
 * {@code CommandSource}/{@code StreamTarget} and by plug-ins that run tools ({@code pg_dump},
 * {@code pg_restore}, {@code psql}). Immutable; each {@code run*}/{@link #start()} call starts a new process.
 *
 * <p><b>Environment.</b> The child does not inherit the JVM's environment (which may hold cloud
 * credentials, database passwords such as {@code PGPASSWORD}, or variables such as {@code PGHOST} that
 * would redirect the tool): it gets only {@link #BASE_ENVIRONMENT} copied from the JVM's environment
 * where set, the variables named in {@link #inheritEnvironment(String...)}, and what
 * {@link #environment(Map)}, {@link #secretEnvironment(String, Secret)} and
 * {@link #secretFile(String, Secret)} add.
 *
 * <p><b>Secret files.</b> {@link #secretFile(String, Secret)} writes a secret to a fresh owner-only
 * (0600) temporary file before the program starts and passes its path in an environment variable
 * (e.g. libpq's {@code PGPASSFILE}); the file is deleted when the run ends, whatever the outcome. Prefer
 * it to {@link #secretEnvironment}: a process's environment is readable by its user in
 * {@code /proc/<pid>/environ} for as long as it runs.
 *
 * <p><b>Two ways to run.</b> {@link #run(StdoutHandler)} and {@link #runWithInput(StdinWriter)} run to
 * completion on the calling thread and throw on failure. {@link #start()} hands back a {@link Running}
 * handle (stdin, stdout, wait, kill, stderr tail) for callers that pump both ends themselves; closing
 * it kills what still runs and deletes the secret files.
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
    private final String name;
    private final Map<String, String> environment;
    private final Map<String, Secret> secretEnvironment;
    private final Map<String, Secret> secretFiles;
    private final Path secretFileDirectory;
    private final List<String> inherited;
    private final Path directory;
    private final Duration timeout;

    private ChildProcess(List<String> command, String name, Map<String, String> environment,
                         Map<String, Secret> secretEnvironment, Map<String, Secret> secretFiles, Path secretFileDirectory,
                         List<String> inherited, Path directory, Duration timeout) {
        this.command = List.copyOf(command);
        this.name = name;
        this.environment = Map.copyOf(environment);
        this.secretEnvironment = Map.copyOf(secretEnvironment);
        this.secretFiles = Collections.unmodifiableMap(new LinkedHashMap<>(secretFiles));
        this.secretFileDirectory = secretFileDirectory;
        this.inherited = List.copyOf(inherited);
        this.directory = directory;
        this.timeout = timeout;
    }

    /** A process running {@code command} (program first), no extra environment, no timeout. */
    public static ChildProcess of(List<String> command) {
        if (Objects.requireNonNull(command, "command").isEmpty()) {
            throw new IllegalArgumentException("command must name a program");
        }
        String program = Path.of(command.get(0)).getFileName() == null ? command.get(0)
                : Path.of(command.get(0)).getFileName().toString();
        return new ChildProcess(command, program, Map.of(), Map.of(), Map.of(), null, List.of(), null, null);
    }

    private ChildProcess with(String n, Map<String, String> env, Map<String, Secret> secretEnv, Map<String, Secret> files,
                              Path filesDir, List<String> inh, Path dir, Duration t) {
        return new ChildProcess(command, n, env, secretEnv, files, filesDir, inh, dir, t);
    }

    /** The short name used in messages and thread names. Default: the program's file name. */
    public ChildProcess name(String toolName) {
        return with(Objects.requireNonNull(toolName, "toolName"), environment, secretEnvironment, secretFiles,
                secretFileDirectory, inherited, directory, timeout);
    }

    /** Adds environment variables. */
    public ChildProcess environment(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.putAll(env);
        return with(name, e, secretEnvironment, secretFiles, secretFileDirectory, inherited, directory, timeout);
    }

    /**
     * Also copies these variables from the JVM's environment, where set (e.g. {@code KUBECONFIG},
     * {@code SSL_CERT_FILE}). Default: only {@link #BASE_ENVIRONMENT}.
     */
    public ChildProcess inheritEnvironment(String... names) {
        List<String> n = new ArrayList<>(inherited);
        for (String v : names) {
            n.add(Objects.requireNonNull(v, "name"));
        }
        return with(name, environment, secretEnvironment, secretFiles, secretFileDirectory, n, directory, timeout);
    }

    /**
     * Adds a secret environment variable (e.g. a token a tool only reads from its environment); its value
     * never appears in messages. Prefer {@link #secretFile(String, Secret)} where the tool accepts a file.
     */
    public ChildProcess secretEnvironment(String variable, Secret value) {
        Map<String, Secret> e = new LinkedHashMap<>(secretEnvironment);
        e.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
        return with(name, environment, e, secretFiles, secretFileDirectory, inherited, directory, timeout);
    }

    /**
     * Writes {@code contents} (UTF-8, exactly as given) to a fresh 0600 temporary file before the program
     * starts and sets {@code variable} to its path, e.g. {@code secretFile("PGPASSFILE", Secret.of("*:*:*:*:pw\n"))}.
     * The file is deleted when the run ends (by {@link Running#close()} for {@link #start()}), also on
     * failure; it is also marked delete-on-exit. Its directory is {@code java.io.tmpdir} unless
     * {@link #secretFileDirectory(Path)} says otherwise. The contents never appear in messages.
     */
    public ChildProcess secretFile(String variable, Secret contents) {
        Map<String, Secret> f = new LinkedHashMap<>(secretFiles);
        f.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(contents, "contents"));
        return with(name, environment, secretEnvironment, f, secretFileDirectory, inherited, directory, timeout);
    }

    /** Where {@link #secretFile} files are created. Default: {@code java.io.tmpdir}. */
    public ChildProcess secretFileDirectory(Path dir) {
        return with(name, environment, secretEnvironment, secretFiles, Objects.requireNonNull(dir, "dir"), inherited,
                directory, timeout);
    }

    /** The working directory. Default: the current one. */
    public ChildProcess directory(Path dir) {
        return with(name, environment, secretEnvironment, secretFiles, secretFileDirectory, inherited, dir, timeout);
    }

    /** Kills the process (and its descendants) when it runs longer. Default: no timeout. */
    public ChildProcess timeout(Duration t) {
        return with(name, environment, secretEnvironment, secretFiles, secretFileDirectory, inherited, directory, t);
    }

    /** The argv, for logs and messages (it holds no secrets by construction). */
    public List<String> command() {
        return command;
    }

    /** Environment variable names set for the child (values not shown). */
    public List<String> environmentNames() {
        List<String> names = new ArrayList<>(environment.keySet());
        names.addAll(secretEnvironment.keySet());
        names.addAll(secretFiles.keySet());
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
     * stdout discarded.
     */
    public String runWithInput(StdinWriter stdin) {
        return run(stdin, null);
    }

    /**
     * Starts the program with its stdin and stdout as pipes and hands the running process over. The
     * caller must close the handle (try-with-resources): that kills the program and its descendants if
     * they still run, and deletes the secret files. The timeout, if any, is enforced by a watchdog thread.
     *
     * @throws BackupException {@code SOURCE_FAILED} if the program cannot be started (naming it), or a
     *                         secret file cannot be written
     */
    public Running start() {
        return start(true, true);
    }

    private Running start(boolean pipeStdin, boolean pipeStdout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        Map<String, String> env = pb.environment();
        env.clear();
        Map<String, String> jvm = System.getenv();
        for (List<String> names : List.of(BASE_ENVIRONMENT, inherited)) {
            for (String n : names) {
                String value = jvm.get(n);
                if (value != null) {
                    env.put(n, value);
                }
            }
        }
        env.putAll(environment);
        secretEnvironment.forEach((k, v) -> env.put(k, v.reveal()));
        if (!pipeStdout) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        if (!pipeStdin) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        List<Path> files = new ArrayList<>();
        try {
            for (Map.Entry<String, Secret> f : secretFiles.entrySet()) {
                Path file = writeSecretFile(f.getValue());
                files.add(file);
                env.put(f.getKey(), file.toString());
            }
            return new Running(name, pb.start(), timeout, files);
        } catch (IOException e) {
            deleteAll(files);
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot start " + name + " (" + command.get(0) + "): "
                    + e.getMessage() + "; is it installed and on the PATH?", e);
        } catch (RuntimeException | Error e) {
            deleteAll(files);
            throw e;
        }
    }

    private Path writeSecretFile(Secret contents) throws IOException {
        Path dir = secretFileDirectory != null ? secretFileDirectory : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "eazepay-secret-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        try {
            Files.writeString(file, contents.reveal(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    private static void deleteAll(List<Path> files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // best effort: the file is 0600 and marked delete-on-exit
            }
        }
    }

    private String run(StdinWriter stdin, StdoutHandler stdout) {
        try (Running p = start(stdin != null, stdout != null)) {
            try {
                if (stdin != null) {
                    OutputStream in = p.stdin();
                    try {
                        stdin.accept(in);
                    } catch (IOException | RuntimeException | Error e) {
                        // Kill first: closing stdin would hand the program a clean end of input it could commit.
                        p.kill();
                        p.awaitExit();
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
                    try (InputStream out = p.stdout()) {
                        stdout.accept(out);
                    }
                }
                int exit = p.waitFor();
                if (p.timedOut()) {
                    throw new BackupException(CoreErrorCode.TIMEOUT, name + " was killed after the timeout of " + timeout
                            + "; stderr: " + p.stderrTail());
                }
                if (exit != 0) {
                    throw new BackupException(CoreErrorCode.SOURCE_FAILED, name + " " + p.describeExit(exit) + ": "
                            + p.stderrTail());
                }
                return p.stderr.text();
            } catch (IOException e) {
                // A broken pipe usually means the child died: its stderr says why.
                p.kill();
                p.awaitExit();
                String err = p.stderrTail();
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, name + " failed: " + e.getMessage()
                        + (err.isBlank() ? "" : "; stderr: " + err), e);
            }
        }
    }

    @Override
    public String toString() {
        return "ChildProcess" + command + " env=" + environmentNames();
    }

    /**
     * A started program. Not thread-safe, except {@link #kill()}, {@link #timedOut()} and
     * {@link #wasKilled()}, which any thread may call. {@link #close()} is idempotent.
     */
    public static final class Running implements AutoCloseable {
        private final String name;
        private final Process process;
        private final Tail stderr;
        private final Thread drainer;
        private final Thread watchdog;
        private final List<Path> secretFiles;
        private final AtomicBoolean timedOut = new AtomicBoolean();
        private volatile boolean killed;

        private Running(String name, Process process, Duration timeout, List<Path> secretFiles) {
            this.name = name;
            this.process = process;
            this.secretFiles = List.copyOf(secretFiles);
            this.stderr = new Tail(process.getErrorStream());
            this.drainer = new Thread(stderr, "eazepay-backup-" + name + "-stderr-" + process.pid());
            drainer.setDaemon(true);
            drainer.start();
            if (timeout != null) {
                watchdog = new Thread(() -> watch(timeout), "eazepay-backup-" + name + "-timeout-" + process.pid());
                watchdog.setDaemon(true);
                watchdog.start();
            } else {
                watchdog = null;
            }
        }

        /** The child's stdout (an empty stream when it was discarded). Closed by {@link #close()}. */
        public InputStream stdout() {
            return process.getInputStream();
        }

        /** The child's stdin. Closed by {@link #close()}; close it earlier to signal end of input. */
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        /** The child's process id. */
        public long pid() {
            return process.pid();
        }

        /**
         * Waits for the child to exit and for its stderr to be fully drained.
         *
         * @return the exit value ({@code 128 + n} when killed by signal {@code n})
         * @throws BackupException {@code INTERRUPTED} (the child and its descendants are killed, the
         *                         interrupt flag restored)
         */
        public int waitFor() {
            try {
                int exit = process.waitFor();
                drainer.join(TimeUnit.SECONDS.toMillis(30));
                return exit;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new BackupException(CoreErrorCode.INTERRUPTED, name + " was cancelled: the calling thread was interrupted", e);
            }
        }

        /** Whether the watchdog killed the child because the timeout passed. */
        public boolean timedOut() {
            return timedOut.get();
        }

        /**
         * Kills the child's descendants, then the child (SIGKILL), so a shell's children do not keep
         * reading and finish. Returns at once; safe from any thread.
         */
        public void kill() {
            killed = true;
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        /** Whether {@link #kill()} was called (by the caller, the timeout or a cancellation). */
        public boolean wasKilled() {
            return killed;
        }

        /** The last {@value #STDERR_LIMIT} bytes of stderr as text, trimmed; {@code …} leads when cut. */
        public String stderrTail() {
            return stderr.text().strip();
        }

        /** A phrase for the exit value, e.g. {@code exited with code 1} or {@code was killed by signal 9}. */
        public String describeExit(int exit) {
            if (timedOut.get()) {
                return "was killed after its timeout";
            }
            if (exit > 128 && exit < 128 + 65) {
                return "was killed by signal " + (exit - 128);
            }
            return "exited with code " + exit;
        }

        private void watch(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut.set(true);
                    kill();
                }
            } catch (InterruptedException e) {
                // close() ended the watch
                Thread.currentThread().interrupt();
            }
        }

        private void awaitExit() {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Kills the child and its descendants if it still runs, closes its pipes and deletes the secret
         * files. Idempotent.
         */
        @Override
        public void close() {
            if (process.isAlive()) {
                kill();
                awaitExit();
            }
            if (watchdog != null) {
                watchdog.interrupt();
            }
            closeQuietly(process.getOutputStream());
            closeQuietly(process.getInputStream());
            deleteAll(secretFiles);
        }

        private static void closeQuietly(java.io.Closeable c) {
            try {
                c.close();
            } catch (IOException e) {
                // the child is gone; nothing to report
            }
        }
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
