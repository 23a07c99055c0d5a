package org.seemore.data.format;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 CSV parser over UTF-8 bytes: fields separated by commas, records by CRLF, LF or
 * CR; a field in double quotes may hold commas, line breaks (kept as they are) and doubled quotes
 * ({@code ""} for one {@code "}). A quote inside an unquoted field is kept as an ordinary character.
 * Blank lines are skipped. Fields may be megabytes long: the parser works a buffer at a time and keeps
 * only the current record.
 *
 * <p>It parses bytes rather than chars because every structural character is ASCII: each field is decoded
 * on its own, so a UTF-8 error spoils one record and names its line.
 */
final class CsvReader implements Closeable {
    /** One record, with the physical line it starts on; {@code error} says why it is malformed, or is null. */
    record CsvRecord(long line, List<String> fields, String error) {}

    /** A quoted field that runs to the end of the input: nothing after it can be parsed. */
    static final class UnterminatedQuoteException extends RuntimeException {
        final long line;

        UnterminatedQuoteException(long line) {
            super("unterminated quoted field: its closing quote is missing", null, false, false);
            this.line = line;
        }
    }

    private static final int EOF = -1;

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private final Utf8.ByteBuilder field = new Utf8.ByteBuilder();
    private final CharsetDecoder decoder = Utf8.strictDecoder();
    private int position;
    private int limit;
    private long line = 1;

    CsvReader(InputStream in) {
        this.in = in;
    }

    /** The next record, or null at the end of the input. */
    CsvRecord next() throws IOException {
        while (true) {
            int b = peek();
            if (b == EOF) return null;
            if (b == '\n' || b == '\r') {
                read();
                if (b == '\r' && peek() == '\n') read();
                continue;
            }
            return readRecord(line);
        }
    }

    private CsvRecord readRecord(long startLine) throws IOException {
        List<String> fields = new ArrayList<>();
        String error = null;
        while (true) {
            field.clear();
            int b = read();
            if (b == '"') {
                b = readQuotedRest(startLine);
                if (b != ',' && b != '\n' && b != '\r' && b != EOF) {
                    error = "unexpected text after the closing quote of field " + (fields.size() + 1)
                            + " (a quote inside a quoted field must be doubled)";
                    while (b != '\n' && b != '\r' && b != EOF) b = read();
                }
            } else {
                while (b != ',' && b != '\n' && b != '\r' && b != EOF) {
                    field.append((byte) b);
                    b = read();
                }
            }
            try {
                fields.add(Utf8.decode(decoder, field.bytes(), 0, field.length()));
            } catch (CharacterCodingException e) {
                fields.add("");
                if (error == null) error = "field " + fields.size() + " is not valid UTF-8 text";
            }
            if (b == ',') continue;
            if (b == '\r' && peek() == '\n') read();
            return new CsvRecord(startLine, fields, error);
        }
    }

    /** Reads a quoted field after its opening quote, up to and including the closing quote; returns the byte after. */
    private int readQuotedRest(long startLine) throws IOException {
        while (true) {
            int b = read();
            if (b == EOF) throw new UnterminatedQuoteException(startLine);
            if (b == '"') {
                if (peek() != '"') return read();
                read();
            }
            field.append((byte) b);
        }
    }

    /** The next byte, counting physical lines (LF, CRLF and a lone CR each end one), or EOF. */
    private int read() throws IOException {
        if (position == limit && !fill()) return EOF;
        int b = buffer[position++] & 0xFF;
        if (b == '\n' || (b == '\r' && peek() != '\n')) line++;
        return b;
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) return EOF;
        return buffer[position] & 0xFF;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
