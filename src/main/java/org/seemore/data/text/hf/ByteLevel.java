package org.seemore.data.text.hf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level alphabet: every byte gets a printable character (OpenAI's {@code bytes_to_unicode}),
 * so that BPE works on any UTF-8 text without an unknown token. The bytes {@code !..~}, {@code ¡..¬} and
 * {@code ®..ÿ} stand for themselves; the other 68 bytes, in increasing order, become U+0100, U+0101, ...
 * (the space 0x20 is {@code Ġ}, the newline 0x0A is {@code Ċ}).
 */
final class ByteLevel {
    /**
     * GPT-2's pre-tokenizer regex, as {@code tokenizers} runs it (Oniguruma; the same as Python {@code regex}
     * here): contractions, letters, digits and other characters each with an optional leading space, then
     * whitespace. {@code \s+(?!\S)} leaves the last space of a run to the word that follows. Java needs
     * {@link Pattern#UNICODE_CHARACTER_CLASS} for {@code \s} to mean Unicode whitespace.
     */
    static final Pattern GPT2_PATTERN = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The byte of each alphabet character, indexed by the character; -1 for other characters. */
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {}

    /** {@code text}'s UTF-8 bytes, each written as its alphabet character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /** The character that stands for byte {@code b}. */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /**
     * Appends the bytes a token stands for. A token with a character outside the alphabet (an added token
     * such as {@code <|im_start|>} with non-alphabet text) contributes its own UTF-8 bytes, as the tokenizers
     * library does.
     */
    static void appendBytes(String token, ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = 0; i < token.length(); i++) out.write(CHAR_TO_BYTE[token.charAt(i)]);
    }
}
