package com.eazepay.backup.postgres.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Mirrors {@code pg_dump}'s {@code -n/-N/-t/-T} selection to decide which tables' rows are counted.
 * Patterns follow psql's rules for the common cases: {@code *} and {@code ?} wildcards, unquoted
 * names folded to lower case, double quotes keep case and dots, {@code schema.table}; an unqualified
 * table pattern matches tables visible on the search path. When table patterns are given, schema
 * patterns do not apply (as in {@code pg_dump}).
 */
public final class TableFilter {

    private final List<Pattern[]> schemas;
    private final List<Pattern[]> excludeSchemas;
    private final List<Pattern[]> tables;
    private final List<Pattern[]> excludeTables;

    public TableFilter(List<String> schemas, List<String> excludeSchemas, List<String> tables, List<String> excludeTables) {
        this.schemas = schemas.stream().map(p -> new Pattern[] {null, toRegex(p)}).toList();
        this.excludeSchemas = excludeSchemas.stream().map(p -> new Pattern[] {null, toRegex(p)}).toList();
        this.tables = tables.stream().map(TableFilter::qualified).toList();
        this.excludeTables = excludeTables.stream().map(TableFilter::qualified).toList();
    }

    /** Whether {@code pg_dump} with these switches dumps this table's data. */
    public boolean includes(String schema, String table, boolean visible) {
        if (!tables.isEmpty()) {
            if (tables.stream().noneMatch(p -> matches(p, schema, table, visible))) {
                return false;
            }
        } else {
            if (!schemas.isEmpty() && schemas.stream().noneMatch(p -> p[1].matcher(schema).matches())) {
                return false;
            }
            if (excludeSchemas.stream().anyMatch(p -> p[1].matcher(schema).matches())) {
                return false;
            }
        }
        return excludeTables.stream().noneMatch(p -> matches(p, schema, table, visible));
    }

    private static boolean matches(Pattern[] p, String schema, String table, boolean visible) {
        if (p[0] == null) {
            return visible && p[1].matcher(table).matches();
        }
        return p[0].matcher(schema).matches() && p[1].matcher(table).matches();
    }

    private static Pattern[] qualified(String pattern) {
        int dot = unquotedDot(pattern);
        if (dot < 0) {
            return new Pattern[] {null, toRegex(pattern)};
        }
        return new Pattern[] {toRegex(pattern.substring(0, dot)), toRegex(pattern.substring(dot + 1))};
    }

    private static int unquotedDot(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static Pattern toRegex(String pattern) {
        StringBuilder re = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < pattern.length() && pattern.charAt(i + 1) == '"') {
                    re.append(Pattern.quote("\""));
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (!quoted && c == '*') {
                re.append(".*");
            } else if (!quoted && c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(quoted ? c : Character.toLowerCase(c))));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Lower-cased view used in tests and messages. */
    @Override
    public String toString() {
        return "TableFilter[" + schemas.size() + " schemas, " + tables.size() + " tables]".toLowerCase(Locale.ROOT);
    }
}
