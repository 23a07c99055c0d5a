package org.seemore.data.text.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Rewrites the two Jinja constructs that Jinjava reads differently from Jinja2, inside the template's
 * {@code {{ }}} and {@code {% %}} code only (text, comments and string literals stay as they are):
 * <ul>
 *   <li>Jinja2's {@code not} binds looser than comparisons, {@code in} and tests: {@code not x == y} is
 *       {@code not (x == y)}. Jinjava binds it tighter, so {@code not role in ['user']} would read
 *       {@code (not role) in [...]}. Each prefix {@code not} gets explicit parentheses up to the end of
 *       its operand (the next {@code and}, {@code or}, {@code if}, {@code else}, comma or closing bracket
 *       at its depth). {@code x not in y} and {@code x is not none} are left alone.</li>
 *   <li>Jinjava has no slice step: {@code items[::-1]} becomes {@code items|reverse|list}.</li>
 * </ul>
 */
final class TemplateSource {
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");

    private TemplateSource() {}

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length() + 16);
        int i = 0;
        while (i < source.length()) {
            int open = nextCodeStart(source, i);
            if (open < 0) {
                out.append(source, i, source.length());
                break;
            }
            out.append(source, i, open);
            String opener = source.substring(open, open + 2);
            if (opener.equals("{#")) {
                int close = source.indexOf("#}", open + 2);
                int end = close < 0 ? source.length() : close + 2;
                out.append(source, open, end);
                i = end;
                continue;
            }
            String closer = opener.equals("{{") ? "}}" : "%}";
            int close = codeEnd(source, open + 2, closer);
            out.append(opener).append(rewriteCode(source.substring(open + 2, close)));
            if (close < source.length()) out.append(closer);
            i = Math.min(source.length(), close + 2);
            if (opener.equals("{%") && isRawStart(source.substring(open + 2, close))) {
                int raw = source.indexOf("endraw", i);
                int rawEnd = raw < 0 ? source.length() : source.indexOf("%}", raw);
                rawEnd = rawEnd < 0 ? source.length() : rawEnd + 2;
                out.append(source, i, rawEnd);
                i = rawEnd;
            }
        }
        return out.toString();
    }

    private static boolean isRawStart(String code) {
        String trimmed = code.strip();
        if (trimmed.startsWith("-") || trimmed.startsWith("+")) trimmed = trimmed.substring(1).strip();
        if (trimmed.endsWith("-") || trimmed.endsWith("+")) trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
        return trimmed.equals("raw");
    }

    private static int nextCodeStart(String source, int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') return i;
        }
        return -1;
    }

    /** Where the code that starts at {@code from} ends (the index of its closer), skipping string literals. */
    private static int codeEnd(String source, int from, String closer) {
        int i = from;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(source, i);
                continue;
            }
            if (source.startsWith(closer, i)) return i;
            i++;
        }
        return source.length();
    }

    /** The index just past the string literal that starts at {@code start}. */
    private static int stringEnd(String source, int start) {
        char quote = source.charAt(start);
        int i = start + 1;
        while (i < source.length() && source.charAt(i) != quote) i += source.charAt(i) == '\\' ? 2 : 1;
        return Math.min(source.length(), i + 1);
    }

    /** Rewrites one expression or statement body. */
    static String rewriteCode(String code) {
        code = REVERSE_SLICE.matcher(code).replaceAll("|reverse|list");
        StringBuilder out = new StringBuilder(code.length() + 8);
        // The bracket depth of every "not (" still open.
        Deque<Integer> open = new ArrayDeque<>();
        int depth = 0;
        String previousWord = "";
        int i = 0;
        while (i < code.length()) {
            char c = code.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(code, i);
                out.append(code, i, end);
                i = end;
                previousWord = "";
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < code.length() && (Character.isLetterOrDigit(code.charAt(end)) || code.charAt(end) == '_')) end++;
                String word = code.substring(i, end);
                if (word.equals("and") || word.equals("or") || word.equals("if") || word.equals("else")) close(open, depth, out);
                if (word.equals("not") && !previousWord.equals("is") && !nextWord(code, end).equals("in")) {
                    out.append("not (");
                    open.push(depth);
                } else {
                    out.append(word);
                }
                previousWord = word;
                i = end;
                continue;
            }
            if (c == ',' || c == ')' || c == ']' || c == '}' || c == ':') close(open, depth, out);
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
            if (!Character.isWhitespace(c)) previousWord = "";
            out.append(c);
            i++;
        }
        // The whitespace-control marks of the closer ("-%}") must stay outside the parentheses.
        int trailing = out.length();
        while (trailing > 0 && (Character.isWhitespace(out.charAt(trailing - 1)) || out.charAt(trailing - 1) == '-' || out.charAt(trailing - 1) == '+')) trailing--;
        StringBuilder closing = new StringBuilder();
        while (!open.isEmpty()) {
            open.pop();
            closing.append(')');
        }
        out.insert(trailing, closing);
        return out.toString();
    }

    /** Closes every {@code not (} opened at the current depth. */
    private static void close(Deque<Integer> open, int depth, StringBuilder out) {
        while (!open.isEmpty() && open.peek() == depth) {
            open.pop();
            int trailing = out.length();
            while (trailing > 0 && Character.isWhitespace(out.charAt(trailing - 1))) trailing--;
            out.insert(trailing, ')');
        }
    }

    private static String nextWord(String code, int from) {
        int i = from;
        while (i < code.length() && Character.isWhitespace(code.charAt(i))) i++;
        int end = i;
        while (end < code.length() && (Character.isLetterOrDigit(code.charAt(end)) || code.charAt(end) == '_')) end++;
        return code.substring(i, end);
    }
}
