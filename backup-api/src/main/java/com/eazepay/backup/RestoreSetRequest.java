package com.eazepay.backup;

import com.eazepay.backup.internal.engine.RestoreOperation;
import com.eazepay.backup.internal.engine.Selection;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A restore of every backup of one backup set ({@code engine.backupAll()}), each into the target
 * given for its source, one after the other in the order the sources were configured (then sources
 * known from their backups only, restored through their type's {@link com.eazepay.backup.spi.SourceProvider}):
 *
 * <pre>{@code
 * engine.restoreSet(setId)
 *       .into("postgres", PostgresTarget.newDatabase("payments_142"))
 *       .into("config", FilesTarget.directory(Path.of("/srv/config-142")))
 *       .checked().run().orThrow();
 * }</pre>
 *
 * Every backup of the set needs a target and every target a backup of the set; both are checked
 * before anything is restored. A failing restore does not stop the others; the result reports each
 * outcome ({@link RestoreSetResult#orThrow()}). Not thread-safe; use once.
 */
public final class RestoreSetRequest {

    private final RestoreOperation operation;
    private final Map<String, BackupSource> sources;
    private final String setId;
    private final Map<String, RestoreTarget> targets = new LinkedHashMap<>();
    private boolean checked;

    RestoreSetRequest(RestoreOperation operation, Map<String, BackupSource> sources, String setId) {
        this.operation = operation;
        this.sources = sources;
        this.setId = setId;
    }

    /**
     * Where to restore the set's backup of {@code sourceName}.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if that source already has a target
     */
    public RestoreSetRequest into(String sourceName, RestoreTarget target) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(target, "target");
        if (targets.putIfAbsent(sourceName, target) != null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of set " + setId + ": into(\"" + sourceName
                    + "\", ..) was already given");
        }
        return this;
    }

    /** Runs every source's post-restore checks; a failed check fails that source's restore ({@code CHECK_FAILED}). */
    public RestoreSetRequest checked() {
        this.checked = true;
        return this;
    }

    /**
     * Finds the set's backups (newest first, stopping at the set's start), checks that targets and
     * backups match, then restores each.
     *
     * @throws BackupException {@code NOT_FOUND} if no configured source has a backup in the set;
     *                         {@code INVALID_CONFIGURATION} if a backup of the set has no target or a target
     *                         names a source without a backup in the set (nothing restored)
     */
    public RestoreSetResult run() {
        Map<String, Manifest> members = new LinkedHashMap<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(sources.keySet());
        names.addAll(targets.keySet()); // a source known from its backups only (disaster recovery)
        for (String name : names) {
            Selection selection = new Selection("restore of set " + setId);
            selection.set(setId);
            operation.catalog().newest(name, selection).ifPresent(m -> members.put(name, m));
        }
        if (members.isEmpty()) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no backup of " + names + " belongs to set " + setId
                    + ": take the set id from BackupSetResult.setId() or a manifest's setId");
        }
        List<String> problems = new ArrayList<>();
        members.keySet().stream().filter(n -> !targets.containsKey(n))
                .forEach(n -> problems.add("backup " + members.get(n).id() + " of '" + n + "' has no target: call into(\"" + n + "\", ..)"));
        targets.keySet().stream().filter(n -> !members.containsKey(n))
                .forEach(n -> problems.add("into(\"" + n + "\", ..) names a source with no backup in the set (members: "
                        + members.keySet() + ")"));
        if (!problems.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore of set " + setId + ": " + String.join("; ", problems));
        }
        Map<String, RestoreResult> restored = new LinkedHashMap<>();
        Map<String, BackupException> failed = new LinkedHashMap<>();
        for (Map.Entry<String, Manifest> e : members.entrySet()) {
            try {
                BackupSource source = operation.sourceFor(e.getKey(), e.getValue());
                restored.put(e.getKey(), operation.restore(source, e.getValue(), targets.get(e.getKey()), checked));
            } catch (BackupException ex) {
                failed.put(e.getKey(), ex);
            }
        }
        return new RestoreSetResult(setId, restored, failed);
    }
}
