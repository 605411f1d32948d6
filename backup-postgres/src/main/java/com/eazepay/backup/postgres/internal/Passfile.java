package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A 0600 libpq password file ({@code host:port:*:user:password}, {@code :} and {@code \} escaped) in
 * {@code java.io.tmpdir}, handed to a child as {@code PGPASSFILE} so the password is never in argv or environment.
 * {@link #close()} deletes it (idempotent). With no password it is empty and {@link #environment()} is empty.
 */
public final class Passfile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Passfile.class);

    private Path file;

    private Passfile(Path file) {
        this.file = file;
    }

    /** Writes the file if {@code password} is not null. */
    public static Passfile write(String host, int port, String user, Secret password) throws IOException {
        if (password == null) {
            return new Passfile(null);
        }
        Path file = Files.createTempFile("eazepay-pgpass-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, escape(host) + ":" + port + ":*:" + escape(user) + ":" + escape(password.reveal()) + "\n",
                StandardCharsets.UTF_8);
        return new Passfile(file);
    }

    /** {@code PGPASSFILE} for the child, or nothing. */
    public synchronized Map<String, String> environment() {
        return file == null ? Map.of() : Map.of("PGPASSFILE", file.toString());
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    @Override
    public synchronized void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("could not delete the temporary passfile {}: {}", file, e.getMessage());
            }
            file = null;
        }
    }
}
