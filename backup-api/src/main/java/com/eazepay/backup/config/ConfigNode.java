package com.eazepay.backup.config;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a YAML configuration file (a map, a list, a scalar or null) that remembers where it
 * was written (file, line, column) and its path ({@code sources.db.port}), so every error can point
 * at the line to fix. Scalars are already substituted ({@code ${ENV}}, {@code ${file:/path}});
 * a substituted value is marked and never printed by {@link BackupConfig#redacted()}.
 *
 * <p>Plug-ins read their settings through the typed getters, which throw
 * {@link BackupException} ({@code INVALID_CONFIGURATION}, not retryable) naming the file, line, column
 * and setting. Every key a getter reads is marked used; keys no one read are reported as unknown
 * settings (typos) when the configuration is turned into an engine.
 *
 * <p>Immutable apart from the used-key marks, which are thread-safe.
 */
public final class ConfigNode {

    /** What a node holds. */
    public enum Kind { MAP, LIST, SCALAR, NULL }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(password|passwd|secret|token|passphrase|credential|private|identity|apikey|accesskey).*");

    /** Keys that say where a secret is (identityFile, credentialsFile, identityEnv), not the secret itself. */
    private static final Pattern LOCATION_NAME = Pattern.compile(".*(File|Path|Env)");

    private final String origin;
    private final String path;
    private final int line;
    private final int column;
    private final Kind kind;
    private final Map<String, ConfigNode> map;
    private final List<ConfigNode> list;
    private final String scalar;
    private final String expression;
    private final boolean fromFile;
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    private final boolean relaxed;
    private volatile boolean readAsSecret;

    ConfigNode(String origin, String path, int line, int column, Kind kind, Map<String, ConfigNode> map,
               List<ConfigNode> list, String scalar, String expression, boolean fromFile) {
        this(origin, path, line, column, kind, map, list, scalar, expression, fromFile, false);
    }

    private ConfigNode(String origin, String path, int line, int column, Kind kind, Map<String, ConfigNode> map,
                       List<ConfigNode> list, String scalar, String expression, boolean fromFile, boolean relaxed) {
        this.relaxed = relaxed;
        this.origin = origin;
        this.path = path;
        this.line = line;
        this.column = column;
        this.kind = kind;
        this.map = map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
        this.list = list == null ? List.of() : List.copyOf(list);
        this.scalar = scalar;
        this.expression = expression;
        this.fromFile = fromFile;
    }

    /** An empty map node (for settings that are absent), located at {@code parent}. */
    static ConfigNode emptyMap(ConfigNode parent, String key) {
        return new ConfigNode(parent.origin, child(parent.path, key), parent.line, parent.column, Kind.MAP, null, null,
                null, null, false, parent.relaxed);
    }

    // ------------------------------------------------------------------ trees from other formats

    /**
     * One value of a tree built by {@link #tree}: its text, where it was set and whether it is a credential
     * (then it is never printed).
     *
     * @param text   the value
     * @param origin what set it, e.g. {@code class path resource [application.yml]} or an environment variable
     * @param line   1-based line in {@code origin}, or 0 when it has none
     * @param column 1-based column, or 0
     * @param secret whether the value is a credential that no message or redacted view may show
     */
    public record Leaf(String text, String origin, int line, int column, boolean secret) {
        public Leaf {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(origin, "origin");
        }

        @Override
        public String toString() {
            return "Leaf[" + origin + (line > 0 ? " line " + line : "") + (secret ? ", <redacted>]" : ", " + text + "]");
        }
    }

    /**
     * A configuration tree from settings that were not read from a YAML file (Spring Boot properties, for
     * example), for {@link BackupConfig#fromTree}. {@code values} holds {@code Map<String, ?>}s, {@code List<?>}s
     * and {@link Leaf}s (nulls are absent settings). Keys of such a tree match in relaxed form, as Spring Boot's do:
     * {@code keep-daily}, {@code keep_daily} and {@code keepdaily} all answer {@code get("keepDaily")}. A map or a
     * list is located where its first value was set.
     *
     * @param rootPath the path of the root, e.g. {@code eazepay.backup}, so messages name the property to fix
     * @param origin   what the root came from, for messages about a missing setting
     */
    public static ConfigNode tree(String rootPath, String origin, Map<String, ?> values) {
        Objects.requireNonNull(rootPath, "rootPath");
        Objects.requireNonNull(origin, "origin");
        return treeNode(rootPath, new Leaf("", origin, 0, 0, false), Objects.requireNonNull(values, "values"));
    }

    private static ConfigNode treeNode(String path, Leaf where, Object value) {
        if (value == null) {
            return new ConfigNode(where.origin(), path, where.line(), where.column(), Kind.NULL, null, null, null, null, false, true);
        }
        if (value instanceof Leaf leaf) {
            // a credential is marked as if it came from a file: never printed, not even in redacted form
            return new ConfigNode(leaf.origin(), path, leaf.line(), leaf.column(), Kind.SCALAR, null, null, leaf.text(), null,
                    leaf.secret(), true);
        }
        Leaf at = firstLeaf(value);
        Leaf loc = at == null ? where : at;
        if (value instanceof Map<?, ?> m) {
            Map<String, ConfigNode> children = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                children.put(key, treeNode(child(path, key), loc, e.getValue()));
            }
            return new ConfigNode(loc.origin(), path, loc.line(), loc.column(), Kind.MAP, children, null, null, null, false, true);
        }
        if (value instanceof List<?> l) {
            List<ConfigNode> items = new ArrayList<>();
            int i = 0;
            for (Object item : l) {
                items.add(treeNode(path + "[" + i++ + "]", loc, item));
            }
            return new ConfigNode(loc.origin(), path, loc.line(), loc.column(), Kind.LIST, null, items, null, null, false, true);
        }
        throw new IllegalArgumentException(path + ": a tree holds maps, lists and ConfigNode.Leaf values, not "
                + value.getClass().getName());
    }

    private static Leaf firstLeaf(Object value) {
        if (value instanceof Leaf leaf) {
            return leaf;
        }
        Iterable<?> children = value instanceof Map<?, ?> m ? m.values() : value instanceof List<?> l ? l : List.of();
        for (Object c : children) {
            Leaf found = c == null ? null : firstLeaf(c);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The key as stored: itself, or in a relaxed tree the stored key with the same relaxed form. */
    private String storedKey(String key) {
        if (!relaxed || map.containsKey(key)) {
            return key;
        }
        String wanted = relaxedForm(key);
        for (String k : map.keySet()) {
            if (relaxedForm(k).equals(wanted)) {
                return k;
            }
        }
        return key;
    }

    private static String relaxedForm(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(java.util.Locale.ROOT);
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** What this node holds. */
    public Kind kind() {
        return kind;
    }

    /** Dotted path from the root, e.g. {@code sources.db.port} (empty for the root). */
    public String path() {
        return path;
    }

    /** 1-based line in the file. */
    public int line() {
        return line;
    }

    /** 1-based column in the file. */
    public int column() {
        return column;
    }

    /** {@code backup.yml line 12, column 5}. */
    public String location() {
        if (line <= 0) {
            return origin; // a value with no line (an environment variable, a system property)
        }
        return origin + " line " + line + ", column " + column;
    }

    /**
     * An {@code INVALID_CONFIGURATION} exception for this node: {@code "backup.yml line 12, column 5:
     * sources.db.port: <message>"}. Not thrown: callers throw it.
     */
    public BackupException error(String message) {
        return new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                location() + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    // ------------------------------------------------------------------ structure

    /** Whether this map has {@code key} (with any value, even null). Does not mark it used. */
    public boolean has(String key) {
        return kind == Kind.MAP && map.containsKey(storedKey(key));
    }

    /** The value of {@code key} in this map, marked used; empty if absent or null. */
    public Optional<ConfigNode> get(String key) {
        requireKind(Kind.MAP, "a map of settings");
        String stored = storedKey(key);
        used.add(stored);
        ConfigNode n = map.get(stored);
        return n == null || n.kind == Kind.NULL ? Optional.empty() : Optional.of(n);
    }

    /** The value of {@code key}, which must be present. */
    public ConfigNode require(String key) {
        return get(key).orElseThrow(() -> error("'" + key + "' is required"));
    }

    /** The map node under {@code key}, or an empty map if absent. */
    public ConfigNode section(String key) {
        Optional<ConfigNode> n = get(key);
        if (n.isEmpty()) {
            return emptyMap(this, key);
        }
        n.get().requireKind(Kind.MAP, "a map of settings");
        return n.get();
    }

    /** The entries of this map, in file order (not marked used: read them to mark them). */
    public Map<String, ConfigNode> entries() {
        requireKind(Kind.MAP, "a map of settings");
        return map;
    }

    /** The keys of this map, in file order. */
    public Set<String> keys() {
        return entries().keySet();
    }

    /** The items of this list; a scalar counts as a list of one. */
    public List<ConfigNode> items() {
        if (kind == Kind.SCALAR) {
            return List.of(this);
        }
        requireKind(Kind.LIST, "a list");
        return list;
    }

    private void requireKind(Kind expected, String what) {
        if (kind != expected) {
            throw error("expected " + what + ", found " + describeKind());
        }
    }

    private String describeKind() {
        return switch (kind) {
            case MAP -> "a map";
            case LIST -> "a list";
            case NULL -> "nothing";
            case SCALAR -> "'" + printable() + "'";
        };
    }

    // ------------------------------------------------------------------ scalars

    /** This scalar's text. Marks nothing as secret: use {@link #asSecret()} for credentials. */
    public String asString() {
        requireKind(Kind.SCALAR, "a single value");
        return scalar;
    }

    /** This scalar as a {@link Secret}; the node is then never printed, even in redacted form. */
    public Secret asSecret() {
        requireKind(Kind.SCALAR, "a single value");
        readAsSecret = true;
        return Secret.of(scalar);
    }

    /** This scalar as an int. */
    public int asInt() {
        String s = asString().trim();
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw error("expected a whole number, found '" + printable() + "'");
        }
    }

    /** This scalar as a long, accepting size suffixes {@code k}, {@code m}, {@code g} (binary: 8m = 8 MiB). */
    public long asBytes() {
        String s = asString().trim().toLowerCase(java.util.Locale.ROOT);
        long factor = 1;
        if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g")) {
            factor = switch (s.charAt(s.length() - 1)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            s = s.substring(0, s.length() - 1);
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw error("expected a size such as 8388608, 64k, 8m or 1g, found '" + printable() + "'");
        }
    }

    /** This scalar as a boolean ({@code true}/{@code false}). */
    public boolean asBoolean() {
        String s = asString().trim();
        if ("true".equalsIgnoreCase(s)) {
            return true;
        }
        if ("false".equalsIgnoreCase(s)) {
            return false;
        }
        throw error("expected true or false, found '" + printable() + "'");
    }

    /**
     * This scalar as a duration: {@code 90s}, {@code 15m}, {@code 12h}, {@code 30d}, {@code 2w},
     * combinations ({@code 1h30m}) or ISO-8601 ({@code PT1H}).
     */
    public Duration asDuration() {
        return durationIn(asString().trim());
    }

    /** {@code s} (part of this scalar) as a duration; errors are located at this node. */
    Duration durationIn(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                throw error("expected a duration such as 30d, 12h, 15m or PT1H, found '" + printable() + "'");
            }
        }
        Matcher m = DURATION.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end && !s.substring(end, m.start()).isBlank()) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw error("expected a duration such as 30d, 12h, 15m, 1h30m or PT1H, found '" + printable() + "'");
        }
        return total;
    }

    /** This scalar as a path; {@code ~/} is the user's home. */
    public Path asPath() {
        String s = asString();
        if (s.startsWith("~/")) {
            s = System.getProperty("user.home") + s.substring(1);
        }
        return Path.of(s);
    }

    // ------------------------------------------------------------------ typed getters on a map

    /** The string under {@code key}, which must be present. */
    public String string(String key) {
        return require(key).asString();
    }

    /** The string under {@code key}, if present. */
    public Optional<String> optString(String key) {
        return get(key).map(ConfigNode::asString);
    }

    /** The secret under {@code key}, if present (usually {@code ${ENV}} or {@code ${file:/path}}). */
    public Optional<Secret> optSecret(String key) {
        return get(key).map(ConfigNode::asSecret);
    }

    /** The int under {@code key}, if present. */
    public Optional<Integer> optInt(String key) {
        return get(key).map(ConfigNode::asInt);
    }

    /** The size in bytes under {@code key}, if present. */
    public Optional<Long> optBytes(String key) {
        return get(key).map(ConfigNode::asBytes);
    }

    /** The boolean under {@code key}, or {@code defaultValue}. */
    public boolean bool(String key, boolean defaultValue) {
        return get(key).map(ConfigNode::asBoolean).orElse(defaultValue);
    }

    /** The duration under {@code key}, if present. */
    public Optional<Duration> optDuration(String key) {
        return get(key).map(ConfigNode::asDuration);
    }

    /** The path under {@code key}, if present. */
    public Optional<Path> optPath(String key) {
        return get(key).map(ConfigNode::asPath);
    }

    /** The strings under {@code key} (a list, or one value); empty if absent. */
    public List<String> strings(String key) {
        Optional<ConfigNode> n = get(key);
        if (n.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode item : n.get().items()) {
            out.add(item.asString());
        }
        return out;
    }

    /** The strings under {@code key} as an array for varargs setters, if present and not empty. */
    public Optional<String[]> optStringArray(String key) {
        List<String> l = strings(key);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.toArray(String[]::new));
    }

    /**
     * The map under {@code key} as plain values (strings, lists, maps; substituted values and keys
     * that name credentials as {@link Secret}), for plug-ins that take a map. Marks the whole subtree used.
     */
    public Map<String, Object> asMap() {
        requireKind(Kind.MAP, "a map of settings");
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
            used.add(e.getKey());
            out.put(e.getKey(), e.getValue().plain(e.getKey()));
        }
        return out;
    }

    private Object plain(String key) {
        return switch (kind) {
            case NULL -> null;
            case SCALAR -> (expression != null || SECRET_NAME.matcher(key).matches()) ? asSecret() : scalar;
            case LIST -> list.stream().map(n -> n.plain(key)).toList();
            case MAP -> asMap();
        };
    }

    // ------------------------------------------------------------------ checks and printing

    /** Keys of maps in this subtree that no getter read, as nodes (for "unknown setting" errors). */
    List<ConfigNode> unused() {
        List<ConfigNode> out = new ArrayList<>();
        collectUnused(out);
        return out;
    }

    private void collectUnused(List<ConfigNode> out) {
        if (kind == Kind.MAP) {
            for (Map.Entry<String, ConfigNode> e : map.entrySet()) {
                if (!used.contains(e.getKey())) {
                    out.add(e.getValue());
                } else {
                    e.getValue().collectUnused(out);
                }
            }
        } else if (kind == Kind.LIST) {
            for (ConfigNode n : list) {
                n.collectUnused(out);
            }
        }
    }

    /**
     * Marks every key of this subtree used: after a setting failed, the builder stopped reading, and the
     * keys after it are not typos.
     */
    void markAllUsed() {
        if (kind == Kind.MAP) {
            used.addAll(map.keySet());
            map.values().forEach(ConfigNode::markAllUsed);
        } else if (kind == Kind.LIST) {
            list.forEach(ConfigNode::markAllUsed);
        }
    }

    /** The last component of the path (the key under which this node was written). */
    String key() {
        int dot = path.lastIndexOf('.');
        String k = dot < 0 ? path : path.substring(dot + 1);
        int bracket = k.indexOf('[');
        return bracket < 0 ? k : k.substring(0, bracket);
    }

    /** Whether printing this scalar could reveal a secret. */
    boolean redact() {
        if (readAsSecret || fromFile) {
            return true;
        }
        if (SECRET_NAME.matcher(key()).matches() && !LOCATION_NAME.matcher(key()).matches()) {
            return true;
        }
        return expression != null && SECRET_NAME.matcher(expression).matches();
    }

    /** This scalar as shown in messages: never a value that could be secret. */
    String printable() {
        if (kind != Kind.SCALAR) {
            return kind.name().toLowerCase(java.util.Locale.ROOT);
        }
        if (redact()) {
            return expression != null ? "<redacted, from " + expression + ">" : "<redacted>";
        }
        return redactUserInfo(scalar);
    }

    /** {@code scheme://user:password@host} becomes {@code scheme://***@host}. */
    static String redactUserInfo(String s) {
        return s.replaceAll("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1***@");
    }

    Map<String, ConfigNode> rawMap() {
        return map;
    }

    List<ConfigNode> rawList() {
        return list;
    }

    /** The substitution expression this value came from ({@code ${PGPASSWORD}}), or null. */
    String expression() {
        return expression;
    }

    @Override
    public String toString() {
        return "ConfigNode[" + location() + ", " + (path.isEmpty() ? "root" : path) + "=" + printable() + "]";
    }
}
