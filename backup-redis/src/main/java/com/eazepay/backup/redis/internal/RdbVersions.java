package com.eazepay.backup.redis.internal;

/** Which RDB version a Redis server version reads and writes. */
public final class RdbVersions {

    private RdbVersions() {
    }

    /**
     * The RDB version written (and the highest read) by Redis {@code redisVersion}, e.g. 10 for
     * {@code 7.0.15}; -1 if the version string cannot be parsed.
     */
    public static int forRedis(String redisVersion) {
        if (redisVersion == null) {
            return -1;
        }
        String[] p = redisVersion.trim().split("\\.");
        int major;
        int minor;
        try {
            major = Integer.parseInt(p[0]);
            minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
        } catch (NumberFormatException e) {
            return -1;
        }
        int v = major * 100 + minor;
        if (v >= 704) {
            return 12;
        }
        if (v >= 702) {
            return 11;
        }
        if (v >= 700) {
            return 10;
        }
        if (v >= 500) {
            return 9;
        }
        if (v >= 400) {
            return 8;
        }
        if (v >= 302) {
            return 7;
        }
        if (v >= 206) {
            return 6;
        }
        return 5;
    }

    /** Whether {@code redisVersion} is at least {@code major.minor}; false if it cannot be parsed. */
    public static boolean atLeast(String redisVersion, int major, int minor) {
        if (redisVersion == null) {
            return false;
        }
        String[] p = redisVersion.trim().split("\\.");
        try {
            int ma = Integer.parseInt(p[0]);
            int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return ma > major || ma == major && mi >= minor;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
