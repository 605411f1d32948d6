package com.eazepay.backup.files;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a single-stream backup (a {@link CommandSource}) is restored: a file, written to a hidden
 * owner-only temporary file and renamed into place only after the stream was fully verified (a failed
 * restore removes the parent directories it created); or a program's
 * standard input (e.g. {@code psql}, {@code kubectl apply -f -}).
 *
 * <p>A program gets only verified bytes by default: the restored plaintext is first spooled to an
 * owner-only ({@code 0600}) temporary file (in {@link #spoolDirectory(Path)}, default {@code java.io.tmpdir};
 * it needs room for the whole plaintext) and the program is started only once the stored object's checksum
 * matched; the file is deleted afterwards. {@link #streaming()} opts out: the program then reads the bytes
 * while they are verified, and on a checksum failure it (and its descendants) is killed before its standard
 * input is closed, so it never sees a clean end of input; but it has already read unverified data, so use
 * it only with programs that apply their input atomically at the end.
 */
public final class StreamTarget implements RestoreTarget {

    private final Path file;
    private final boolean overwrite;
    private final List<String> command;
    private final boolean streaming;
    private final Path spoolDirectory;

    private StreamTarget(Path file, boolean overwrite, List<String> command, boolean streaming, Path spoolDirectory) {
        this.file = file;
        this.overwrite = overwrite;
        this.command = command;
        this.streaming = streaming;
        this.spoolDirectory = spoolDirectory;
    }

    /** Writes the restored bytes to {@code file}, which must not exist (see {@link #replaceExisting()}). */
    public static StreamTarget file(Path file) {
        return new StreamTarget(Objects.requireNonNull(file, "file").toAbsolutePath().normalize(), false, null, false, null);
    }

    /**
     * Pipes the restored bytes into {@code command}'s standard input once they were verified (see the class
     * comment); a non-zero exit fails the restore.
     */
    public static StreamTarget command(String... command) {
        List<String> argv = List.of(command);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("command must name a program");
        }
        return new StreamTarget(null, false, argv, false, null);
    }

    /** Allows replacing an existing file. */
    public StreamTarget replaceExisting() {
        return new StreamTarget(file, true, command, streaming, spoolDirectory);
    }

    /**
     * For a command target: feeds the program while the stream is verified instead of spooling it first.
     * On a checksum failure the program and its descendants are killed before its stdin is closed.
     * Default: spool and verify first.
     *
     * @throws IllegalStateException on a file target
     */
    public StreamTarget streaming() {
        requireCommand("streaming()");
        return new StreamTarget(file, overwrite, command, true, spoolDirectory);
    }

    /**
     * For a command target: where the verified plaintext is spooled (an owner-only temporary file, deleted
     * afterwards). Default: {@code java.io.tmpdir}.
     *
     * @throws IllegalStateException on a file target
     */
    public StreamTarget spoolDirectory(Path directory) {
        requireCommand("spoolDirectory(..)");
        return new StreamTarget(file, overwrite, command, streaming,
                Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize());
    }

    private void requireCommand(String what) {
        if (command == null) {
            throw new IllegalStateException(what + " applies to StreamTarget.command(..) targets; a file target is always "
                    + "written to a temporary file and renamed after verification");
        }
    }

    /** Whether a command target is fed while verifying ({@link #streaming()}) rather than after. */
    public boolean isStreaming() {
        return streaming;
    }

    /** Writes {@code in} to the target and returns the number of bytes. */
    long write(InputStream in) throws IOException {
        if (command != null) {
            return streaming ? streamInto(in) : spoolThenRun(in);
        }
        if (!overwrite && Files.exists(file)) {
            throw new BackupException(CoreErrorCode.TARGET_NOT_EMPTY, "restore target " + file
                    + " already exists; nothing was written. Choose another path, or use replaceExisting()");
        }
        List<Path> created = new ArrayList<>(); // parents this restore creates, innermost first
        for (Path p = file.getParent(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            created.add(p);
        }
        boolean ok = false;
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".restore");
            long n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = in.transferTo(out);
            }
            if (overwrite) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            ok = true;
            return n;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
            if (!ok) {
                // A failed restore leaves no new, empty parent directories behind.
                for (Path dir : created) {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException notEmpty) {
                        break; // something else is there now: keep it and its parents
                    }
                }
            }
        }
    }

    private long streamInto(InputStream in) {
        long[] n = {0};
        // ChildProcess kills the program before closing its stdin when this writer throws (e.g. CHECKSUM_MISMATCH).
        ChildProcess.of(command).runWithInput(stdin -> n[0] = in.transferTo(stdin));
        return n[0];
    }

    private long spoolThenRun(InputStream in) throws IOException {
        Path dir = spoolDirectory != null ? spoolDirectory : Path.of(System.getProperty("java.io.tmpdir"));
        Path spool = Files.createTempFile(dir, ".eazepay-restore-", ".spool",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(spool)) {
                n = in.transferTo(out); // reads to the end: the checksum is verified before the program starts
            }
            ChildProcess.of(command).runWithInput(stdin -> {
                try (InputStream verified = Files.newInputStream(spool)) {
                    verified.transferTo(stdin);
                }
            });
            return n;
        } finally {
            Files.deleteIfExists(spool);
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
