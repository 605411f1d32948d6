package com.eazepay.backup;

import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;

/**
 * Where a single-stream backup (a {@link CommandSource}) is restored: a file, written to a hidden
 * temporary file and renamed into place only after the stream was fully verified; or a program's
 * standard input (e.g. {@code psql}, {@code kubectl apply -f -}).
 */
public final class StreamTarget implements RestoreTarget {

    private final Path file;
    private final boolean overwrite;
    private final List<String> command;

    private StreamTarget(Path file, boolean overwrite, List<String> command) {
        this.file = file;
        this.overwrite = overwrite;
        this.command = command;
    }

    /** Writes the restored bytes to {@code file}, which must not exist (see {@link #overwriteExisting()}). */
    public static StreamTarget file(Path file) {
        return new StreamTarget(Objects.requireNonNull(file, "file").toAbsolutePath().normalize(), false, null);
    }

    /** Pipes the restored bytes into {@code command}'s standard input; a non-zero exit fails the restore. */
    public static StreamTarget command(String... command) {
        return new StreamTarget(null, false, List.of(command));
    }

    /** Allows replacing an existing file. */
    public StreamTarget overwriteExisting() {
        return new StreamTarget(file, true, command);
    }

    /** Writes {@code in} to the target and returns the number of bytes. */
    long write(InputStream in) throws IOException {
        if (command != null) {
            long[] n = {0};
            ChildProcess.of(command).runWithInput(stdin -> n[0] = in.transferTo(stdin));
            return n[0];
        }
        if (!overwrite && Files.exists(file)) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "restore target " + file
                    + " already exists; nothing was written. Choose another path, or use overwriteExisting()");
        }
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".restore");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = in.transferTo(out);
            }
            if (overwrite) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String describe() {
        return file != null ? file.toString() : "stdin of " + command.get(0);
    }

    @Override
    public String toString() {
        return "StreamTarget[" + describe() + "]";
    }
}
