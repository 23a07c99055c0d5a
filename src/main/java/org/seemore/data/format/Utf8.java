package org.seemore.data.format;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strict UTF-8 decoding (malformed bytes are errors, never replaced), on byte ranges whose line is
 * known, so that errors can name the line: a {@code Reader} decodes ahead of the line it returns.
 */
final class Utf8 {
    private Utf8() {}

    static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Decodes {@code bytes[offset, offset + length)}; throws when they are not valid UTF-8. */
    static String decode(CharsetDecoder decoder, byte[] bytes, int offset, int length) throws CharacterCodingException {
        if (isAscii(bytes, offset, length)) return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
        return decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
    }

    /** The 1-based line holding the first malformed byte of {@code bytes}, or 0 when they are valid UTF-8. */
    static long firstMalformedLine(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        CharsetDecoder decoder = strictDecoder();
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) return lineOf(bytes, in.position());
            if (result.isUnderflow()) {
                if (decoder.flush(out.clear()).isError()) return lineOf(bytes, in.position());
                return 0;
            }
            out.clear();
        }
    }

    private static long lineOf(byte[] bytes, int position) {
        long line = 1;
        for (int i = 0; i < position; i++) if (bytes[i] == '\n') line++;
        return line;
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) if (bytes[i] < 0) return false;
        return true;
    }

    /** A growable byte array, for lines and fields whose length is not known in advance. */
    static final class ByteBuilder {
        private byte[] bytes = new byte[256];
        private int length;

        void append(byte b) {
            if (length == bytes.length) bytes = Arrays.copyOf(bytes, bytes.length * 2);
            bytes[length++] = b;
        }

        void append(byte[] source, int from, int to) {
            int count = to - from;
            if (length + count > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
            System.arraycopy(source, from, bytes, length, count);
            length += count;
        }

        int length() {
            return length;
        }

        byte[] bytes() {
            return bytes;
        }

        void clear() {
            length = 0;
        }
    }
}
