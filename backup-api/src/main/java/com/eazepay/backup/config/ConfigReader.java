package com.eazepay.backup.config;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads YAML into {@link ConfigNode}s with locations, substituting {@code ${NAME}} (environment) and
 * {@code ${file:/path}} (a file's content, trailing newlines removed) in string values; {@code $${}
 * writes a literal {@code ${}. Not thread-safe; one per read.
 */
final class ConfigReader {

    private static final Pattern REF = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}");
    private static final YAMLFactory YAML = YAMLFactory.builder().build();

    private final String origin;
    private final Function<String, String> env;

    ConfigReader(String origin, Function<String, String> env) {
        this.origin = origin;
        this.env = env;
    }

    static ConfigNode read(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "configuration file " + file
                    + " does not exist: pass --config FILE or set EAZEPAY_BACKUP_CONFIG", e);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot read configuration file " + file + ": " + e, e);
        }
        return new ConfigReader(file.toString(), env).parse(text);
    }

    ConfigNode parse(String text) {
        try (JsonParser p = YAML.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " is empty: it needs at least "
                        + "repository:, encryption: and sources:");
            }
            ConfigNode root = node(p, "");
            if (root.kind() != ConfigNode.Kind.MAP) {
                throw root.error("the file must be a map of settings (repository:, encryption:, sources:, ...)");
            }
            if (p.nextToken() != null) {
                JsonLocation l = p.currentTokenLocation();
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + l.getLineNr() + ", column "
                        + l.getColumnNr() + ": only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? origin : origin + " line " + l.getLineNr() + ", column " + l.getColumnNr();
            // the parser's own message quotes the offending line, which may hold a literal secret: keep only the problem
            String problem;
            if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m) {
                problem = (m.getContext() == null ? "" : m.getContext().trim() + ": ") + m.getProblem();
            } else {
                String msg = String.valueOf(e.getOriginalMessage());
                problem = msg.lines().findFirst().orElse(msg);
            }
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, where + ": not valid YAML: " + problem);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot read " + origin + ": " + e, e);
        }
    }

    private ConfigNode node(JsonParser p, String path) throws IOException {
        JsonLocation l = p.currentTokenLocation();
        int line = l.getLineNr();
        int col = l.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, ConfigNode> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonLocation kl = p.currentTokenLocation();
                    p.nextToken();
                    ConfigNode child = node(p, ConfigNode.child(path, name));
                    if (map.put(name, child) != null) {
                        throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + kl.getLineNr()
                                + ", column " + kl.getColumnNr() + ": " + ConfigNode.child(path, name) + " is given twice");
                    }
                }
                return new ConfigNode(origin, path, line, col, ConfigNode.Kind.MAP, map, null, null, null, false);
            }
            case START_ARRAY -> {
                List<ConfigNode> list = new ArrayList<>();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(node(p, path + "[" + i++ + "]"));
                }
                return new ConfigNode(origin, path, line, col, ConfigNode.Kind.LIST, null, list, null, null, false);
            }
            case VALUE_NULL -> {
                return new ConfigNode(origin, path, line, col, ConfigNode.Kind.NULL, null, null, null, null, false);
            }
            case VALUE_STRING -> {
                return substitute(p.getText(), path, line, col);
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                return new ConfigNode(origin, path, line, col, ConfigNode.Kind.SCALAR, null, null, p.getText(), null, false);
            }
            default -> throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + line + ", column "
                    + col + ": unexpected " + t);
        }
    }

    private ConfigNode substitute(String raw, String path, int line, int col) {
        Matcher m = REF.matcher(raw);
        StringBuilder out = new StringBuilder();
        boolean substituted = false;
        boolean fromFile = false;
        while (m.find()) {
            if (m.group().equals("$${")) {
                m.appendReplacement(out, Matcher.quoteReplacement("${"));
                continue;
            }
            String ref = m.group(1).trim();
            String value;
            if (ref.startsWith("file:")) {
                Path file = Path.of(ref.substring("file:".length()));
                try {
                    value = Files.readString(file, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
                } catch (IOException e) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + line + ", column " + col
                            + ": " + path + ": cannot read " + file + " for ${file:...} (" + e.getClass().getSimpleName()
                            + "): create it or fix the path", e);
                }
                fromFile = true;
            } else {
                if (!ref.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + line + ", column "
                            + col + ": " + path + ": '${" + ref + "}' is neither ${ENV_VARIABLE} nor ${file:/path}");
                }
                value = env.apply(ref);
                if (value == null) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, origin + " line " + line + ", column "
                            + col + ": " + path + ": environment variable " + ref + " is not set");
                }
            }
            substituted = true;
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return new ConfigNode(origin, path, line, col, ConfigNode.Kind.SCALAR, null, null, out.toString(),
                substituted ? raw : null, fromFile);
    }
}
