package com.eazepay.backup.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An age key pair (identity + recipient) and the identity-file format of {@code age-keygen}:
 *
 * <pre>
 * # created: 2026-11-24T02:00:00Z
 * # public key: age1…
 * AGE-SECRET-KEY-1…
 * </pre>
 *
 * <p>Files written here are read by {@code age -d -i}, and files written by {@code age-keygen} are
 * read here. Immutable and thread-safe. {@link #toString()} shows the public recipient only.
 *
 * <pre>{@code
 * AgeKeys keys = AgeKeys.generate();
 * AgeKeys.writeIdentityFile(Path.of("/secure/backup-key.txt"), keys.identity(), Clock.systemUTC());
 * Encryption enc = AgeEncryption.toRecipients(keys.recipient().encoded());   // on the services
 * }</pre>
 */
public final class AgeKeys {

    private static final Logger LOG = LoggerFactory.getLogger(AgeKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgeIdentity identity;

    private AgeKeys(AgeIdentity identity) {
        this.identity = identity;
    }

    /** A new random X25519 key pair, as {@code age-keygen} makes. */
    public static AgeKeys generate() {
        byte[] scalar = new byte[32];
        RANDOM.nextBytes(scalar);
        return new AgeKeys(new AgeIdentity(scalar));
    }

    /** The private identity (needed for restores). */
    public AgeIdentity identity() {
        return identity;
    }

    /** The public recipient (all that backups need). */
    public AgeRecipient recipient() {
        return identity.recipient();
    }

    /**
     * Writes {@code identity} as an identity file in {@code age-keygen}'s format, created with
     * owner-only permissions (0600) where the file system supports POSIX permissions.
     *
     * @param clock gives the {@code # created:} time
     * @throws BackupException {@code ALREADY_EXISTS} if the file exists (keys are never
     *         overwritten), {@code STORAGE_FAILED} on I/O errors; not retryable
     */
    public static void writeIdentityFile(Path file, AgeIdentity identity, Clock clock) {
        String created = DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        String text = "# created: " + created + "\n"
                + "# public key: " + identity.recipient().encoded() + "\n"
                + identity.reveal().reveal() + "\n";
        try {
            boolean posix = Files.getFileStore(file.toAbsolutePath().getParent())
                    .supportsFileAttributeView(PosixFileAttributeView.class);
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            } else {
                Files.createFile(file);
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.WRITE)) {
                w.write(text);
            }
        } catch (FileAlreadyExistsException e) {
            throw new BackupException(CoreErrorCode.ALREADY_EXISTS, "identity file " + file
                    + " already exists; refusing to overwrite a key: choose another path or remove it first", e);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot write identity file " + file
                    + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads the identities of an identity file ({@code age-keygen} output; several keys allowed).
     * Logs a WARN if the file is readable or writable by group or others.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} when the file is missing, unreadable
     *         or malformed (the message names the file and line, never a key); not retryable
     */
    public static List<AgeIdentity> readIdentityFile(Path file) {
        Objects.requireNonNull(file, "file");
        warnIfExposed(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "age identity file " + file
                    + " does not exist; point withIdentityFile(...) at the file age-keygen wrote", e);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot read age identity file "
                    + file + " (" + e.getClass().getSimpleName() + "); check its permissions", e);
        }
        return parse(text, "age identity file " + file);
    }

    /**
     * Parses identity-file contents: one {@code AGE-SECRET-KEY-1…} per line, blank lines and
     * {@code #} comments ignored (for an environment variable or a secret manager value).
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} naming the line, never the key
     */
    public static List<AgeIdentity> parseIdentities(Secret contents) {
        return parse(contents.reveal(), "age identities");
    }

    static List<AgeIdentity> parse(String text, String what) {
        List<AgeIdentity> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(AgeIdentity.parse(Secret.of(line)));
            } catch (BackupException e) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        what + ", line " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    what + " contain no AGE-SECRET-KEY-1… line");
        }
        return List.copyOf(out);
    }

    private static void warnIfExposed(Path file) {
        try {
            if (!Files.exists(file)
                    || !Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
                return;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            EnumSet<PosixFilePermission> exposed = EnumSet.of(
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            exposed.retainAll(perms);
            if (!exposed.isEmpty()) {
                LOG.warn("age identity file {} is accessible by group or others ({}); it holds a private key: "
                        + "run 'chmod 600 {}'", file, PosixFilePermissions.toString(perms), file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot check permissions of {}", file, e);
        }
    }

    /** {@code AgeKeys[age1…]}: the public recipient only. */
    @Override
    public String toString() {
        return "AgeKeys[" + recipient().encoded() + "]";
    }
}
