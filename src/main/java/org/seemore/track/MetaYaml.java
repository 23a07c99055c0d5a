package org.seemore.track;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code meta.yaml} files of MLflow's file store: one mapping of scalars, written by MLflow with
 * PyYAML's safe dumper (keys sorted, block style) and read back with its safe loader. Strings are
 * written quoted, so that a name such as {@code 0}, {@code true} or {@code null} stays a string;
 * numbers and null are plain. The reader takes the subset PyYAML writes for these files: plain,
 * single- and double-quoted scalars, folded over continuation lines, and {@code []}.
 */
final class MetaYaml {
    private MetaYaml() {}

    /** The mapping with its keys sorted (as MLflow's {@code write_yaml} sorts them). */
    static String write(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, ?> e : new TreeMap<>(fields).entrySet()) {
            out.append(e.getKey()).append(": ").append(scalar(e.getValue())).append('\n');
        }
        return out.toString();
    }

    private static String scalar(Object value) {
        return switch (value) {
            case null -> "null";
            case Integer i -> i.toString();
            case Long l -> l.toString();
            case List<?> list when list.isEmpty() -> "[]";
            case String s -> quoted(s);
            default -> throw new IllegalArgumentException("meta.yaml holds strings, integers, null and [], not " + value.getClass());
        };
    }

    private static String quoted(String s) {
        boolean plainText = s.chars().allMatch(c -> c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != 0x2028 && c != 0x2029);
        if (plainText) return "'" + s.replace("'", "''") + "'";
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Top-level keys and their scalar values as text; null for {@code null}, {@code ~} or nothing. */
    static Map<String, String> read(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String key = null;
        StringBuilder raw = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (Character.isWhitespace(line.charAt(0)) && key != null) {
                raw.append('\n').append(line.strip()); // a continuation of the value above
                continue;
            }
            if (key != null) out.put(key, value(raw.toString()));
            int colon = line.indexOf(": ");
            if (colon < 0 && line.endsWith(":")) colon = line.length() - 1;
            if (colon <= 0) throw new IllegalArgumentException("not a 'key: value' line: " + line);
            key = line.substring(0, colon).strip();
            raw.setLength(0);
            raw.append(line.substring(Math.min(line.length(), colon + 1)).strip());
        }
        if (key != null) out.put(key, value(raw.toString()));
        return out;
    }

    private static String value(String raw) {
        if (raw.startsWith("'")) {
            return fold(raw.substring(1, raw.lastIndexOf('\''))).replace("''", "'");
        }
        if (raw.startsWith("\"")) return unescape(fold(raw.substring(1, raw.lastIndexOf('"'))));
        String plain = fold(raw);
        return plain.isEmpty() || plain.equals("null") || plain.equals("~") || plain.equals("Null") || plain.equals("NULL") ? null : plain;
    }

    /** YAML folding: a line break inside a flow scalar reads as one space. */
    private static String fold(String s) {
        return s.replace("\n", " ");
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case 'x' -> { out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16)); i += 2; }
                case 'u' -> { out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; }
                default -> out.append(n);
            }
        }
        return out.toString();
    }
}
