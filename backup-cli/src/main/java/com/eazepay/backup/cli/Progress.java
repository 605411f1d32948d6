package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupListener;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress of long work for a person at a terminal: one line on standard error, redrawn in place with a
 * carriage return (what is running, bytes moved through the repository, rate and, when the expected size
 * is known, ETA). Off a terminal (pipes, {@code CI=true}, Kubernetes) it draws nothing: the engine's
 * timestamped log lines are the record there, and no carriage return or escape sequence is printed.
 */
final class Progress implements BackupListener, AutoCloseable {

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final AtomicLong moved = new AtomicLong();
    private ScheduledExecutorService ticker;
    private volatile String label = "";
    private volatile long expected = -1;
    private long startNanos;
    private long startBytes;
    private int drawnWidth;

    Progress(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
        this.err = err;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    /** On a terminal ({@link Logging#interactive()}): redrawn five times a second; elsewhere: silent. */
    static Progress forStandardError(PrintWriter err) {
        Progress p = new Progress(err, Logging.interactive(), System::nanoTime);
        if (p.terminal) {
            p.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            p.ticker.scheduleAtFixedRate(p::draw, 200, 200, TimeUnit.MILLISECONDS);
        }
        return p;
    }

    /** The counter {@link CountingStorage} adds to. */
    AtomicLong counter() {
        return moved;
    }

    /** A new phase: what runs and how many bytes it is expected to move ({@code -1} if unknown: no ETA). */
    synchronized void start(String what, long expectedBytes) {
        this.label = what;
        this.expected = expectedBytes;
        this.startNanos = nanoTime.getAsLong();
        this.startBytes = moved.get();
    }

    @Override
    public void onEvent(BackupEvent event) {
        if (event instanceof BackupEvent.BackupStarted s) {
            label = "backing up '" + s.source() + "'";
        }
    }

    /** The line as drawn now (without the carriage return). */
    synchronized String line() {
        long bytes = moved.get() - startBytes;
        double seconds = Math.max(1e-3, (nanoTime.getAsLong() - startNanos) / 1e9);
        double rate = bytes / seconds;
        StringBuilder b = new StringBuilder(label.isEmpty() ? "working" : label);
        b.append(": ").append(Output.bytes(bytes));
        if (expected > 0) {
            b.append(" of ").append(Output.bytes(expected)).append(" (").append(Math.min(100, bytes * 100 / expected)).append("%)");
        }
        b.append(", ").append(Output.bytes((long) rate)).append("/s");
        if (expected > 0 && rate > 0) {
            long left = Math.max(0, expected - bytes);
            b.append(", ETA ").append(eta((long) Math.ceil(left / rate)));
        }
        return b.toString();
    }

    /** Redraws the line in place; nothing off a terminal. */
    synchronized void draw() {
        if (!terminal || label.isEmpty()) {
            return;
        }
        String l = line();
        StringBuilder b = new StringBuilder("\r").append(l);
        for (int i = l.length(); i < drawnWidth; i++) {
            b.append(' ');
        }
        drawnWidth = l.length();
        err.print(b);
        err.flush();
    }

    /** Clears the line (on a terminal) and stops redrawing; results then print on clean lines. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (terminal && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }

    static String eta(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds % 3600 / 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
