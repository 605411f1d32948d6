package com.eazepay.backup.spring.boot;

import com.eazepay.backup.config.ConfigNode;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.Environment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads the {@code eazepay.backup} subtree of a Spring {@link Environment} into the tree form the
 * shared configuration model takes ({@link ConfigNode#tree}), so the properties mean exactly what the
 * CLI's YAML means and every error names the property and where it was set
 * ({@code class path resource [application.yml] line 12, column 9: eazepay.backup.sources.db.port: ...}).
 *
 * <p>Property sources are read in the environment's order: the first one that sets a value wins, and a
 * list ({@code replicas[0]}, {@code paths[0]}) comes whole from the first source that sets any of its
 * items, as Spring Boot binds lists. Keys are kept as written and matched in relaxed form by the model
 * ({@code keep-daily} is {@code keepDaily}). A comma-separated value of {@code recipients}, {@code paths} or
 * {@code keep-tagged} is a list, as Spring Boot converts them.
 */
final class BackupPropertyTree {

    static final String PREFIX = "eazepay.backup";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    private static final Set<String> COMMA_LISTS = Set.of("recipients", "paths", "keeptagged");

    private BackupPropertyTree() {
    }

    /** The subtree as nested maps, lists and {@link ConfigNode.Leaf}s (empty if nothing is set). */
    static Map<String, Object> read(Environment environment) {
        Map<Object, Object> root = new LinkedHashMap<>();
        int sourceIndex = 0;
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            sourceIndex++;
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            List<ConfigurationPropertyName> names;
            try (Stream<ConfigurationPropertyName> s = iterable.stream()) {
                names = s.filter(ROOT::isAncestorOf).toList();
            }
            for (ConfigurationPropertyName name : names) {
                ConfigurationProperty property = iterable.getConfigurationProperty(name);
                if (property == null || property.getValue() == null) {
                    continue;
                }
                put(root, name, leaf(name, property), sourceIndex);
            }
        }
        return finishMap(root);
    }

    private static ConfigNode.Leaf leaf(ConfigurationPropertyName name, ConfigurationProperty property) {
        String text = String.valueOf(property.getValue());
        Origin origin = property.getOrigin();
        if (origin instanceof PropertySourceOrigin p && p.getOrigin() instanceof TextResourceOrigin inner) {
            origin = inner; // application.yml: the file, line and column
        }
        if (origin instanceof TextResourceOrigin t && t.getLocation() != null) {
            String resource = t.getResource() == null ? "property " + name : t.getResource().getDescription();
            return new ConfigNode.Leaf(text, resource, t.getLocation().getLine() + 1, t.getLocation().getColumn() + 1, false);
        }
        if (origin instanceof PropertySourceOrigin p) {
            // its toString() repeats the property name, which the message names anyway
            return new ConfigNode.Leaf(text, "property source \"" + p.getPropertySource().getName() + "\"", 0, 0, false);
        }
        return new ConfigNode.Leaf(text, origin == null ? "property " + name : origin.toString(), 0, 0, false);
    }

    /** A list while reading: items by index, and the property source that started it. */
    private static final class Indexed extends TreeMap<Object, Object> {
        private static final long serialVersionUID = 1L;
        private final int sourceIndex;

        Indexed(int sourceIndex) {
            this.sourceIndex = sourceIndex;
        }
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<Object, Object> root, ConfigurationPropertyName name, ConfigNode.Leaf leaf, int sourceIndex) {
        Map<Object, Object> map = root;
        int n = name.getNumberOfElements();
        for (int i = ROOT.getNumberOfElements(); i < n; i++) {
            boolean indexed = name.isNumericIndex(i);
            if ((map instanceof Indexed list) != indexed) {
                return; // an index where settings are expected (or the reverse): Spring would not bind it either
            }
            if (map instanceof Indexed list && list.sourceIndex != sourceIndex) {
                return; // this list came from an earlier property source: it wins whole
            }
            String element = name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL);
            Object key = indexed ? (Object) Integer.valueOf(element) : element;
            if (!indexed) {
                for (Object k : map.keySet()) {
                    if (!k.equals(key) && relaxed(String.valueOf(k)).equals(relaxed(element))) {
                        return; // keep-daily in one source, keepDaily in another: the first one wins
                    }
                }
            }
            if (i == n - 1) {
                map.putIfAbsent(key, leaf);
                return;
            }
            boolean nextIndexed = name.isNumericIndex(i + 1);
            Object next = map.get(key);
            if (next == null) {
                next = nextIndexed ? new Indexed(sourceIndex) : new LinkedHashMap<>();
                map.put(key, next);
            } else if (!(next instanceof Map)) {
                return; // a single value was set here by an earlier source
            }
            map = (Map<Object, Object>) next;
        }
    }

    static String relaxed(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    private static Map<String, Object> finishMap(Map<Object, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            out.put(String.valueOf(e.getKey()), finish(String.valueOf(e.getKey()), e.getValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object finish(String key, Object value) {
        if (value instanceof Indexed list) {
            List<Object> out = new ArrayList<>();
            list.values().forEach(v -> out.add(finish(key, v)));
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            return finishMap((Map<Object, Object>) m);
        }
        ConfigNode.Leaf leaf = (ConfigNode.Leaf) value;
        if (COMMA_LISTS.contains(relaxed(key)) && leaf.text().contains(",")) {
            List<Object> out = new ArrayList<>();
            for (String part : leaf.text().split(",")) {
                if (!part.isBlank()) {
                    out.add(new ConfigNode.Leaf(part.trim(), leaf.origin(), leaf.line(), leaf.column(), leaf.secret()));
                }
            }
            return out;
        }
        return leaf;
    }

    /** The value under {@code key} compared in relaxed form, or null. */
    static Object get(Map<String, Object> map, String key) {
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (relaxed(e.getKey()).equals(relaxed(key))) {
                return e.getValue();
            }
        }
        return null;
    }

    /** Whether {@code settings} has any of {@code keys}, compared in relaxed form. */
    static boolean hasAny(Map<String, Object> settings, Set<String> keys) {
        for (String k : keys) {
            if (get(settings, k) != null) {
                return true;
            }
        }
        return false;
    }
}
