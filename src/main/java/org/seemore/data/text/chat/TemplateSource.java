package org.seemore.data.text.chat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A chat template rewritten for Jinjava where Jinjava reads Jinja differently from Jinja2, so that the
 * rendering matches transformers':
 * <ul>
 *   <li>Whitespace control is done here, exactly as Jinja2's lexer does it with {@code trim_blocks} and
 *       {@code lstrip_blocks} (Jinjava's own {@code lstrip_blocks} also eats spaces that do not start a
 *       line): line endings become {@code \n} and one trailing newline is dropped; {@code {%-}/{@code -%}}
 *       (and the same on {@code {{ }}} and {@code {# #}}) strip all whitespace on their side; a block or
 *       comment tag removes one newline right after it and the spaces and tabs before it when only those
 *       stand between it and the start of its line, unless marked {@code +}. Comments are dropped. The
 *       result has no whitespace-control marks left.</li>
 *   <li>Jinja2's {@code not} binds looser than comparisons, {@code in} and tests: {@code not x == y} is
 *       {@code not (x == y)}. Jinjava binds it tighter, so {@code not role in ['user']} would read
 *       {@code (not role) in [...]}. Each prefix {@code not} gets explicit parentheses up to the end of its
 *       operand (the next {@code and}, {@code or}, {@code if}, {@code else}, comma, colon or closing bracket
 *       at its depth). {@code x not in y} and {@code x is not none} are left alone.</li>
 *   <li>Jinjava has no slice step: {@code items[::-1]} becomes {@code items|reverse|list}.</li>
 * </ul>
 * Text and string literals are never changed. The filters the code uses are collected, because Jinjava
 * quietly ignores an unknown filter where Jinja2 refuses the template.
 */
final class TemplateSource {
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");
    /** What Python's {@code str.splitlines} treats as line ends, which Jinja2 turns into {@code \n}. */
    private static final Pattern LINE_ENDS = Pattern.compile("\r\n|[\r\u000B\u000C\u001C\u001D\u001E\u0085\u2028\u2029]");
    private static final Pattern FILTER = Pattern.compile("\\|\\s*([A-Za-z_][A-Za-z0-9_]*)");

    /** The rewritten template, for Jinjava. */
    final String program;
    /** The filters the template's code names. */
    final Set<String> filters;

    private TemplateSource(String program, Set<String> filters) {
        this.program = program;
        this.filters = filters;
    }

    static TemplateSource of(String source) {
        Set<String> filters = new LinkedHashSet<>();
        String program = rewrite(source, filters);
        return new TemplateSource(program, filters);
    }

    static String rewrite(String source) {
        return rewrite(source, new LinkedHashSet<>());
    }

    private static String rewrite(String source, Set<String> filters) {
        source = LINE_ENDS.matcher(source).replaceAll("\n");
        if (source.endsWith("\n")) source = source.substring(0, source.length() - 1);
        StringBuilder out = new StringBuilder(source.length() + 16);
        boolean lineStarting = true;
        int i = 0;
        while (i < source.length()) {
            int open = nextTagStart(source, i);
            String text = source.substring(i, open < 0 ? source.length() : open);
            if (open < 0) {
                out.append(text);
                break;
            }
            char kind = source.charAt(open + 1);
            int bodyStart = open + 2;
            char left = bodyStart < source.length() ? source.charAt(bodyStart) : ' ';
            if (left == '-' || left == '+') bodyStart++;
            if (left == '-') {
                text = PythonStrings.strip(text, null, false, true);
            } else if (left != '+' && kind != '{') {
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && text.substring(lineStart).chars().allMatch(c -> c == ' ' || c == '\t')) {
                    text = text.substring(0, lineStart);
                }
            }
            out.append(text);
            String closer = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int close = kind == '#' ? indexOrEnd(source, closer, bodyStart) : codeEnd(source, bodyStart, closer);
            String body = source.substring(bodyStart, close);
            char right = ' ';
            if (!body.isEmpty() && (body.endsWith("-") || (body.endsWith("+") && kind != '{'))) {
                right = body.charAt(body.length() - 1);
                body = body.substring(0, body.length() - 1);
            }
            if (kind != '#') out.append('{').append(kind).append(rewriteCode(body, filters)).append(closer);
            int after = Math.min(source.length(), close + 2);
            int consumedFrom = after;
            if (right == '-') {
                while (after < source.length() && PythonStrings.isSpace(source.charAt(after))) after++;
            } else if (right != '+' && kind != '{' && after < source.length() && source.charAt(after) == '\n') {
                after++;
            }
            lineStarting = after > consumedFrom && source.charAt(after - 1) == '\n';
            i = after;
            if (kind == '%' && body.strip().equals("raw")) {
                i = copyRaw(source, i, out);
                lineStarting = i > 0 && source.charAt(i - 1) == '\n';
            }
        }
        return out.toString();
    }

    /** Copies a raw block's content as it is (up to and including its {@code endraw} tag); returns where it ends. */
    private static int copyRaw(String source, int from, StringBuilder out) {
        java.util.regex.Matcher end = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}").matcher(source);
        if (!end.find(from)) {
            out.append(source, from, source.length());
            return source.length();
        }
        String content = source.substring(from, end.start());
        if (end.group(1).equals("-")) content = PythonStrings.strip(content, null, false, true);
        out.append(content).append("{% endraw %}");
        int after = end.end();
        if (end.group(2).equals("-")) {
            while (after < source.length() && PythonStrings.isSpace(source.charAt(after))) after++;
        } else if (!end.group(2).equals("+") && after < source.length() && source.charAt(after) == '\n') {
            after++;
        }
        return after;
    }

    private static int nextTagStart(String source, int from) {
        for (int i = source.indexOf('{', from); i >= 0 && i + 1 < source.length(); i = source.indexOf('{', i + 1)) {
            char next = source.charAt(i + 1);
            if (next == '{' || next == '%' || next == '#') return i;
        }
        return -1;
    }

    private static int indexOrEnd(String source, String text, int from) {
        int at = source.indexOf(text, from);
        return at < 0 ? source.length() : at;
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

    static String rewriteCode(String code) {
        return rewriteCode(code, new LinkedHashSet<>());
    }

    /** Rewrites one expression or statement body, noting the filters it names. */
    private static String rewriteCode(String code, Set<String> filters) {
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
            if (c == '|') {
                java.util.regex.Matcher filter = FILTER.matcher(code).region(i, code.length());
                if (filter.lookingAt()) filters.add(filter.group(1));
            }
            if (Character.isLetter(c) || c == '_') {
                int end = i;
                while (end < code.length() && (Character.isLetterOrDigit(code.charAt(end)) || code.charAt(end) == '_')) end++;
                String word = code.substring(i, end);
                if (word.equals("and") || word.equals("or") || word.equals("if") || word.equals("else")) close(open, depth, out);
                if (word.equals("not") && !previousWord.equals("is") && !nextWord(code, end).equals("in")) {
                    out.append("not (");
                    open.push(depth);
                    while (end < code.length() && Character.isWhitespace(code.charAt(end))) end++;
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
        while (!open.isEmpty()) {
            open.pop();
            int trailing = out.length();
            while (trailing > 0 && Character.isWhitespace(out.charAt(trailing - 1))) trailing--;
            out.insert(trailing, ')');
        }
        return out.toString();
    }

    /** Closes every {@code not (} opened at the current depth, before any trailing whitespace. */
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
