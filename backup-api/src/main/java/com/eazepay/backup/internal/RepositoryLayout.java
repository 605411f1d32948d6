package com.eazepay.backup.internal;

/**
 * Keys of the repository layout (ARCHITECTURE §4), relative to the storage target's prefix:
 * <pre>
 * repository.json
 * {source}/{backupId}/{stream}.{ext}
 * {source}/{backupId}/manifest.json      written last: the commit point
 * locks/{name}.json                      leases: locks/prune.json while a prune runs
 * locks/prune-takeover/{ownerId}.json     one per stale prune lease that was taken over
 * locks/running/{source}/{backupId}.json  while a backup runs (renewed; prune spares its objects)
 * locks/schedule/{job}/{slot}.json       while a scheduled job runs its slot (renewed; internal/schedule/SlotRecords)
 * locks/schedule-takeover/{ownerId}.json  one per stale slot lease that was taken over
 * reports/schedule/{job}/{slot}.json      the outcome of a scheduled slot, written once
 * locks/cleanup/{source}/{testId}.json    while a restore test runs: the scratch target to drop after a crash
 * reports/{verify|drill}/{id}.json        verify: {source}-{backupId}-{yyyyMMdd'T'HHmmss.SSS'Z'}.json;
 *                                         drill: {yyyyMMdd'T'HHmmss.SSS'Z'}-{scenario}.json and .md
 * quarantine/{source}/{backupId}.json     taken after a breach (breach drill): excluded from selection
 * pins/{source}/{backupId}.json           an operator pin: retention never removes the backup
 * holds/{source}/{backupId}.json          a legal hold: retention never removes the backup
 * </pre>
 */
public final class RepositoryLayout {

    public static final String REPOSITORY_FILE = "repository.json";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String LOCKS = "locks";
    public static final String REPORTS = "reports";
    public static final String PINS = "pins";
    public static final String HOLDS = "holds";
    /** {@code quarantine/{source}/{backupId}.json}: a backup taken after a breach, excluded from selection (breach drills). */
    public static final String QUARANTINE = "quarantine";
    public static final String DRILL_REPORTS = REPORTS + "/drill/";
    public static final String PRUNE_LEASE = LOCKS + "/prune.json";
    public static final String PRUNE_TAKEOVER_PREFIX = LOCKS + "/prune-takeover/";
    public static final String RUNNING_PREFIX = LOCKS + "/running/";
    public static final String VERIFY_REPORTS = REPORTS + "/verify/";

    private RepositoryLayout() {
    }

    public static String backupPrefix(String source, String backupId) {
        return source + "/" + backupId + "/";
    }

    public static String manifestKey(String source, String backupId) {
        return backupPrefix(source, backupId) + MANIFEST_FILE;
    }

    public static String streamKey(String source, String backupId, String objectName) {
        return backupPrefix(source, backupId) + objectName;
    }

    /** {@code locks/running/{source}/{backupId}.json}: the marker of a backup in progress. */
    public static String runningMarkerKey(String source, String backupId) {
        return RUNNING_PREFIX + source + "/" + backupId + ".json";
    }

    public static String lockKey(String name) {
        return LOCKS + "/" + name + ".json";
    }

    public static String reportKey(String kind, String id) {
        return REPORTS + "/" + kind + "/" + id + ".json";
    }

    /** {@code pins/{source}/{backupId}.json}. */
    public static String pinKey(String source, String backupId) {
        return PINS + "/" + source + "/" + backupId + ".json";
    }

    /** {@code holds/{source}/{backupId}.json}. */
    public static String holdKey(String source, String backupId) {
        return HOLDS + "/" + source + "/" + backupId + ".json";
    }

    /** {@code reports/verify/{source}-{backupId}-{time}.json}; {@code time} is {@code yyyyMMdd'T'HHmmss.SSS'Z'} (earlier versions wrote seconds only; both are read). */
    public static String verifyReportKey(String source, String backupId, String time) {
        return VERIFY_REPORTS + source + "-" + backupId + "-" + time + ".json";
    }

    /**
     * The backup id of a marker key ({@code pins/{source}/{id}.json} or {@code holds/...}) under
     * {@code prefix} (e.g. {@code pins/db/}), or null.
     */
    public static String backupIdOfMarkerKey(String prefix, String key) {
        if (!key.startsWith(prefix) || !key.endsWith(".json")) {
            return null;
        }
        String id = key.substring(prefix.length(), key.length() - ".json".length());
        return id.isEmpty() || id.contains("/") ? null : id;
    }

    /** The backup id of a manifest key {@code {source}/{id}/manifest.json}, or null if the key is not one. */
    public static String backupIdOfManifestKey(String source, String key) {
        String prefix = source + "/";
        if (!key.startsWith(prefix) || !key.endsWith("/" + MANIFEST_FILE)) {
            return null;
        }
        String middle = key.substring(prefix.length(), key.length() - MANIFEST_FILE.length() - 1);
        return middle.contains("/") ? null : middle;
    }
}
