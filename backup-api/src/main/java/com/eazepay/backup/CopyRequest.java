package com.eazepay.backup;

import com.eazepay.backup.internal.CopyOperation;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.spi.StorageTarget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An off-site copy of committed backups to another storage target (a mounted disk, another bucket):
 * the stored objects are copied as they are (already compressed and encrypted, so the target never
 * sees plaintext and needs no key), each verified against the manifest's SHA-256 while it is copied,
 * and the manifest is written last, so a backup is complete on the target once it is listed there.
 * Idempotent and resumable: objects already on the target with the right size and SHA-256 are
 * skipped. The record of what was copied is returned and stored under {@code reports/copy/} in the
 * source repository.
 *
 * <pre>{@code
 * CopyReport r = engine.copy().to(FileSystemStorage.at(Path.of("/mnt/offsite")))
 *         .select(CopySelection.monthlyLatest()).run().orThrow();
 * }</pre>
 *
 * Not thread-safe; one per copy.
 */
public final class CopyRequest {

    private final BackupEngine engine;
    private final StorageTarget repository;
    private StorageTarget target;
    private final List<String> sources = new ArrayList<>();
    private final Map<String, CopySelection> perSource = new LinkedHashMap<>();
    private CopySelection selection;

    CopyRequest(BackupEngine engine, StorageTarget repository) {
        this.engine = engine;
        this.repository = repository;
    }

    /** The target to copy to. Required. It must not be the repository itself. */
    public CopyRequest to(StorageTarget target) {
        if (this.target != null) {
            throw new IllegalStateException("to(..) was already set");
        }
        this.target = Objects.requireNonNull(target, "target");
        return this;
    }

    /** Copy only these sources. Default: every configured source. */
    public CopyRequest sources(String... names) {
        for (String n : names) {
            sources.add(Keys.requireName("source name", n));
        }
        return this;
    }

    /** Which backups to copy for every source without its own selection. Default {@link CopySelection#all()}. */
    public CopyRequest select(CopySelection selection) {
        if (this.selection != null) {
            throw new IllegalStateException("select(..) was already set");
        }
        this.selection = Objects.requireNonNull(selection, "selection");
        return this;
    }

    /** Which backups to copy for one source (overrides {@link #select(CopySelection)} for it). */
    public CopyRequest select(String sourceName, CopySelection selection) {
        Keys.requireName("source name", sourceName);
        if (perSource.putIfAbsent(sourceName, Objects.requireNonNull(selection, "selection")) != null) {
            throw new IllegalStateException("select(\"" + sourceName + "\", ..) was already set");
        }
        return this;
    }

    /**
     * Copies. A backup that cannot be copied is reported as {@link CopyReport.Status#FAILED} and the
     * others are still copied; call {@link CopyReport#orThrow()} to fail on any.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} without a target or naming an unknown source;
     *                         storage codes if the repository cannot be listed
     */
    public CopyReport run() {
        if (target == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "copy needs a target: call to(storage)");
        }
        if (target == repository || target.describe().equals(repository.describe())) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "copy target " + target.describe()
                    + " is the repository itself: choose another disk or bucket");
        }
        List<String> names = sources.isEmpty() ? new ArrayList<>(engine.sourceNames()) : sources;
        for (String n : names) {
            if (!engine.sourceNames().contains(n)) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "no source named '" + n + "'; configured sources: "
                        + engine.sourceNames());
            }
        }
        CopySelection defaultSelection = selection == null ? CopySelection.all() : selection;
        Map<String, List<Manifest>> selected = new LinkedHashMap<>();
        StringBuilder description = new StringBuilder(defaultSelection.toString());
        for (String n : names) {
            CopySelection s = perSource.getOrDefault(n, defaultSelection);
            if (perSource.containsKey(n)) {
                description.append("; ").append(n).append(": ").append(s);
            }
            selected.put(n, s.apply(engine.list(n)));
        }
        return new CopyOperation(repository, target, engine.clock()).run(selected, description.toString());
    }
}
