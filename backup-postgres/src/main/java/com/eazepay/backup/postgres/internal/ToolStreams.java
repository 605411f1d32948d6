package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ChildProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Moving bytes between the PostgreSQL tools and the backup streams: pumping a tool's output, spooling a restore. */
public final class ToolStreams {

    private static final int BUFFER = 64 * 1024;

    private ToolStreams() {
    }

    /** Copies the child's stdout to {@code out}; read failures are the child's, write failures the storage's. */
    public static long pump(ChildProcess.Running child, InputStream in, OutputStream out, String tool) {
        byte[] buffer = new byte[BUFFER];
        long total = 0;
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                child.kill();
                throw new BackupException(CoreErrorCode.INTERRUPTED, tool + " was cancelled: the calling thread was interrupted");
            }
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                child.kill();
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "reading " + tool + " output failed: " + e.getMessage(), e);
            }
            if (n < 0) {
                return total;
            }
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                child.kill();
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "writing " + tool + " output failed: "
                        + e.getMessage(), e);
            }
            total += n;
        }
    }

    /** Turns a tool that exited non-zero or was killed into the exception to report ({@link ToolFailure#classify}). */
    @FunctionalInterface
    public interface Failure {
        BackupException of(ChildProcess.Running child, int exit);
    }

    /**
     * {@link #pump} of the child's stdout, then waits for it to exit: a non-zero exit or a kill is reported by
     * {@code failure}. So is a read broken by the child's timeout (once the watchdog killed it, the JDK may close
     * the pipe under the reader: "Stream closed"), which {@code failure} then reports as {@code TIMEOUT}.
     *
     * @return the bytes copied
     */
    public static long pumpToExit(ChildProcess.Running child, OutputStream out, String tool, Failure failure) {
        long bytes;
        try {
            bytes = pump(child, child.stdout(), out, tool);
        } catch (BackupException e) {
            if (!child.timedOut()) {
                throw e;
            }
            BackupException timeout = failure.of(child, child.waitFor());
            timeout.addSuppressed(e);
            throw timeout;
        }
        int exit = child.waitFor();
        if (exit != 0 || child.wasKilled()) {
            throw failure.of(child, exit);
        }
        return bytes;
    }

    /**
     * Writes a restore's stream to an owner-only temp file (for {@code pg_restore -j} and all-or-nothing replaces).
     */
    public static Path spool(InputStream in, Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "pg-restore-", ".pgdump",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }
}
