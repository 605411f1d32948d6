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
