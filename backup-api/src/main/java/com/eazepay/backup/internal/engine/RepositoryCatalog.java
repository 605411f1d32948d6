package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.internal.BackupIds;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the repository holds, read from storage (the source of truth): manifests, selection of one
 * backup, pins and legal holds, verification reports, and the {@code repository.json} bootstrap.
 *
 * <p>Selection never reads every manifest: backup ids sort by start time, so the listing alone
 * orders the candidates, and manifests are read newest first until one matches ({@code latest()}
 * reads one). Thread-safe.
 */
public final class RepositoryCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryCatalog.class);
    private static final Pattern VERIFY_REPORT = Pattern.compile("(" + BackupIds.REGEX + ")-(\\d{8}T\\d{6}(?:\\.\\d{3})?Z)\\.json");
    private static final DateTimeFormatter REPORT_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final EngineConfig config;
    private final StorageTarget repository;
    private final AtomicBoolean repositoryChecked = new AtomicBoolean();

    public RepositoryCatalog(EngineConfig config) {
        this.config = config;
        this.repository = config.repository();
    }

    // ------------------------------------------------------------------ manifests and selection

    /**
     * Committed backups of a source matching {@code filter}, oldest first (by start time, then id).
     * Reads every manifest of the source.
     */
    public List<Manifest> list(String sourceName, BackupFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Keys.requireName("source name", sourceName);
        config.firstUse();
        List<Manifest> manifests = new ArrayList<>();
        for (String id : committedIds(repository, sourceName)) {
            Manifest m = readManifest(sourceName, id);
            if (filter.test(m)) {
                manifests.add(m);
            }
        }
        // by start time first: ids of earlier versions have second resolution, and two formats mix in old repositories
        manifests.sort(Comparator.comparing(Manifest::startedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Manifest::id));
        return manifests;
    }

    /**
     * The newest committed backup of a source meeting {@code selection}, reading manifests newest
     * first and stopping at the first match.
     *
     * @throws BackupException {@code NOT_FOUND} if none matches (or the chosen id is not committed)
     */
    public Manifest select(String sourceName, Selection selection) {
        return select(repository, sourceName, selection);
    }

    /** As {@link #select(String, Selection)}, on {@code target} (a replica, when the repository is unreachable). */
    public Manifest select(StorageTarget target, String sourceName, Selection selection) {
        Optional<String> id = selection.byId();
        if (id.isPresent()) {
            return readManifest(target, sourceName, id.get());
        }
        return newest(target, sourceName, selection).orElseThrow(() -> new BackupException(CoreErrorCode.NOT_FOUND,
                "no committed backup of '" + sourceName + "' in " + target.describe() + " matches "
                        + selection.describeCriteria()));
    }

    /** The newest committed backup of a source meeting {@code selection}, if any (newest first, early stop). */
    public Optional<Manifest> newest(String sourceName, Selection selection) {
        return newest(repository, sourceName, selection);
    }

    /** As {@link #newest(String, Selection)}, on {@code target}. */
    public Optional<Manifest> newest(StorageTarget target, String sourceName, Selection selection) {
        Keys.requireName("source name", sourceName);
        // ids of earlier versions carry whole seconds: order candidates by the second of their id, and read
        // every manifest of one second before choosing within it, so both id formats sort exactly as list() does
        TreeMap<Instant, List<String>> bySecond = new TreeMap<>(Comparator.reverseOrder());
        Set<String> quarantined = markerIds(target, RepositoryLayout.QUARANTINE, sourceName); // breach drills: evidence only
        for (String id : committedIds(target, sourceName)) {
            if (quarantined.contains(id)) {
                continue;
            }
            Instant t = BackupIds.time(id).orElseThrow().truncatedTo(ChronoUnit.SECONDS);
            bySecond.computeIfAbsent(t, k -> new ArrayList<>()).add(id);
        }
        Optional<Instant> notBefore = selection.setId().flatMap(RepositoryCatalog::setTime);
        for (Map.Entry<Instant, List<String>> second : bySecond.entrySet()) {
            if (notBefore.isPresent() && second.getKey().isBefore(notBefore.get())) {
                break; // a set's backups start after the set id was made
            }
            List<Manifest> group = new ArrayList<>();
            for (String id : second.getValue()) {
                group.add(readManifest(target, sourceName, id));
            }
            group.sort(Comparator.comparing(Manifest::startedAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(Manifest::id).reversed());
            for (Manifest m : group) {
                if (selection.matches(m)) {
                    return Optional.of(m);
                }
            }
        }
        return Optional.empty();
    }

    /** The start of a set id {@code set-<backup id>}, truncated to the second, if it has that form. */
    private static Optional<Instant> setTime(String setId) {
        return setId.startsWith("set-") ? BackupIds.time(setId.substring(4)).map(t -> t.truncatedTo(ChronoUnit.SECONDS))
                : Optional.empty();
    }

    /** Ids of the committed backups of a source on {@code target}, from one listing (no manifest read). */
    public List<String> committedIds(StorageTarget target, String sourceName) {
        List<String> ids = new ArrayList<>();
        for (ObjectInfo o : target.listAll(sourceName + "/")) {
            String id = RepositoryLayout.backupIdOfManifestKey(sourceName, o.key());
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /**
     * Names of the sources that have at least one committed backup in the repository, sorted.
     * Lists the whole repository once.
     */
    public Set<String> sourcesInRepository() {
        return sourcesIn(repository);
    }

    /** As {@link #sourcesInRepository()}, on {@code target}. */
    public Set<String> sourcesIn(StorageTarget target) {
        Set<String> names = new java.util.TreeSet<>();
        for (ObjectInfo o : target.listAll("")) {
            int slash = o.key().indexOf('/');
            if (slash > 0 && o.key().endsWith("/manifest.json")) {
                String name = o.key().substring(0, slash);
                if (!SourceNames.RESERVED.contains(name) && RepositoryLayout.backupIdOfManifestKey(name, o.key()) != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    public Manifest readManifest(String sourceName, String backupId) {
        return readManifest(repository, sourceName, backupId);
    }

    /**
     * @throws BackupException {@code NOT_FOUND} if not committed; {@code CORRUPT_DATA} if unreadable or
     *                         describing another backup; {@code VERSION_MISMATCH} if written by a newer format
     */
    public Manifest readManifest(StorageTarget storage, String sourceName, String backupId) {
        String key = RepositoryLayout.manifestKey(sourceName, backupId);
        Manifest m;
        try (InputStream in = storage.get(key)) {
            m = Json.read(in, Manifest.class, key);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
        }
        if (m.formatVersion() > Manifest.FORMAT_VERSION) {
            throw new BackupException(CoreErrorCode.VERSION_MISMATCH, key + " has manifest format " + m.formatVersion()
                    + " but this library (" + EngineConfig.LIBRARY_VERSION + ") reads up to " + Manifest.FORMAT_VERSION
                    + ": upgrade com.eazepay.backup");
        }
        if (!sourceName.equals(m.source()) || !backupId.equals(m.id())) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, key + " describes backup " + m.id() + " of '" + m.source()
                    + "': it was moved or edited by hand");
        }
        return m;
    }

    // ------------------------------------------------------------------ markers: pins and holds

    /**
     * Writes ({@code set}) or deletes a marker on the repository (failures thrown) and every replica
     * (failures logged at WARN). Setting needs a committed backup.
     */
    public void setMarker(String sourceName, String backupId, String key, String what, boolean set) {
        config.checkOpen();
        Keys.requireName("source name", sourceName);
        Objects.requireNonNull(backupId, "backupId");
        if (!BackupIds.isValid(backupId)) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "'" + backupId + "' is not a backup id (like 20261124T020000.123Z-k3f9qa)");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        if (set) {
            readManifest(sourceName, backupId); // NOT_FOUND unless committed
            doc.put("source", sourceName);
            doc.put("backupId", backupId);
            doc.put("kind", what);
            doc.put("at", config.clock().instant().toString());
        }
        for (StorageTarget t : config.allTargets()) {
            try {
                if (set) {
                    putJson(t, key, doc);
                } else {
                    t.delete(key);
                }
            } catch (BackupException e) {
                if (t == repository) {
                    throw e;
                }
                LOG.warn("{} {} of backup {} of '{}' on replica {} failed ({}): {}; the repository's marker still applies",
                        set ? "setting" : "removing", what, backupId, sourceName, t.describe(), e.errorCode().name(), e.getMessage());
            }
        }
        LOG.info("{} {} backup {} of '{}'", what, set ? "set on" : "removed from", backupId, sourceName);
    }

    /** The store's own hold (S3 Object Lock legal hold, GCS temporary hold) on every object of the backup, where supported. */
    public void storageLegalHolds(String sourceName, String backupId, boolean hold) {
        config.checkOpen();
        for (StorageTarget t : config.allTargets()) {
            try {
                Manifest m = readManifest(t, sourceName, backupId);
                List<String> keys = new ArrayList<>();
                for (Manifest.StreamInfo s : m.streams()) {
                    keys.add(RepositoryLayout.streamKey(sourceName, backupId, s.object()));
                }
                keys.add(RepositoryLayout.manifestKey(sourceName, backupId));
                int held = 0;
                for (String k : keys) {
                    held += t.legalHold(k, hold) ? 1 : 0;
                }
                if (held > 0) {
                    LOG.info("storage legal hold {} {} object(s) of backup {} of '{}' on {}", hold ? "placed on" : "lifted from",
                            held, backupId, sourceName, t.describe());
                }
            } catch (BackupException e) {
                if (t == repository && !(e.errorCode() == CoreErrorCode.NOT_FOUND && !hold)) {
                    throw e;
                }
                LOG.warn("{} the storage legal hold of backup {} of '{}' on {} failed ({}): {}", hold ? "placing" : "lifting",
                        backupId, sourceName, t.describe(), e.errorCode().name(), e.getMessage());
            }
        }
    }

    /** Ids of the backups of {@code sourceName} with a marker of {@code kind} ({@code pins}, {@code holds}) on {@code target}. */
    public Set<String> markerIds(StorageTarget target, String kind, String sourceName) {
        String prefix = kind + "/" + sourceName + "/";
        Set<String> ids = new HashSet<>();
        for (ObjectInfo o : target.listAll(prefix)) {
            String id = RepositoryLayout.backupIdOfMarkerKey(prefix, o.key());
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ verification reports

    /**
     * Writes {@code reports/verify/{source}-{backupId}-{time}.json}. A failure to write it is
     * logged and never fails the verification or restore it records.
     */
    public void writeVerifyReport(Manifest m, String check, boolean passed, String detail) {
        Instant at = config.clock().instant();
        String key = RepositoryLayout.verifyReportKey(m.source(), m.id(), REPORT_TIME.format(at));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("source", m.source());
        doc.put("backupId", m.id());
        doc.put("check", check);
        doc.put("passed", passed);
        doc.put("at", at.toString());
        doc.put("detail", detail.length() > 4000 ? detail.substring(0, 4000) + "..." : detail);
        try {
            putJson(repository, key, doc);
        } catch (BackupException e) {
            LOG.warn("writing verification report {} to {} failed ({}): {}; retention will not count this result", key,
                    repository.describe(), e.errorCode().name(), e.getMessage());
        }
    }

    /**
     * Per backup id of {@code sourceName}, the keys of its verification reports, oldest first
     * (keys sort by time). Read from the repository.
     */
    public Map<String, List<String>> verifyReports(String sourceName) {
        String prefix = RepositoryLayout.VERIFY_REPORTS + sourceName + "-";
        Map<String, List<String>> byId = new HashMap<>();
        for (ObjectInfo o : repository.listAll(prefix)) {
            Matcher matcher = VERIFY_REPORT.matcher(o.key().substring(prefix.length()));
            if (matcher.matches()) {
                byId.computeIfAbsent(matcher.group(1), k -> new ArrayList<>()).add(o.key());
            }
        }
        return byId;
    }

    /** Whether the newest verification report of a backup passed (an unreadable report counts as not passed). */
    public boolean newestReportPassed(List<String> keys) {
        String key = keys.get(keys.size() - 1);
        try (InputStream in = repository.get(key)) {
            Object passed = Json.read(in, Map.class, repository.describe() + "/" + key).get("passed");
            return Boolean.TRUE.equals(passed);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
        } catch (BackupException e) {
            if (e.errorCode() == CoreErrorCode.CORRUPT_DATA || e.errorCode() == CoreErrorCode.NOT_FOUND) {
                LOG.warn("verification report {} is unreadable ({}): not counted", key, e.getMessage());
                return false;
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ bootstrap

    /**
     * Creates {@code repository.json} on first use, or checks that the existing one is of a format
     * this library reads ({@code VERSION_MISMATCH} otherwise). Checked once per engine.
     */
    public void ensureRepository() {
        if (repositoryChecked.get()) {
            return;
        }
        String key = RepositoryLayout.REPOSITORY_FILE;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", "eazepay-backup");
        doc.put("formatVersion", Manifest.FORMAT_VERSION);
        doc.put("createdAt", config.clock().instant().toString());
        doc.put("createdBy", "com.eazepay.backup " + EngineConfig.LIBRARY_VERSION);
        byte[] json = Json.write(doc);
        if (!repository.putIfAbsent(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length))) {
            Map<?, ?> existing;
            try (InputStream in = repository.get(key)) {
                existing = Json.read(in, Map.class, repository.describe() + "/" + key);
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading " + key + " failed: " + e, e);
            }
            Object version = existing.get("formatVersion");
            if (!(version instanceof Number v) || v.intValue() > Manifest.FORMAT_VERSION) {
                throw new BackupException(CoreErrorCode.VERSION_MISMATCH, "repository " + repository.describe() + " has format "
                        + version + " but this library reads up to " + Manifest.FORMAT_VERSION + ": upgrade com.eazepay.backup");
            }
        }
        repositoryChecked.set(true);
    }

    private static void putJson(StorageTarget target, String key, Object doc) {
        byte[] json = Json.write(doc);
        target.put(key, new ByteArrayInputStream(json), PutOptions.defaults().withContentLength(json.length)
                .withContentType("application/json"));
    }
}
