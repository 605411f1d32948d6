package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ChildProcess;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A small dump (the schema-only {@code database} entries, {@code pg_dumpall --globals-only}) run on a thread of its
 * own while the main {@code pg_dump} runs, instead of after it (measured 0.05–0.45 s each on a busy machine).
 *
 * <p>It writes into a stream the caller opened, so the caller keeps the manifest's stream order, and it never closes
 * that stream: the caller {@linkplain #commit() commits} it only after the main dump and every side dump succeeded,
 * so a failure anywhere leaves every stream open, which the engine aborts (nothing committed). A side dump that
 * fails hands its exception to {@code onFailure} at once (the caller kills the main {@code pg_dump} rather than
 * finding out hours later). {@link #close()} kills an unfinished child and waits for the thread. The owning thread
 * calls {@link #await()}, {@link #commit()} and {@link #close()}; the dump's thread only writes to the stream.
 */
public final class SideDump implements AutoCloseable {

    private final String tool;
    private final String what;
    private final OutputStream out;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final AtomicReference<ChildProcess.Running> running = new AtomicReference<>();
    private final Thread thread;
    private final long started = System.nanoTime();
    private volatile long ended;
    private volatile boolean closed;

    private SideDump(String tool, String what, ChildProcess process, OutputStream out, ToolStreams.Failure failure,
                     Consumer<BackupException> onFailure) {
        this.tool = tool;
        this.what = what;
        this.out = out;
        this.thread = new Thread(() -> run(process, failure, onFailure), "pg-side-dump-" + tool);
        thread.setDaemon(true);
    }

    /**
     * Starts {@code process} on a new daemon thread, pumping its stdout into {@code out}.
     *
     * @param tool      {@code pg_dump} or {@code pg_dumpall}, for messages
     * @param what      what it dumps, for messages ({@code the roles and tablespaces of postgresql://h:5432/db})
     * @param onFailure called on the dump's thread with the failure, unless {@link #close()} came first
     */
    public static SideDump start(String tool, String what, ChildProcess process, OutputStream out, ToolStreams.Failure failure,
                                 Consumer<BackupException> onFailure) {
        SideDump d = new SideDump(tool, what, process, out, failure, onFailure);
        d.thread.start();
        return d;
    }

    private void run(ChildProcess process, ToolStreams.Failure failure, Consumer<BackupException> onFailure) {
        try (ChildProcess.Running child = process.start()) {
            running.set(child);
            if (closed) {
                child.kill(); // close() came before the child existed
            }
            child.stdin().close();
            long bytes = ToolStreams.pumpToExit(child, out, tool, failure);
            ended = System.nanoTime();
            done.complete(bytes);
        } catch (IOException e) {
            fail(new BackupException(CoreErrorCode.SOURCE_FAILED, "dumping " + what + " failed: " + e.getMessage(), e),
                    onFailure);
        } catch (BackupException e) {
            fail(e, onFailure);
        } catch (RuntimeException | Error e) {
            fail(new BackupException(CoreErrorCode.INTERNAL, "dumping " + what + " failed: " + e, e), onFailure);
        }
    }

    private void fail(BackupException e, Consumer<BackupException> onFailure) {
        done.completeExceptionally(e);
        if (!closed) {
            onFailure.accept(e);
        }
    }

    /**
     * Waits for the dump to end.
     *
     * @return the bytes written
     * @throws BackupException the dump's failure; {@code INTERRUPTED} if the calling thread is interrupted
     */
    public long await() {
        try {
            return done.get();
        } catch (ExecutionException e) {
            throw (BackupException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(CoreErrorCode.INTERRUPTED, tool + " was cancelled: the calling thread was interrupted", e);
        }
    }

    /** What it dumps and how long it ran, for logs ({@code the roles and tablespaces of … in 212 ms}). */
    @Override
    public String toString() {
        long end = ended;
        return what + (end == 0 ? " (unfinished)" : " in " + (end - started) / 1_000_000 + " ms");
    }

    /**
     * Closes (commits) the stream after a successful {@link #await()}.
     *
     * @throws BackupException {@code STORAGE_UNAVAILABLE} if storing it failed
     */
    public void commit() {
        try {
            out.close();
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "storing " + what + " failed: " + e.getMessage(), e);
        }
    }

    /** Kills the child if it still runs and waits for the thread; leaves the stream as it is. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ChildProcess.Running child = running.get();
        if (child != null && !done.isDone()) {
            child.kill();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
