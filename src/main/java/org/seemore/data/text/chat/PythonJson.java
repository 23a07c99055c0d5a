package org.seemore.data.text.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} and {@code repr(float)}, which a chat template's {@code tojson} and printed
 * numbers must match: transformers replaces Jinja's {@code tojson} with
 * {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}, so the default
 * is {@code {"a": 1, "b": [1, 2]}} with spaces after {@code :} and {@code ,}, non-ASCII text kept, and no
 * HTML escaping.
 */
final class PythonJson {
    private PythonJson() {}

    /**
     * {@code json.dumps(value, ...)}. {@code indent}: null for one line, a number of spaces or a string;
     * {@code separators}: null for Python's defaults ({@code ", "} and {@code ": "}, or {@code ","} with an indent).
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, List<String> separators, boolean sortKeys) {
        String indentText = indent == null ? null : indent instanceof Number n ? " ".repeat(Math.max(0, n.intValue())) : indent.toString();
        String itemSeparator = separators != null ? separators.get(0) : indentText == null ? ", " : ",";
        String keySeparator = separators != null ? separators.get(1) : ": ";
        StringBuilder out = new StringBuilder();
        write(value, out, ensureAscii, indentText, itemSeparator, keySeparator, sortKeys, 0);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, boolean ascii, String indent, String itemSep, String keySep, boolean sort, int level) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case String s -> string(s, out, ascii);
            case Character c -> string(c.toString(), out, ascii);
            case Number n -> out.append(number(n));
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
                if (sort) entries.sort((a, b) -> key(a.getKey()).compareTo(key(b.getKey())));
                out.append('{');
                for (int i = 0; i < entries.size(); i++) {
                    if (i > 0) out.append(itemSep);
                    newline(out, indent, level + 1);
                    string(key(entries.get(i).getKey()), out, ascii);
                    out.append(keySep);
                    write(entries.get(i).getValue(), out, ascii, indent, itemSep, keySep, sort, level + 1);
                }
                newline(out, indent, level);
                out.append('}');
            }
            case Iterable<?> items -> {
                List<Object> list = new ArrayList<>();
                items.forEach(list::add);
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(itemSep);
                    newline(out, indent, level + 1);
                    write(list.get(i), out, ascii, indent, itemSep, keySep, sort, level + 1);
                }
                newline(out, indent, level);
                out.append(']');
            }
            case Object[] array -> write(List.of(array), out, ascii, indent, itemSep, keySep, sort, level);
            default -> string(value.toString(), out, ascii);
        }
    }

    /** A dict key as JSON writes it: strings as they are, numbers and booleans as their JSON text. */
    private static String key(Object key) {
        if (key == null) return "null";
        if (key instanceof Boolean b) return b ? "true" : "false";
        if (key instanceof Number n) return number(n);
        return key.toString();
    }

    private static void newline(StringBuilder out, String indent, int level) {
        if (indent != null) out.append('\n').append(indent.repeat(level));
    }

    private static void string(String text, StringBuilder out, boolean ascii) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ascii && c > 0x7E)) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }

    /** A number as Python writes it: integers plainly, floats as {@code repr}. */
    static String number(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger) return n.toString();
        if (n instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0 && d.scale() <= 0) return d.toBigInteger().toString();
        return floatRepr(n.doubleValue());
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that read back to the same double (what
     * {@link Double#toString} also finds), written plainly for decimal exponents -4 to 15
     * ({@code 0.0001}, {@code 1e+16}, {@code 1e-05}, {@code 2.5}, {@code 3.0}).
     */
    static String floatRepr(double x) {
        if (Double.isNaN(x)) return "NaN";
        if (Double.isInfinite(x)) return x > 0 ? "Infinity" : "-Infinity";
        if (x == 0) return 1 / x < 0 ? "-0.0" : "0.0";
        BigDecimal exact = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - exact.scale() - 1;
        String sign = x < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
