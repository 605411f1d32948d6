package com.eazepay.backup.cli;

/**
 * Configures slf4j-simple before the first logger exists: log lines go to standard error so standard
 * output carries only results (tables, JSON). On a terminal, short lines; elsewhere (pipes, {@code CI=true},
 * Kubernetes) one timestamped line per event, no colours and no progress redraws.
 */
final class Logging {

    private Logging() {
    }

    static void configure() {
        set("org.slf4j.simpleLogger.logFile", "System.err");
        set("org.slf4j.simpleLogger.defaultLogLevel", envOr("EAZEPAY_BACKUP_LOG_LEVEL", "info"));
        set("org.slf4j.simpleLogger.showThreadName", "false");
        set("org.slf4j.simpleLogger.showShortLogName", "true");
        set("org.slf4j.simpleLogger.levelInBrackets", "false");
        // the AWS and Google clients are chatty at INFO
        set("org.slf4j.simpleLogger.log.software.amazon", "warn");
        set("org.slf4j.simpleLogger.log.com.google", "warn");
        set("org.slf4j.simpleLogger.log.io.netty", "warn");
        if (!interactive()) {
            set("org.slf4j.simpleLogger.showDateTime", "true");
            set("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
        }
    }

    /** A person at a terminal: a console, and not CI. */
    static boolean interactive() {
        String ci = System.getenv("CI");
        return System.console() != null && (ci == null || ci.isBlank() || "false".equalsIgnoreCase(ci));
    }

    private static void set(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
