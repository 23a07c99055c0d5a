package org.seemore.data.text.hf;

/** Character classes as Rust's {@code char} methods and regex classes define them, which the tokenizers library uses. */
final class Unicode {
    private Unicode() {}

    /**
     * Unicode's White_Space property (Rust's {@code char::is_whitespace} and regex {@code \s}). Java's
     * {@link Character#isWhitespace} differs: it leaves out the no-break spaces and counts U+001C..U+001F.
     */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
                || c == 0x3000;
    }

    /** Rust regex {@code \w}: letters, marks, decimal digits, connector punctuation and the joiners. */
    static boolean isWordChar(int c) {
        if (Character.isAlphabetic(c) || Character.isDigit(c) || c == 0x200C || c == 0x200D) return true;
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK || type == Character.CONNECTOR_PUNCTUATION;
    }

    /** Rust's {@code char::is_numeric}: the general categories Nd, Nl and No. */
    static boolean isNumeric(int c) {
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** The tokenizers library's punctuation: ASCII punctuation or a character of a Unicode punctuation category. */
    static boolean isPunctuation(int c) {
        if (c < 0x80) return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
