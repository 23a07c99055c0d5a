package org.seemore.data.format;

/**
 * Values from a data file as they appear in error messages: cut to their start, so that a message stays
 * one readable line even when the value is a 6 KB base64 image sitting where a column name or a path
 * was expected.
 */
final class Quoting {
    /** Code points of a quoted value that a message keeps. */
    static final int VALUE_CHARS = 40;
    /** Code points of a path that a message keeps: enough to tell real paths apart. */
    static final int PATH_CHARS = 200;

    private Quoting() {}

    /** {@code 'value'}, or its first {@value #VALUE_CHARS} code points and an ellipsis inside the quotes. */
    static String quote(String value) {
        return value == null ? "null" : "'" + cut(value, VALUE_CHARS) + "'";
    }

    /** The path as text, cut after {@value #PATH_CHARS} code points. */
    static String path(Object path) {
        return cut(String.valueOf(path), PATH_CHARS);
    }

    private static String cut(String text, int codePoints) {
        if (text.codePointCount(0, text.length()) <= codePoints) return text;
        return text.substring(0, text.offsetByCodePoints(0, codePoints)) + "…";
    }
}
