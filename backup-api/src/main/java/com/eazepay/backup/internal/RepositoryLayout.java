package com.eazepay.backup.internal;

/**
 * Keys of the repository layout (ARCHITECTURE §4), relative to the storage target's prefix:
 * <pre>
 * repository.json
 * {source}/{backupId}/{stream}.{ext}
 * {source}/{backupId}/manifest.json      written last: the commit point
 * locks/{name}.json
 * reports/{verify|drill}/{id}.json
 * </pre>
 */
public final class RepositoryLayout {

    public static final String REPOSITORY_FILE = "repository.json";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String LOCKS = "locks";
    public static final String REPORTS = "reports";

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

    public static String lockKey(String name) {
        return LOCKS + "/" + name + ".json";
    }

    public static String reportKey(String kind, String id) {
        return REPORTS + "/" + kind + "/" + id + ".json";
    }

    /** Source names that would collide with the layout's own directories. */
    public static boolean isReservedName(String name) {
        return LOCKS.equals(name) || REPORTS.equals(name);
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
