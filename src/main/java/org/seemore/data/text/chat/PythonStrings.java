package org.seemore.data.text.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods for templates ({@code content.strip()}, {@code role.upper()},
 * {@code text.split('</think>')[-1]}, {@code name.startswith(('a', 'b'))}) and Python indexing of strings
 * ({@code s[-1]}), with Python's semantics: "whitespace" is {@code str.isspace()}, which Java's
 * {@code String.strip()} does not match (it keeps U+00A0 and strips U+001C..U+001F differently). Jinjava
 * would otherwise call the Java method of the same name or fail.
 */
final class PythonStrings extends ELResolver {

    /** {@code str.isspace()} for one character: Unicode categories Zs, Zl, Zp and the bidi classes WS, B, S. */
    static boolean isSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** {@code str.strip(chars)}: {@code chars} null means whitespace. */
    static String strip(String text, String chars, boolean left, boolean right) {
        int start = 0;
        int end = text.length();
        while (left && start < end && stripped(text.codePointAt(start), chars)) start += Character.charCount(text.codePointAt(start));
        while (right && end > start && stripped(text.codePointBefore(end), chars)) end -= Character.charCount(text.codePointBefore(end));
        return text.substring(start, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
    }

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
        if (!(base instanceof String text) || !(method instanceof String name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(text, name, args);
        if (result != null) context.setPropertyResolved(true);
        return result;
    }

    /** The result of {@code text.name(args)}, or null if this is not a Python str method handled here. */
    private static Object call(String text, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(text, optionalString(args, 0), true, true);
            case "lstrip" -> strip(text, optionalString(args, 0), true, false);
            case "rstrip" -> strip(text, optionalString(args, 0), false, true);
            case "upper" -> text.toUpperCase(Locale.ROOT);
            case "lower" -> text.toLowerCase(Locale.ROOT);
            case "title" -> title(text);
            case "capitalize" -> text.isEmpty() ? text
                    : Character.toString(Character.toTitleCase(text.codePointAt(0))) + text.substring(Character.charCount(text.codePointAt(0))).toLowerCase(Locale.ROOT);
            case "startswith", "endswith" -> affix(text, name.equals("startswith"), args);
            case "split" -> split(text, optionalString(args, 0), args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "splitlines" -> text.lines().toList();
            case "replace" -> replace(text, args);
            case "find" -> text.indexOf((String) args[0]);
            case "rfind" -> text.lastIndexOf((String) args[0]);
            case "count" -> count(text, (String) args[0]);
            case "join" -> join(text, args[0]);
            case "isdigit" -> !text.isEmpty() && text.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !text.isEmpty() && text.codePoints().allMatch(Character::isLetter);
            case "isspace" -> !text.isEmpty() && text.codePoints().allMatch(PythonStrings::isSpace);
            default -> null;
        };
    }

    private static String optionalString(Object[] args, int index) {
        return args.length > index && args[index] != null ? args[index].toString() : null;
    }

    /** Python's {@code str.title()}: a cased character after an uncased one is title-cased, the rest lower-cased. */
    private static String title(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean previousCased = false;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            boolean cased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
            if (cased) out.append(previousCased ? Character.toString(c).toLowerCase(Locale.ROOT) : Character.toString(Character.toTitleCase(c)));
            else out.appendCodePoint(c);
            previousCased = cased;
        }
        return out.toString();
    }

    /** {@code startswith}/{@code endswith} with one string or a tuple (list) of them, and an optional start. */
    private static Boolean affix(String text, boolean start, Object[] args) {
        if (args.length == 0) return null;
        String subject = args.length > 1 && args[1] instanceof Number from ? text.substring(Math.min(text.length(), Math.max(0, from.intValue()))) : text;
        List<?> options = args[0] instanceof List<?> list ? list : List.of(String.valueOf(args[0]));
        for (Object option : options) {
            String affix = String.valueOf(option);
            if (start ? subject.startsWith(affix) : subject.endsWith(affix)) return true;
        }
        return false;
    }

    /** Python's {@code str.split}: on runs of whitespace (dropping empty ends) without a separator, else on the separator exactly. */
    private static List<String> split(String text, String separator, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            int i = 0;
            while (true) {
                while (i < text.length() && isSpace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
                if (i >= text.length()) break;
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(strip(text.substring(i), null, false, true));
                    break;
                }
                int start = i;
                while (i < text.length() && !isSpace(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
                parts.add(text.substring(start, i));
            }
            return parts;
        }
        if (separator.isEmpty()) throw new IllegalArgumentException("empty separator");
        int start = 0;
        for (int at = text.indexOf(separator); at >= 0 && (maxSplit < 0 || parts.size() < maxSplit); at = text.indexOf(separator, start)) {
            parts.add(text.substring(start, at));
            start = at + separator.length();
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static String replace(String text, Object[] args) {
        String old = String.valueOf(args[0]);
        String replacement = String.valueOf(args[1]);
        int count = args.length > 2 ? ((Number) args[2]).intValue() : -1;
        if (count < 0) return text.replace(old, replacement);
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0; done < count; done++) {
            int at = text.indexOf(old, start);
            if (at < 0) break;
            out.append(text, start, at).append(replacement);
            start = at + old.length();
        }
        return out.append(text.substring(start)).toString();
    }

    private static int count(String text, String part) {
        if (part.isEmpty()) return text.codePointCount(0, text.length()) + 1;
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) count++;
        return count;
    }

    private static String join(String separator, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> iterable) iterable.forEach(item -> parts.add(String.valueOf(item)));
        else if (items instanceof String text) text.codePoints().forEach(c -> parts.add(Character.toString(c)));
        return String.join(separator, parts);
    }

    /** Python indexing of a string by an integer, negative from the end; out of range is undefined. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (!(base instanceof String text)) return null;
        // Jinjava hands integer subscripts over as their decimal text.
        Integer index = property instanceof Integer || property instanceof Long ? (Integer) ((Number) property).intValue()
                : property instanceof String name && name.matches("-?\\d{1,9}") ? Integer.parseInt(name) : null;
        if (index == null) return null;
        context.setPropertyResolved(true);
        int[] chars = text.codePoints().toArray();
        int i = index < 0 ? chars.length + index : index;
        return i >= 0 && i < chars.length ? Character.toString(chars[i]) : null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
