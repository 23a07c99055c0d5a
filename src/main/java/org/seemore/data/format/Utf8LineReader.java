package org.seemore.data.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;

/**
 * Reads lines of strict UTF-8 from a byte stream, ended by {@code \n} or {@code \r\n}, knowing which
 * line a decoding error is on. A leading byte-order mark is dropped.
 */
final class Utf8LineReader implements Closeable {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private final Utf8.ByteBuilder line = new Utf8.ByteBuilder();
    private final CharsetDecoder decoder = Utf8.strictDecoder();
    private int position;
    private int limit;
    private long lineNumber;

    Utf8LineReader(InputStream in) {
        this.in = in;
    }

    /** The number of the line last returned (1-based). */
    long lineNumber() {
        return lineNumber;
    }

    /**
     * The next line without its terminator, or null at the end of the input.
     *
     * @throws CharacterCodingException when the line is not valid UTF-8; {@link #lineNumber()} names it
     */
    String readLine() throws IOException {
        line.clear();
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) return null;
                    break;
                }
            }
            any = true;
            int end = position;
            while (end < limit && buffer[end] != '\n') end++;
            line.append(buffer, position, end);
            if (end < limit) {
                position = end + 1;
                break;
            }
            position = limit;
        }
        lineNumber++;
        int length = line.length();
        if (length > 0 && line.bytes()[length - 1] == '\r') length--;
        int start = 0;
        if (lineNumber == 1 && length >= 3 && (line.bytes()[0] & 0xFF) == 0xEF
                && (line.bytes()[1] & 0xFF) == 0xBB && (line.bytes()[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        return Utf8.decode(decoder, line.bytes(), start, length - start);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
