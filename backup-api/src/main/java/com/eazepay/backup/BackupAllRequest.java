package com.eazepay.backup;

import com.eazepay.backup.internal.engine.BackupOperation;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A backup of every configured source, one after the other, under one set id. A failing source
 * does not stop the others; the result reports each outcome (call {@link BackupSetResult#orThrow()}
 * to fail on any). Not thread-safe; use once.
 */
public final class BackupAllRequest {

    private final BackupOperation operation;
    private final Set<String> tags = new LinkedHashSet<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Trigger trigger;

    BackupAllRequest(BackupOperation operation) {
        this.operation = operation;
    }

    /** Adds a tag to every backup of the set; {@code pre-deploy} also sets the trigger unless one is given. */
    public BackupAllRequest tag(String tag) {
        tags.add(Objects.requireNonNull(tag, "tag"));
        return this;
    }

    /** Adds a label to every backup of the set. */
    public BackupAllRequest label(String key, String value) {
        labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Why the set is taken. Default {@link Trigger#PRE_DEPLOY} when tagged {@code pre-deploy}, else {@link Trigger#MANUAL}. */
    public BackupAllRequest trigger(Trigger trigger) {
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        return this;
    }

    /** Backs up every source; never throws for a single source's failure (see the result). */
    public BackupSetResult run() {
        Trigger t = trigger != null ? trigger : tags.contains(Trigger.PRE_DEPLOY.id()) ? Trigger.PRE_DEPLOY : Trigger.MANUAL;
        return operation.runAll(t, tags, labels);
    }
}
