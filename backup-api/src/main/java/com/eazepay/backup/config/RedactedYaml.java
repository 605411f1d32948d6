package com.eazepay.backup.config;

import java.util.Map;

/** Writes a {@link ConfigNode} tree back as YAML with secrets redacted ({@link ConfigNode#printable()}). */
final class RedactedYaml {

    private RedactedYaml() {
    }

    static void write(ConfigNode node, StringBuilder out) {
        writeMap(node, out, 0);
    }

    private static void writeMap(ConfigNode node, StringBuilder out, int indent) {
        for (Map.Entry<String, ConfigNode> e : node.rawMap().entrySet()) {
            out.append(" ".repeat(indent)).append(quoteKey(e.getKey())).append(':');
            writeValue(e.getValue(), out, indent);
        }
    }

    private static void writeValue(ConfigNode v, StringBuilder out, int indent) {
        switch (v.kind()) {
            case NULL -> out.append(" null\n");
            case SCALAR -> out.append(' ').append(quote(v.printable())).append('\n');
            case MAP -> {
                if (v.rawMap().isEmpty()) {
                    out.append(" {}\n");
                } else {
                    out.append('\n');
                    writeMap(v, out, indent + 2);
                }
            }
            case LIST -> {
                if (v.rawList().isEmpty()) {
                    out.append(" []\n");
                    return;
                }
                out.append('\n');
                for (ConfigNode item : v.rawList()) {
                    out.append(" ".repeat(indent + 2)).append('-');
                    if (item.kind() == ConfigNode.Kind.MAP && !item.rawMap().isEmpty()) {
                        out.append('\n');
                        writeMap(item, out, indent + 4);
                    } else {
                        writeValue(item, out, indent + 2);
                    }
                }
            }
        }
    }

    private static String quoteKey(String k) {
        return k.matches("[A-Za-z0-9_.-]+") ? k : quote(k);
    }

    /** Plain when unambiguous, else a double-quoted YAML string. */
    private static String quote(String s) {
        if (s.matches("[A-Za-z0-9_./@+-][A-Za-z0-9_./@+:-]*") && !s.matches("(?i)true|false|null|yes|no|on|off|~")) {
            return s;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
