package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A running tool ({@code pg_dump}, {@code pg_restore}, {@code psql}) started from an argv list, never a
 * shell string. Its stderr is drained on its own daemon thread and the last {@value #STDERR_TAIL_BYTES}
 * bytes are kept for error messages; a watchdog thread kills it (and its descendants) when the timeout
 * passes. {@link #close()} kills it if it is still running. Not thread-safe, except {@link #kill()}.
 */
public final class ChildProcess implements AutoCloseable {

    /** How much of stderr is kept for the error message. */
    public static final int STDERR_TAIL_BYTES = 8 * 1024;

    /** Environment variables of the parent that could redirect or authenticate the child: never inherited. */
    private static final List<String> SCRUBBED_ENV = List.of("PGPASSWORD", "PGHOST", "PGHOSTADDR", "PGPORT",
            "PGUSER", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE", "PGOPTIONS", "PGSSLMODE", "PGPASSFILE");

    private final String tool;
    private final Process process;
    private java.nio.file.Path passFile;
    private final Thread stderrDrainer;
    private final Thread watchdog;
    private final ArrayDeque<byte[]> stderrChunks = new ArrayDeque<>();
    private int stderrBytes;
    private boolean stderrTruncated;
    private volatile boolean timedOut;
    private volatile boolean killed;

    private ChildProcess(String tool, Process process, Duration timeout) {
        this.tool = tool;
        this.process = process;
        this.stderrDrainer = new Thread(this::drainStderr, tool + "-stderr-" + process.pid());
        this.stderrDrainer.setDaemon(true);
        this.stderrDrainer.start();
        this.watchdog = new Thread(() -> watch(timeout), tool + "-watchdog-" + process.pid());
        this.watchdog.setDaemon(true);
        this.watchdog.start();
    }

    /**
     * Starts {@code argv}. The child's environment is the parent's minus every libpq variable, plus
     * {@code env} (which carries the password, never argv).
     *
     * @param tool    short tool name for messages and thread names
     * @param argv    program and arguments
     * @param env     variables to set in the child
     * @param timeout the child is killed when it runs longer
     * @throws BackupException {@code SOURCE_FAILED} if the program cannot be started
     */
    public static ChildProcess start(String tool, List<String> argv, Map<String, String> env, Duration timeout) {
        ProcessBuilder builder = new ProcessBuilder(argv);
        Map<String, String> childEnv = builder.environment();
        SCRUBBED_ENV.forEach(childEnv::remove);
        Map<String, String> vars = new java.util.LinkedHashMap<>(env);
        String password = vars.remove("PGPASSWORD");
        java.nio.file.Path passFile = null;
        try {
            if (password != null) {
                // never PGPASSWORD: the environment of a process is readable in /proc/<pid>/environ
                passFile = writePassFile(password);
                vars.put("PGPASSFILE", passFile.toString());
            }
            childEnv.putAll(vars);
            ChildProcess child = new ChildProcess(tool, builder.start(), Objects.requireNonNull(timeout, "timeout"));
            child.passFile = passFile;
            return child;
        } catch (IOException e) {
            deleteQuietly(passFile);
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot start " + tool + " (" + argv.get(0) + "): "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(passFile);
            throw e;
        }
    }

    /** A 0600 libpq password file {@code *:*:*:*:password} in java.io.tmpdir, deleted by {@link #close()}. */
    private static java.nio.file.Path writePassFile(String password) throws IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("eazepay-pgpass-", "",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        String escaped = password.replace("\\", "\\\\").replace(":", "\\:");
        java.nio.file.Files.writeString(file, "*:*:*:*:" + escaped + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static void deleteQuietly(java.nio.file.Path file) {
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException e) {
                // best effort: the file is 0600 and also marked deleteOnExit
            }
        }
    }

    /**
     * Runs {@code program args} to completion and returns its stdout (at most 64 KiB), for {@code --version}.
     *
     * @throws BackupException {@code SOURCE_FAILED} if it cannot run or exits non-zero
     */
    public static String runForOutput(Path program, List<String> args, Duration timeout) {
        List<String> argv = new java.util.ArrayList<>();
        argv.add(program.toString());
        argv.addAll(args);
        try (ChildProcess child = start(program.getFileName().toString(), argv, Map.of(), timeout)) {
            child.stdin().close();
            byte[] out = child.stdout().readNBytes(64 * 1024);
            child.stdout().transferTo(OutputStream.nullOutputStream());
            int exit = child.waitFor();
            if (exit != 0) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, program + " " + String.join(" ", args)
                        + " " + child.describeExit(exit) + ": " + child.stderrTail());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot run " + program + ": " + e.getMessage(), e);
        }
    }

    /** The child's stdout. */
    public InputStream stdout() {
        return process.getInputStream();
    }

    /** The child's stdin. */
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
     * @throws BackupException {@code INTERRUPTED} (the child is killed, the interrupt flag restored)
     */
    public int waitFor() {
        try {
            int exit = process.waitFor();
            stderrDrainer.join(TimeUnit.SECONDS.toMillis(30));
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new BackupException(CoreErrorCode.INTERRUPTED, tool + " was cancelled: the calling thread was interrupted", e);
        }
    }

    /** Whether the watchdog killed the child because the timeout passed. */
    public boolean timedOut() {
        return timedOut;
    }

    /** Kills the child and its descendants at once (SIGKILL). Safe from any thread. */
    public void kill() {
        killed = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The last bytes of stderr, as text, trimmed. */
    public synchronized String stderrTail() {
        StringBuilder sb = new StringBuilder();
        if (stderrTruncated) {
            sb.append("...");
        }
        for (byte[] chunk : stderrChunks) {
            sb.append(new String(chunk, StandardCharsets.UTF_8));
        }
        return sb.toString().trim();
    }

    /** A phrase for the exit value, e.g. {@code exited with code 1} or {@code was killed by signal 9}. */
    public String describeExit(int exit) {
        if (timedOut) {
            return "was killed after its timeout";
        }
        if (exit > 128 && exit < 128 + 65) {
            return "was killed by signal " + (exit - 128);
        }
        return "exited with code " + exit;
    }

    /** Whether {@link #kill()} was called (by us, on timeout or cancel). */
    public boolean wasKilled() {
        return killed;
    }

    private void drainStderr() {
        byte[] buffer = new byte[4096];
        try (InputStream err = process.getErrorStream()) {
            int n;
            while ((n = err.read(buffer)) > 0) {
                keep(java.util.Arrays.copyOf(buffer, n));
            }
        } catch (IOException e) {
            // the child died or was killed; what we kept is all there is
        }
    }

    private synchronized void keep(byte[] chunk) {
        stderrChunks.addLast(chunk);
        stderrBytes += chunk.length;
        while (stderrBytes > STDERR_TAIL_BYTES && stderrChunks.size() > 1) {
            stderrBytes -= stderrChunks.removeFirst().length;
            stderrTruncated = true;
        }
    }

    private void watch(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                kill();
            }
        } catch (InterruptedException e) {
            // close() ended the watch
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        watchdog.interrupt();
        closeQuietly(process.getOutputStream());
        closeQuietly(process.getInputStream());
        deleteQuietly(passFile);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // the child is gone; nothing to report
        }
    }
}
