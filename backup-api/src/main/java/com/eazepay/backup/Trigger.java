package com.eazepay.backup;

/** Why a backup was taken; persisted in manifests by {@link #id()}. */
public enum Trigger {
    MANUAL("manual"),
    SCHEDULED("scheduled"),
    PRE_DEPLOY("pre-deploy");

    private final String id;

    Trigger(String id) {
        this.id = id;
    }

    /** The persisted id. */
    public String id() {
        return id;
    }
}
