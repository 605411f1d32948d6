package com.eazepay.backup;

import com.eazepay.backup.internal.engine.BackupOperation;
import com.eazepay.backup.spi.BackupSource;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One backup of one source, configured fluently and executed by {@link #run()}. Not thread-safe;
 * use each request once.
 */
public final class BackupRequest {

    private final BackupOperation operation;
    private final BackupSource source;
    private final Set<String> tags = new LinkedHashSet<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Trigger trigger = Trigger.MANUAL;

    BackupRequest(BackupOperation operation, BackupSource source) {
        this.operation = operation;
        this.source = source;
    }

    /** Adds a tag (e.g. {@code pre-deploy}); tags select backups for restore and retention. */
    public BackupRequest tag(String tag) {
        tags.add(Objects.requireNonNull(tag, "tag"));
        return this;
    }

    /** Adds a label (e.g. {@code release=1.4.2}). */
    public BackupRequest label(String key, String value) {
        labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Why the backup is taken. Default {@link Trigger#MANUAL}. */
    public BackupRequest trigger(Trigger trigger) {
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        return this;
    }

    /**
     * Takes the backup and commits it.
     *
     * @throws BackupException if anything failed; nothing of the backup is then visible.
     *                         {@code ALREADY_RUNNING} if a backup of the source is running in this engine
     */
    public BackupResult run() {
        return operation.run(source, trigger, tags, labels, null);
    }
}
