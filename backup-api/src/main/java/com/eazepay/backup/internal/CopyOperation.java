package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CopyReport;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.io.VerifyingInputStream;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The work of {@link com.eazepay.backup.CopyRequest}: copies committed backups object by object from
 * the repository to a target, verifying each object's size and SHA-256 against the manifest while it
 * streams (a mismatch fails the put, so a corrupt copy is never stored), then writes the manifest last.
 * An object already on the target with the manifest's size and SHA-256 (read back) is skipped, so a
 * copy that stopped half-way resumes. Finally writes {@code reports/copy/{time}.json} to the
 * repository. Memory is bounded by the storages' buffers; nothing is held per backup but its manifest.
 */
public final class CopyOperation {

    private static final Logger LOG = LoggerFactory.getLogger(CopyOperation.class);
    private static final DateTimeFormatter REPORT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** {@code reports/copy/}: where copy records go in the source repository. */
    public static final String COPY_REPORTS = RepositoryLayout.REPORTS + "/copy/";

    private final StorageTarget repository;
    private final StorageTarget target;
    private final Clock clock;

    public CopyOperation(StorageTarget repository, StorageTarget target, Clock clock) {
        this.repository = repository;
        this.target = target;
        this.clock = clock;
    }

    /** Copies the selected backups (per source, oldest first); never throws for one backup's failure. */
    public CopyReport run(Map<String, List<Manifest>> selected, String selection) {
        Instant startedAt = clock.instant();
        List<CopyReport.Entry> entries = new ArrayList<>();
        ensureRepositoryFile();
        for (Map.Entry<String, List<Manifest>> e : selected.entrySet()) {
            for (Manifest m : e.getValue()) {
                entries.add(copyBackup(m));
            }
        }
        Instant completedAt = clock.instant();
        String key = COPY_REPORTS + REPORT_TIME.format(completedAt) + ".json";
        CopyReport report = new CopyReport(target.describe(), selection, startedAt, completedAt, entries, key);
        if (!writeReport(report, key)) {
            report = new CopyReport(target.describe(), selection, startedAt, completedAt, entries, null);
        }
        LOG.info("copy to {}: {} copied, {} already there, {} failed, {} bytes", target.describe(),
                report.with(CopyReport.Status.COPIED).size(), report.with(CopyReport.Status.SKIPPED).size(),
                report.with(CopyReport.Status.FAILED).size(), report.bytesCopied());
        return report;
    }

    /** The target gets the repository's {@code repository.json} (format version) if it has none. */
    private void ensureRepositoryFile() {
        byte[] doc;
        try (InputStream in = repository.get(RepositoryLayout.REPOSITORY_FILE)) {
            doc = in.readAllBytes(); // a few hundred bytes of JSON, not backup data
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + RepositoryLayout.REPOSITORY_FILE + " of "
                    + repository.describe() + " failed: " + e, e);
        } catch (BackupException e) {
            if (e.errorCode() == CoreErrorCode.NOT_FOUND) {
                return; // an empty repository: nothing to copy either
            }
            throw e;
        }
        target.putIfAbsent(RepositoryLayout.REPOSITORY_FILE, new ByteArrayInputStream(doc),
                PutOptions.defaults().withContentLength(doc.length).withContentType("application/json"));
    }

    private CopyReport.Entry copyBackup(Manifest m) {
        int copied = 0;
        long bytes = 0;
        String step = "reading the manifest";
        try {
            String manifestKey = RepositoryLayout.manifestKey(m.source(), m.id());
            byte[] manifest;
            try (InputStream in = repository.get(manifestKey)) {
                manifest = in.readAllBytes(); // manifests are small JSON documents
            }
            for (Manifest.StreamInfo s : m.streams()) {
                String key = RepositoryLayout.streamKey(m.source(), m.id(), s.object());
                step = "checking " + key + " on the target";
                if (alreadyThere(key, s)) {
                    continue;
                }
                step = "copying " + key;
                try (InputStream in = new VerifyingInputStream(repository.get(key), key, s.storedSize(), s.sha256())) {
                    target.put(key, in, PutOptions.forData().withContentLength(s.storedSize()));
                }
                Optional<ObjectInfo> stored = target.stat(key);
                if (stored.isEmpty() || stored.get().size() != s.storedSize()) {
                    throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, key + " on " + target.describe() + " has "
                            + stored.map(o -> o.size() + " bytes").orElse("vanished") + " after the copy, expected "
                            + s.storedSize());
                }
                copied++;
                bytes += s.storedSize();
                LOG.debug("copied {} ({} bytes) to {}", key, s.storedSize(), target.describe());
            }
            step = "writing the manifest";
            if (copied == 0 && sameBytes(manifestKey, manifest)) {
                return new CopyReport.Entry(m.source(), m.id(), CopyReport.Status.SKIPPED, 0, 0, "");
            }
            // the manifest last: the commit point on the target too
            target.put(manifestKey, new ByteArrayInputStream(manifest),
                    PutOptions.defaults().withContentLength(manifest.length).withContentType("application/json"));
            return new CopyReport.Entry(m.source(), m.id(), CopyReport.Status.COPIED, copied, bytes, "");
        } catch (BackupException e) {
            LOG.warn("copy of backup {} of '{}' to {} failed while {} ({}): {}", m.id(), m.source(), target.describe(), step,
                    e.errorCode().name(), e.getMessage());
            return new CopyReport.Entry(m.source(), m.id(), CopyReport.Status.FAILED, copied, bytes,
                    e.errorCode().name() + " while " + step + ": " + e.getMessage());
        } catch (IOException e) {
            LOG.warn("copy of backup {} of '{}' to {} failed while {}: {}", m.id(), m.source(), target.describe(), step, e.toString());
            return new CopyReport.Entry(m.source(), m.id(), CopyReport.Status.FAILED, copied, bytes,
                    "STORAGE_UNAVAILABLE while " + step + ": " + e);
        }
    }

    /** Whether the target holds {@code key} with the manifest's size and SHA-256 (read back and hashed). */
    private boolean alreadyThere(String key, Manifest.StreamInfo s) throws IOException {
        Optional<ObjectInfo> info = target.stat(key);
        if (info.isEmpty() || info.get().size() != s.storedSize()) {
            return false;
        }
        boolean same;
        try (InputStream in = new VerifyingInputStream(target.get(key), key, s.storedSize(), s.sha256())) {
            in.transferTo(OutputStream.nullOutputStream());
            same = true;
        } catch (BackupException e) {
            if (e.errorCode() != CoreErrorCode.CHECKSUM_MISMATCH) {
                throw e;
            }
            same = false;
        }
        if (!same) {
            LOG.warn("{} on {} has the right size but not the manifest's SHA-256: copying it again", key, target.describe());
        }
        return same;
    }

    private boolean sameBytes(String key, byte[] expected) throws IOException {
        if (target.stat(key).isEmpty()) {
            return false;
        }
        try (InputStream in = target.get(key)) {
            return Arrays.equals(in.readAllBytes(), expected); // a manifest: small
        }
    }

    private boolean writeReport(CopyReport report, String key) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("target", report.target());
        doc.put("selection", report.selection());
        doc.put("startedAt", report.startedAt().toString());
        doc.put("completedAt", report.completedAt().toString());
        doc.put("complete", report.isComplete());
        doc.put("bytesCopied", report.bytesCopied());
        List<Map<String, Object>> backups = new ArrayList<>();
        for (CopyReport.Entry e : report.entries()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("source", e.source());
            b.put("backupId", e.backupId());
            b.put("status", e.status().name());
            b.put("objectsCopied", e.objectsCopied());
            b.put("bytesCopied", e.bytesCopied());
            if (!e.detail().isEmpty()) {
                b.put("detail", e.detail());
            }
            backups.add(b);
        }
        doc.put("backups", backups);
        byte[] json = Json.write(doc);
        try {
            repository.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                    .withContentType("application/json"));
            return true;
        } catch (BackupException e) {
            LOG.warn("writing the copy record {} to {} failed ({}): {}", key, repository.describe(), e.errorCode().name(),
                    e.getMessage());
            return false;
        }
    }

}
