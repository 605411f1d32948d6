package com.eazepay.backup.postgres;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.postgres.internal.WalNames;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.ConfigurationProblems;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.storage.FileSystemStorage;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The WAL archive of one PostgreSQL server (one source name) in a backup repository: every WAL file compressed and
 * encrypted like every other stream, and committed by its own small JSON record written last.
 *
 * <h2>Layout</h2>
 * <pre>
 * wal/{source}/{walFile}.{sha12}.zst.age     stored bytes (zstd frame, then age v1), e.g. 000000010000000000000003.1f2e3d4c5b6a.zst.age
 * wal/{source}/{walFile}.json                commit record: object key, codecs, plaintext and stored size and SHA-256, archive time
 * </pre>
 * {@code wal} is a reserved repository folder (no source may take that name), so prune of a source never sees
 * these objects as unfinished uploads. The data key carries a prefix of the plaintext hash because age output is
 * not deterministic: two concurrent pushes of one segment never overwrite each other's bytes.
 *
 * <h2>Semantics</h2>
 * {@link #push} is idempotent: pushing a file already archived with identical content succeeds without writing;
 * different content fails with {@link PitrErrorCode#WAL_CONFLICT} (as {@code archive_command} must, so the server
 * keeps the file and retries) — except {@code .partial} files, which pg_receivewal grows and which are replaced.
 * {@link #fetch} verifies the stored SHA-256 while streaming and the plaintext size and SHA-256 before the file
 * appears (atomically) at its destination.
 *
 * <p>Thread-safe; the repository is not closed by this class.
 */
public final class WalArchive {

    private static final Logger LOG = LoggerFactory.getLogger(WalArchive.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reserved top-level repository folder of WAL archives. */
    public static final String FOLDER = "wal";
    private static final int FORMAT_VERSION = 1;

    /** What {@link #push} did. */
    public enum PushOutcome {
        /** Stored and committed now. */
        ARCHIVED,
        /** Already archived with identical content: nothing written. */
        ALREADY_ARCHIVED
    }

    private final StorageTarget repository;
    private final String source;
    private final Compression compression;
    private final Encryption encryption;
    private final Clock clock;
    private final Path tempDirectory;
    private final AtomicReference<Instant> lastArchived = new AtomicReference<>();
    private volatile Instant listedAt;
    private static final Duration LISTING_INTERVAL = Duration.ofMinutes(1);
    private static final long MAX_HISTORY_SIZE = 1L << 20;

    private WalArchive(Builder b) {
        this.repository = b.repository;
        this.source = b.source;
        this.compression = b.compression;
        this.encryption = b.encryption;
        this.clock = b.clock;
        this.tempDirectory = b.tempDirectory;
    }

    /** A builder. Required: repository, source, encryption. */
    public static Builder builder() {
        return new Builder();
    }

    /** The source name this archive files WAL under. */
    public String source() {
        return source;
    }

    /** The archive's clock. */
    public Clock clock() {
        return clock;
    }

    /** The storage prefix of this archive: {@code wal/{source}/}. */
    public String prefix() {
        return FOLDER + "/" + source + "/";
    }

    /**
     * Archives one WAL file (the {@code archive_command} verb: {@code %p}). Returns once the commit record is stored.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if the file name is not a WAL file name;
     *                         {@link PitrErrorCode#WAL_CONFLICT} if archived before with other content;
     *                         storage codes (retryable ones are retryable) if the upload fails
     */
    public PushOutcome push(Path walFile) {
        String name = walFile.getFileName().toString();
        if (!WalNames.isArchivable(name)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + name + "' is not a WAL file name"
                    + " (segment, .partial, .history or .backup): pass archive_command's %p");
        }
        long start = System.nanoTime();
        try {
            Digest plain = digest(walFile);
            Optional<WalSegment> existing = segment(name);
            if (existing.isPresent()) {
                if (existing.get().sha256().equals(plain.sha256) && existing.get().size() == plain.size) {
                    LOG.debug("WAL {} of {} is already archived with identical content", name, source);
                    return PushOutcome.ALREADY_ARCHIVED;
                }
                if (!WalNames.isPartial(name)) {
                    throw conflict(name);
                }
            }
            String object = prefix() + name + "." + plain.sha256.substring(0, 12) + extension();
            Path tmp = Files.createTempFile(tempDirectory, ".wal-push-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                MessageDigest stored = sha256();
                long storedSize;
                try (InputStream in = Files.newInputStream(walFile);
                     DigestOutputStream hashed = new DigestOutputStream(Files.newOutputStream(tmp), stored);
                     OutputStream encrypted = encryption.encrypt(hashed);
                     OutputStream out = compression.compress(encrypted)) {
                    in.transferTo(out);
                }
                storedSize = Files.size(tmp);
                try (InputStream data = Files.newInputStream(tmp)) {
                    repository.put(object, data, PutOptions.forData().withContentLength(storedSize));
                }
                Instant now = clock.instant();
                WalSegment seg = new WalSegment(name, object, plain.size, plain.sha256, storedSize,
                        HexFormat.of().formatHex(stored.digest()), now);
                byte[] record = record(seg);
                String key = commitKey(name);
                if (WalNames.isPartial(name)) {
                    repository.put(key, new ByteArrayInputStream(record), PutOptions.defaults().withContentLength(record.length));
                } else if (!repository.putIfAbsent(key, new ByteArrayInputStream(record),
                        PutOptions.defaults().withContentLength(record.length))) {
                    // a concurrent push won: identical content is success, anything else a conflict
                    repository.delete(object);
                    WalSegment winner = segment(name).orElseThrow(() -> conflict(name));
                    if (!winner.sha256().equals(plain.sha256)) {
                        throw conflict(name);
                    }
                    return PushOutcome.ALREADY_ARCHIVED;
                }
                if (existing.isPresent() && !existing.get().object().equals(object)) {
                    repository.delete(existing.get().object()); // the replaced .partial
                }
                lastArchived.accumulateAndGet(now, (a, b) -> a == null || b.isAfter(a) ? b : a);
                LOG.debug("archived WAL {} of {} ({} bytes, {} stored) in {} ms", name, source, plain.size, storedSize,
                        (System.nanoTime() - start) / 1_000_000);
                return PushOutcome.ARCHIVED;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "cannot archive WAL file " + walFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores one archived WAL file to {@code destination} (the {@code restore_command} verb: {@code %f %p}).
     *
     * @return false if {@code name} is not archived (PostgreSQL then treats it as the end of the archive)
     * @throws BackupException {@code CHECKSUM_MISMATCH} if stored or restored bytes do not match the record;
     *                         {@code DECRYPTION_FAILED} without the right identity; storage codes
     */
    public boolean fetch(String name, Path destination) {
        Optional<WalSegment> found = segment(name);
        if (found.isEmpty()) {
            return false;
        }
        WalSegment seg = found.get();
        Map<String, Object> rec = readRecord(commitKey(name));
        Compression codec = Compression.forId(String.valueOf(((Map<?, ?>) rec.get("compression")).get("id")));
        Path dir = destination.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + name + ".", ".fetch",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            MessageDigest stored = sha256();
            MessageDigest plain = sha256();
            long size;
            try (InputStream raw = repository.get(seg.object());
                 DigestInputStream storedIn = new DigestInputStream(raw, stored)) {
                try (InputStream decoded = codec.decompress(encryption.decrypt(new NonClosing(storedIn)));
                     DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), plain)) {
                    size = decoded.transferTo(out);
                }
                storedIn.transferTo(OutputStream.nullOutputStream()); // hash every stored byte
            }
            String storedHex = HexFormat.of().formatHex(stored.digest());
            if (!storedHex.equals(seg.storedSha256())) {
                throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "stored WAL object " + seg.object() + " in "
                        + repository.describe() + " has SHA-256 " + storedHex + ", its record says " + seg.storedSha256()
                        + ": the object is corrupt; restore from a replica");
            }
            String plainHex = HexFormat.of().formatHex(plain.digest());
            if (size != seg.size() || !plainHex.equals(seg.sha256())) {
                throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, "WAL " + name + " decoded to " + size
                        + " bytes with SHA-256 " + plainHex + ", its record says " + seg.size() + " bytes " + seg.sha256());
            }
            try {
                Files.move(tmp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, destination, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return true;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot fetch WAL " + name + " to " + destination
                    + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a temp file beside the destination, owner-only
                }
            }
        }
    }

    /**
     * {@link #fetch} for a {@code restore_command}: false only when {@code name} is not archived in an archive that
     * holds other files. An archive with no file at all (an unmounted or wrong repository, a wrong source name) is
     * a failure, not "the end of the archive": PostgreSQL would end recovery there and promote at an earlier point.
     *
     * @throws BackupException {@code STORAGE_FAILED} for an archive with no file; as {@link #fetch} otherwise
     */
    public boolean fetchForRestoreCommand(String name, Path destination) {
        if (fetch(name, destination)) {
            return true;
        }
        if (!hasAnyFile()) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "the WAL archive " + prefix() + " in "
                    + repository.describe() + " holds no file at all: is the repository unmounted or the wrong one,"
                    + " or the source name wrong? Refusing to report " + name + " as the end of the archive");
        }
        return false;
    }

    /** Whether the archive holds any committed file (lists until the first commit record). */
    boolean hasAnyFile() {
        try {
            repository.list(prefix(), o -> {
                if (o.key().endsWith(".json")) {
                    throw new Found();
                }
            });
            return false;
        } catch (Found f) {
            return true;
        }
    }

    /** Ends a listing at the first commit record. */
    private static final class Found extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Found() {
            super(null, null, false, false);
        }
    }

    /**
     * The text of the archived timeline history file {@code name} ({@code 00000002.history}), fetched and verified
     * like {@link #fetch} through a 0600 file in the temp directory (history files are a few lines).
     *
     * @throws BackupException {@link PitrErrorCode#WAL_MISSING} if it is not archived; as {@link #fetch} otherwise
     */
    public String history(String name) {
        if (!WalNames.isHistory(name)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + name + "' is not a timeline history file name");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(tempDirectory, ".wal-history-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            if (!fetch(name, tmp)) {
                throw new BackupException(PitrErrorCode.WAL_MISSING, "timeline history file " + name
                        + " is not in the WAL archive " + prefix() + " of " + repository.describe());
            }
            if (Files.size(tmp) > MAX_HISTORY_SIZE) {
                throw new BackupException(CoreErrorCode.CORRUPT_DATA, "timeline history file " + name + " is "
                        + Files.size(tmp) + " bytes: not a PostgreSQL history file");
            }
            return Files.readString(tmp, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "cannot read timeline history file " + name + ": "
                    + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.debug("temp file {} left: {}", tmp, e.getMessage());
                }
            }
        }
    }

    /** The commit record of {@code name}, if archived. */
    public Optional<WalSegment> segment(String name) {
        String key = commitKey(name);
        if (repository.stat(key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toSegment(readRecord(key)));
    }

    /** Every committed WAL file of this archive, sorted by name (so by timeline, then position). One listing plus one read per file. */
    public List<WalSegment> list() {
        List<WalSegment> all = new ArrayList<>();
        for (ObjectInfo o : repository.listAll(prefix())) {
            if (o.key().endsWith(".json")) {
                all.add(toSegment(readRecord(o.key())));
            }
        }
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    /**
     * When the newest WAL file was committed: the newest of this instance's own pushes and of the repository's
     * listing (object modification times of commit records, so no record is read). The listing is repeated at most
     * once a minute by the archive's clock, so a metrics host that does not push sees other hosts' pushes within a
     * minute and a scrape does not list the archive each time.
     */
    public Optional<Instant> lastArchivedAt() {
        Instant now = clock.instant();
        Instant listed = listedAt;
        if (listed == null || !now.isBefore(listed.plus(LISTING_INTERVAL))) {
            listedAt = now;
            for (ObjectInfo o : repository.listAll(prefix())) {
                if (o.key().endsWith(".json") && o.lastModified() != null) {
                    lastArchived.accumulateAndGet(o.lastModified(), (a, b) -> a == null || b.isAfter(a) ? b : a);
                }
            }
        }
        return Optional.ofNullable(lastArchived.get());
    }

    /**
     * The newest point this archive makes recoverable: when the newest complete WAL segment (highest timeline, then
     * position) was committed to it, by its commit record's {@code archivedAt}. Every commit in that segment and before
     * it happened at or before then, so a recovery to the archive's end reaches this point give or take the segment's
     * last writes (a {@code .partial} file does not count: recovery does not read it). One listing and one record read.
     * Gaps in the chain are not looked for here (a restore plans its chain with {@link WalChain} and refuses them).
     *
     * @return empty if no complete segment is archived
     */
    public Optional<Instant> recoverableUntil() {
        String newest = null;
        for (ObjectInfo o : repository.listAll(prefix())) {
            String key = o.key();
            if (key.endsWith(".json")) {
                String name = key.substring(prefix().length(), key.length() - ".json".length());
                if (WalNames.isSegment(name) && (newest == null || name.compareTo(newest) > 0)) {
                    newest = name;
                }
            }
        }
        return newest == null ? Optional.empty() : segment(newest).map(WalSegment::archivedAt);
    }

    /**
     * Archive lag: seconds since the last WAL file was committed, by the archive's clock; +Inf if none ever was.
     * A gauge supplier for {@code backup_wal_archive_lag_seconds{source}} (alert: {@code BackupWalArchiveLagging}).
     */
    public double archiveLagSeconds() {
        return lastArchivedAt().map(t -> Math.max(0, Duration.between(t, clock.instant()).toMillis() / 1000.0))
                .orElse(Double.POSITIVE_INFINITY);
    }

    /** Deletes one archived WAL file: its commit record first (so it disappears at once), then its data. */
    void delete(WalSegment segment) {
        repository.delete(commitKey(segment.name()));
        repository.delete(segment.object());
    }

    private String commitKey(String name) {
        if (!WalNames.isArchivable(name)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + name + "' is not a WAL file name");
        }
        return prefix() + name + ".json";
    }

    private String extension() {
        String ext = "";
        if (!compression.extension().isEmpty()) {
            ext += "." + compression.extension();
        }
        if (!encryption.extension().isEmpty()) {
            ext += "." + encryption.extension();
        }
        return ext;
    }

    private BackupException conflict(String name) {
        return new BackupException(PitrErrorCode.WAL_CONFLICT, "WAL file " + name + " is already archived for source '"
                + source + "' in " + repository.describe() + " with different content: is another server archiving"
                + " under this source name, or was a restored server started without a new timeline? Give each server"
                + " its own source name");
    }

    private byte[] record(WalSegment s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("formatVersion", FORMAT_VERSION);
        m.put("source", source);
        m.put("name", s.name());
        m.put("object", s.object());
        m.put("compression", Map.of("id", compression.id(), "parameters", compression.parameters()));
        m.put("encryption", Map.of("id", encryption.id()));
        m.put("size", s.size());
        m.put("sha256", s.sha256());
        m.put("storedSize", s.storedSize());
        m.put("storedSha256", s.storedSha256());
        m.put("archivedAt", s.archivedAt().toString());
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> readRecord(String key) {
        try (InputStream in = repository.get(key)) {
            return JSON.readValue(in, Map.class);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, "WAL commit record " + key + " in "
                    + repository.describe() + " is not readable JSON: " + e.getMessage(), e);
        }
    }

    private static WalSegment toSegment(Map<String, Object> m) {
        return new WalSegment((String) m.get("name"), (String) m.get("object"), ((Number) m.get("size")).longValue(),
                (String) m.get("sha256"), ((Number) m.get("storedSize")).longValue(), (String) m.get("storedSha256"),
                Instant.parse((String) m.get("archivedAt")));
    }

    private record Digest(long size, String sha256) {
    }

    private static Digest digest(Path file) throws IOException {
        MessageDigest md = sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            size = in.transferTo(OutputStream.nullOutputStream());
        }
        return new Digest(size, HexFormat.of().formatHex(md.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps decoders from closing the hashing stream before the tail is drained. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /**
     * The small entry point the CLI (and a server's {@code archive_command}/{@code restore_command}) can call, for a
     * filesystem repository:
     * <pre>
     * java -cp … com.eazepay.backup.postgres.WalArchive push  REPOSITORY SOURCE RECIPIENT_FILE %p
     * java -cp … com.eazepay.backup.postgres.WalArchive fetch REPOSITORY SOURCE IDENTITY_FILE %f %p
     * </pre>
     * RECIPIENT_FILE holds age recipients ({@code age1…}), one a line; IDENTITY_FILE an age identity file (0600).
     * Exit codes: 0 done, 1 not archived ({@code fetch}), 2 {@code push} failed or bad usage, 126 {@code fetch}
     * failed otherwise or was called wrongly (storage, checksum, key: PostgreSQL aborts recovery on codes above 125 rather than taking
     * the failure for the end of the archive and promoting early). The reason is logged through SLF4J.
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The exit code of a failed {@code fetch} other than "not archived": above 125, so PostgreSQL aborts recovery. */
    public static final int FETCH_FAILED = 126;

    /** {@link #main} without exiting: returns the exit code. */
    public static int run(String[] args) {
        try {
            if (args.length == 5 && args[0].equals("push")) {
                List<String> recipients = Files.readAllLines(Path.of(args[3])).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                WalArchive archive = builder().repository(FileSystemStorage.at(Path.of(args[1]))).source(args[2])
                        .encryption(AgeEncryption.toRecipients(recipients.toArray(String[]::new))).build();
                archive.push(Path.of(args[4]));
                return 0;
            }
            if (args.length == 6 && args[0].equals("fetch")) {
                AgeEncryption enc = AgeEncryption.decryptOnly().withIdentityFile(Path.of(args[3]));
                WalArchive archive = builder().repository(FileSystemStorage.at(Path.of(args[1]))).source(args[2])
                        .encryption(enc).build();
                return archive.fetchForRestoreCommand(args[4], Path.of(args[5])) ? 0 : 1;
            }
            LOG.error("usage: push REPOSITORY SOURCE RECIPIENT_FILE WAL_PATH"
                    + " | fetch REPOSITORY SOURCE IDENTITY_FILE WAL_NAME DESTINATION");
            return args.length > 0 && args[0].equals("fetch") ? FETCH_FAILED : 2;
        } catch (IOException | RuntimeException e) {
            LOG.error("WAL {} failed: {}", args.length > 0 ? args[0] : "command", e.getMessage());
            return args.length > 0 && args[0].equals("fetch") ? FETCH_FAILED : 2;
        }
    }

    /** Builds a {@link WalArchive}. Not thread-safe. */
    public static final class Builder {
        private StorageTarget repository;
        private String source;
        private Compression compression = Compression.zstd();
        private Encryption encryption;
        private Clock clock = Clock.systemUTC();
        private Path tempDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private final ConfigurationProblems problems = ConfigurationProblems.of("WAL archive");

        private Builder() {
        }

        /** The repository (not closed by the archive). Required. */
        public Builder repository(StorageTarget repository) {
            problems.once("repository");
            this.repository = Objects.requireNonNull(repository, "repository");
            return this;
        }

        /** The source name (the server's name in the repository, e.g. {@code postgres}). Required. */
        public Builder source(String source) {
            problems.once("source");
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Compression of new files; default zstd. Fetch decodes what each record says. */
        public Builder compression(Compression compression) {
            problems.once("compression");
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        /** Encryption (age recipients to push; an identity to fetch). Required; {@code Encryption.none()} only explicitly. */
        public Builder encryption(Encryption encryption) {
            problems.once("encryption");
            this.encryption = Objects.requireNonNull(encryption, "encryption");
            return this;
        }

        /** Wall clock for archive times and lag; default UTC system clock. */
        public Builder clock(Clock clock) {
            problems.once("clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where pushes stage their compressed, encrypted copy (one segment at a time, 0600); default java.io.tmpdir. */
        public Builder tempDirectory(Path dir) {
            problems.once("tempDirectory");
            this.tempDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** @throws BackupException {@code INVALID_CONFIGURATION} naming every missing or invalid setting */
        public WalArchive build() {
            problems.check(repository != null, "repository is required: call repository(..)");
            problems.check(encryption != null, "encryption is required (Codecs.noEncryption() to opt out explicitly)");
            problems.check(SourceNames.isValid(source), "source name '" + source + "' is invalid ("
                    + SourceNames.class.getSimpleName() + " rules)");
            problems.throwIfAny();
            return new WalArchive(this);
        }
    }
}
