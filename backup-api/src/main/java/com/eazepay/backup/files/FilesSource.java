package com.eazepay.backup.files;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.BackupListener;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.internal.files.TarReader;
import com.eazepay.backup.internal.files.TarWriter;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backs up directories and single files (application config, env files, TLS certificates and keys)
 * as one POSIX tar stream ({@code files.tar}) keeping relative paths, permissions, modification
 * times and symbolic links. Restores into a {@link FilesTarget}.
 *
 * <p>Each configured path becomes a top-level entry named after its last component
 * ({@code /etc/payments} → {@code payments/...}; {@code /run/secrets/app.env} → {@code app.env});
 * two paths with the same last component are rejected at build time.
 *
 * <p>The source is {@linkplain #sensitive() sensitive} when marked so, or when it contains env
 * files ({@code .env}, {@code *.env}) or private keys ({@code *.key}, {@code *.p12}, {@code *.pfx},
 * {@code *.jks}, {@code id_rsa*}, or a {@code .pem} holding {@code PRIVATE KEY}): such data is
 * then never stored unencrypted unless the engine explicitly allows it.
 *
 * <p>Presets: {@link #envFiles(String, Path...)} (always sensitive) and {@link #certificates(String, Path)}
 * (certificate subjects, issuers, SANs, serials and validity recorded in the manifest fact
 * {@code certificates}; expiring ones logged at WARN and raised as
 * {@link com.eazepay.backup.BackupEvent.CertificateExpiring} to the engine's listeners through
 * {@link BackupContext#publish}; private keys
 * found by content make the source sensitive).
 *
 * <p>Restore with standard tools: {@code age -d -i key.txt files.tar.zst.age | zstd -d | tar -x -C /target}.
 */
public final class FilesSource implements BackupSource {

    private static final Pattern SENSITIVE_NAME = Pattern.compile(
            "(?i)(^\\.env(\\..*)?$|.*\\.env$|.*\\.key$|.*\\.p12$|.*\\.pfx$|.*\\.jks$|^id_(rsa|ecdsa|ed25519)(?!\\.pub).*)");

    private final String name;
    private final List<Path> paths;
    private final boolean markedSensitive;
    private final boolean inspectCertificates;
    private final java.time.Duration expiryWarning;

    /** Default warning window of {@link #certificates(String, Path)}: 30 days. */
    public static final java.time.Duration DEFAULT_EXPIRY_WARNING = java.time.Duration.ofDays(30);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FilesSource.class);

    private FilesSource(Builder b) {
        this.name = b.name;
        this.paths = List.copyOf(b.paths);
        this.markedSensitive = b.sensitive;
        this.inspectCertificates = b.inspectCertificates;
        this.expiryWarning = b.expiryWarning;
    }

    /** Starts a files source named {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Environment files ({@code .env}, {@code app.env}, or any name): always {@linkplain #sensitive()
     * sensitive}, so they are never stored unencrypted unless the engine explicitly allows it.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if no path is given or two share a file name
     */
    public static FilesSource envFiles(String name, Path... paths) {
        Builder b = builder(name).sensitive();
        for (Path p : paths) {
            b.file(p);
        }
        return b.build();
    }

    /**
     * A directory of TLS certificates (and possibly their keys), with each certificate's subject,
     * issuer, subject alternative names, serial and validity recorded in the manifest (fact
     * {@code certificates}); PEM (several per file: chains) and DER. A certificate that expires
     * within 30 days is logged at WARN and raised as a {@link com.eazepay.backup.BackupEvent.CertificateExpiring}
     * to the engine's listeners (those given to the engine builder); private keys make the source sensitive.
     * For another window: {@code builder(name).directory(dir).inspectCertificates().expiryWarning(..)}.
     */
    public static FilesSource certificates(String name, Path directory) {
        return builder(name).directory(directory).inspectCertificates().build();
    }

    /** Whether certificates are inspected and recorded in the manifest. */
    public boolean inspectsCertificates() {
        return inspectCertificates;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "files";
    }

    /** The configured paths. */
    public List<Path> paths() {
        return paths;
    }

    @Override
    public boolean sensitive() {
        return markedSensitive || paths.stream().anyMatch(FilesSource::containsSensitiveFiles)
                || (inspectCertificates && containsPrivateKeys());
    }

    private boolean containsPrivateKeys() {
        try {
            return !com.eazepay.backup.internal.files.CertificateInspector.inspect(
                    paths.stream().filter(p -> Files.exists(p)).toList()).privateKeyFiles().isEmpty();
        } catch (IOException | java.io.UncheckedIOException e) {
            return true; // cannot tell: err on the side of encryption
        }
    }

    private static boolean containsSensitiveFiles(Path root) {
        if (!Files.exists(root)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).anyMatch(FilesSource::isSensitiveFile);
        } catch (IOException | java.io.UncheckedIOException e) {
            return true; // cannot tell: err on the side of encryption
        }
    }

    static boolean isSensitiveFile(Path file) {
        String fileName = file.getFileName().toString();
        if (SENSITIVE_NAME.matcher(fileName).matches()) {
            return true;
        }
        if (fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".pem")) {
            try (InputStream in = Files.newInputStream(file)) {
                String head = new String(in.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.US_ASCII);
                return head.contains("PRIVATE KEY");
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void backup(BackupContext context) {
        for (Path p : paths) {
            if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "files source '" + name + "': path " + p
                        + " does not exist; fix the path or remove it from the source");
            }
            if (!Files.isReadable(p)) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "files source '" + name + "': path " + p
                        + " is not readable by this process (user " + System.getProperty("user.name") + "); fix its permissions");
            }
        }
        TarWriter.Stats stats;
        try (OutputStream out = context.newStream("files", "tar")) {
            stats = TarWriter.write(paths, out);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "files source '" + name + "': " + e.getMessage(), e);
        }
        context.fact("files", stats.files());
        context.fact("directories", stats.directories());
        context.fact("symlinks", stats.symlinks());
        context.fact("bytes", stats.bytes());
        context.fact("paths", paths.stream().map(Path::toString).toList());
        if (inspectCertificates) {
            recordCertificates(context);
        }
    }

    private void recordCertificates(BackupContext context) {
        com.eazepay.backup.internal.files.CertificateInspector.Result found;
        try {
            found = com.eazepay.backup.internal.files.CertificateInspector.inspect(paths);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "files source '" + name + "': reading certificates failed: "
                    + e.getMessage(), e);
        }
        java.time.Instant now = context.clock().instant();
        java.time.Instant warnBefore = now.plus(expiryWarning);
        List<Map<String, Object>> certs = new ArrayList<>();
        int expiring = 0;
        for (var c : found.certificates()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", c.file());
            m.put("position", c.position());
            m.put("subject", c.subject());
            m.put("issuer", c.issuer());
            m.put("subjectAlternativeNames", c.subjectAlternativeNames());
            m.put("serial", c.serial());
            m.put("notBefore", c.notBefore().toString());
            m.put("notAfter", c.notAfter().toString());
            certs.add(m);
            if (c.notAfter().isBefore(warnBefore)) {
                expiring++;
                LOG.warn("files source '{}': certificate {} ({}, serial {}) {} at {}", name, c.file(), c.subject(), c.serial(),
                        c.notAfter().isBefore(now) ? "expired" : "expires", c.notAfter());
                var event = new com.eazepay.backup.BackupEvent.CertificateExpiring(name, c.file(), c.subject(), c.serial(),
                        c.notAfter(), now);
                context.publish(event); // to the engine's listeners
            }
        }
        context.fact("certificates", certs);
        context.fact("certificateCount", certs.size());
        context.fact("certificatesExpiringSoon", expiring);
        context.fact("certificateExpiryWarningDays", expiryWarning.toDays());
        context.fact("privateKeyFiles", found.privateKeyFiles());
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof FilesTarget files)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "files source '" + name
                    + "' restores into a FilesTarget (FilesTarget.directory(path)), not " + target.describe());
        }
        TarReader.Stats stats;
        try (InputStream in = context.openStream("files")) {
            stats = TarReader.extract(in, files.directory(), files.overwrites());
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "restoring '" + name + "' into " + files.directory()
                    + " failed: " + e.getMessage(), e);
        }
        context.checksStarted();
        List<CheckResult> checks = new ArrayList<>();
        Object expectedFiles = context.manifest().facts().get("files");
        if (expectedFiles instanceof Number n) {
            checks.add(n.longValue() == stats.files()
                    ? CheckResult.passed("files restored", "expected " + n + ", restored " + stats.files())
                    : CheckResult.failed("files restored", "expected " + n + ", restored " + stats.files()));
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("files", stats.files());
        facts.put("directories", stats.directories());
        facts.put("bytes", stats.bytes());
        return new RestoreOutcome(files.directory().toString(), checks, facts);
    }

    /** Scratch directories of restore tests are made under the JVM's temporary directory with this name prefix. */
    public static final String SCRATCH_PREFIX = com.eazepay.backup.spi.ScratchTargets.DIRECTORY_PREFIX;

    /**
     * A directory {@code eazepay-restoretest_<id>} under {@code java.io.tmpdir}, created by the restore and deleted
     * with everything in it by {@link com.eazepay.backup.spi.ScratchTarget#drop()}. A source backing up exactly one
     * directory can swap it into place (a corruption drill with {@code swap()}, see {@code swapIntoPlace}); others
     * cannot (several paths or single files are not swapped all or nothing).
     */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.ScratchTarget> scratchTarget(String testId) {
        Path dir = com.eazepay.backup.spi.ScratchTargets.directory(testId);
        // one path that is not a file: a directory, or one the corruption removed altogether
        com.eazepay.backup.spi.ScratchSwap swap = paths.size() == 1 && !Files.isRegularFile(paths.get(0), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? backup -> swapIntoPlace(dir, backup) : null;
        return java.util.Optional.of(com.eazepay.backup.spi.ScratchTargets.of(() -> FilesTarget.directory(dir), dir.toString(),
                this::dropScratch, swap));
    }

    /**
     * A corruption drill's swap, for a source backing up one directory: the live directory is renamed aside to
     * {@code <dir>.before-<backupId>} (kept) and the restored one is moved in, each an atomic rename on the same file
     * system; if the second rename fails, the first is undone. The scratch directory must be on the live directory's
     * file system ({@code java.io.tmpdir}), else nothing is touched.
     */
    private com.eazepay.backup.spi.ScratchSwap.Result swapIntoPlace(Path scratch, com.eazepay.backup.Manifest backup) {
        Path live = paths.get(0);
        Path restored = scratch.resolve(live.getFileName().toString());
        Path before = live.resolveSibling(live.getFileName() + ".before-" + backup.id());
        String untouched = ": " + live + " was not touched";
        if (!Files.isDirectory(restored, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "the scratch restore " + scratch + " has no directory "
                    + live.getFileName() + untouched);
        }
        if (Files.exists(before, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BackupException(CoreErrorCode.ALREADY_EXISTS, before + " exists (an earlier swap of backup " + backup.id()
                    + "?): move it away first" + untouched);
        }
        boolean liveExists = Files.exists(live, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        try {
            if (!Files.getFileStore(restored).equals(Files.getFileStore(liveExists ? live : live.getParent()))) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "the scratch directory " + scratch
                        + " is on another file system than " + live + ", so it cannot be renamed into place atomically: run"
                        + " the drill with -Djava.io.tmpdir on that file system, or restore into it by hand" + untouched);
            }
            if (liveExists) {
                Files.move(live, before, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "renaming " + live + " to " + before + " failed: " + e
                    + untouched, e);
        }
        try {
            Files.move(restored, live, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                if (liveExists) {
                    Files.move(before, live, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException undo) {
                e.addSuppressed(undo);
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "moving the restored " + restored + " to " + live
                        + " failed (" + e + ") and renaming " + before + " back failed too: the previous data is in " + before
                        + ", the restored data in " + restored + "; rename by hand", e);
            }
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "moving the restored " + restored + " to " + live
                    + " failed: " + e + untouched, e);
        }
        LOG.info("swapped the restored backup {} of '{}' into {}; previous directory kept as {}", backup.id(), name, live,
                liveExists ? before : "(none)");
        return new com.eazepay.backup.spi.ScratchSwap.Result(live.toString(),
                liveExists ? before.toString() : "nothing (" + live + " did not exist)");
    }

    /**
     * Deletes a scratch directory named in a cleanup journal; refuses (leaves alone, logging it) any path
     * that is not an {@value #SCRATCH_PREFIX} directory, since the journal comes from the repository.
     */
    @Override
    public void dropScratch(String resource) {
        com.eazepay.backup.spi.ScratchTargets.deleteDirectory(resource);
    }

    /** The tar walk: headers, entry types and paths as a restore judges them, sizes, the file count (see {@link #tarValidator()}). */
    @Override
    public java.util.Optional<com.eazepay.backup.spi.StreamValidator> validator() {
        return java.util.Optional.of(tarValidator());
    }

    /**
     * The validator of {@code files} streams: walks the tar without extracting (every header and its checksum,
     * entry types and paths as a restore judges them, every entry's bytes) and compares the file count with the
     * manifest's {@code files} fact. Used by {@code engine.verify(..).integrity()}.
     */
    public static com.eazepay.backup.spi.StreamValidator tarValidator() {
        return (streamName, plaintext, manifest) -> {
            if (!manifest.stream(streamName).map(s -> s.object().startsWith(streamName + ".tar")).orElse(false)) {
                return List.of();
            }
            com.eazepay.backup.spi.ValidatorInput in = new com.eazepay.backup.spi.ValidatorInput(plaintext);
            TarReader.Stats stats;
            try {
                stats = TarReader.walk(in);
            } catch (IOException | RuntimeException e) {
                if (in.raised(e)) {
                    throw e instanceof RuntimeException re ? re : new java.io.UncheckedIOException((IOException) e);
                }
                String code = e instanceof BackupException be ? be.errorCode().name() + ": " : "";
                return List.of(CheckResult.failed("tar walk", code + e.getMessage()));
            }
            List<CheckResult> results = new ArrayList<>();
            results.add(CheckResult.passed("tar walk", stats.files() + " files, " + stats.directories() + " directories, "
                    + stats.bytes() + " bytes"));
            Object expected = manifest.facts().get("files");
            if (expected instanceof Number n) {
                results.add(n.longValue() == stats.files() ? CheckResult.passed("files", "expected " + n + ", found " + stats.files())
                        : CheckResult.failed("files", "expected " + n + ", found " + stats.files()));
            }
            return results;
        };
    }

    @Override
    public String toString() {
        return "FilesSource[" + name + ", " + paths + "]";
    }

    /** Builds a {@link FilesSource}. */
    public static final class Builder {
        private final String name;
        private final List<Path> paths = new ArrayList<>();
        private boolean sensitive;
        private boolean inspectCertificates;
        private java.time.Duration expiryWarning = DEFAULT_EXPIRY_WARNING;

        private Builder(String name) {
            this.name = SourceNames.requireValid(name);
        }

        /** Adds a directory, backed up recursively. */
        public Builder directory(Path directory) {
            paths.add(Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize());
            return this;
        }

        /** Adds a single file (an env file, a certificate, a key). */
        public Builder file(Path file) {
            paths.add(Objects.requireNonNull(file, "file").toAbsolutePath().normalize());
            return this;
        }

        /** Marks the source sensitive even if no file looks like a secret. Default: detected from file names. */
        public Builder sensitive() {
            this.sensitive = true;
            return this;
        }

        /**
         * Records every certificate found (PEM, chains, DER) in the manifest, warns about those
         * expiring soon, and treats private keys (PEM or DER PKCS#8, any file name) as sensitive.
         */
        public Builder inspectCertificates() {
            this.inspectCertificates = true;
            return this;
        }

        /** Warning window for {@link #inspectCertificates()} (default 30 days); {@code Duration.ZERO} warns only about expired ones. */
        public Builder expiryWarning(java.time.Duration window) {
            if (window == null || window.isNegative()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "files source '" + name
                        + "': the expiry warning window must be zero or positive, not " + window);
            }
            this.expiryWarning = window;
            return this;
        }

        /**
         * @throws BackupException {@code INVALID_CONFIGURATION} if no path was added or two paths share a last component
         */
        public FilesSource build() {
            if (paths.isEmpty()) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "files source '" + name
                        + "' has no paths: call directory(..) or file(..)");
            }
            Map<String, Path> byName = new LinkedHashMap<>();
            for (Path p : paths) {
                if (p.getFileName() == null) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "files source '" + name
                            + "': cannot back up the filesystem root " + p);
                }
                Path other = byName.put(p.getFileName().toString(), p);
                if (other != null) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "files source '" + name + "': " + other
                            + " and " + p + " would both be stored as '" + p.getFileName() + "'; use two sources");
                }
            }
            return new FilesSource(this);
        }
    }
}
