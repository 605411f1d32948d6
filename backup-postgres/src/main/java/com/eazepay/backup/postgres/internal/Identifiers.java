package com.eazepay.backup.postgres.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Quoting and naming of PostgreSQL identifiers and libpq connection strings. */
public final class Identifiers {

    /** PostgreSQL's identifier limit (NAMEDATALEN - 1), in bytes. */
    public static final int MAX_IDENTIFIER_BYTES = 63;

    private Identifiers() {
    }

    /** Quotes an identifier for SQL: {@code "my ""db"""}. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quotes a string literal for SQL. */
    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A libpq connection string value, single-quoted with {@code '} and {@code \} escaped. */
    public static String conninfoValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * {@code base + "_before_" + backupId}, lowercased, every character outside {@code [a-z0-9_]}
     * replaced by {@code _}, shortened (the base first) to at most 63 bytes.
     */
    public static String beforeName(String base, String backupId) {
        return derivedName(base, "_before_", backupId);
    }

    /** {@code base + infix + backupId}, sanitized and shortened as {@link #beforeName}. */
    public static String derivedName(String base, String infix, String backupId) {
        String suffix = sanitize(infix + backupId);
        String b = sanitize(base);
        if (suffix.length() > MAX_IDENTIFIER_BYTES - 1) {
            suffix = suffix.substring(0, MAX_IDENTIFIER_BYTES - 1);
        }
        int room = MAX_IDENTIFIER_BYTES - suffix.length();
        if (b.length() > room) {
            b = b.substring(0, room);
        }
        if (b.isEmpty() || !Character.isLetter(b.charAt(0)) && b.charAt(0) != '_') {
            b = ("d" + b);
            if (b.length() > room) {
                b = b.substring(0, room);
            }
        }
        return b + suffix;
    }

    private static String sanitize(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toLowerCase(Locale.ROOT).toCharArray()) {
            sb.append((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_');
        }
        return sb.toString();
    }

    /**
     * Checks a database name: 1 to 63 bytes, no NUL.
     *
     * @throws IllegalArgumentException naming the rule
     */
    public static String requireDatabaseName(String name) {
        if (name == null || name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("database name '" + name + "' is invalid: use 1 to 63 bytes");
        }
        return name;
    }
}
