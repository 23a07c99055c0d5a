package org.seemore.data.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    /** Reads all records; with {@code oneByteAtATime}, every buffer refill yields a single byte. */
    private static List<CsvReader.CsvRecord> parse(String csv, boolean oneByteAtATime) throws IOException {
        ByteArrayInputStream bytes = new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8));
        InputStream in = !oneByteAtATime ? bytes : new InputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return bytes.read(b, off, Math.min(len, 1));
            }
        };
        List<CsvReader.CsvRecord> records = new ArrayList<>();
        try (CsvReader reader = new CsvReader(in)) {
            for (CsvReader.CsvRecord r = reader.next(); r != null; r = reader.next()) records.add(r);
        }
        return records;
    }

    @ParameterizedTest(name = "oneByteAtATime={0}")
    @ValueSource(booleans = {false, true})
    void quotedCommasNewlinesAndDoubledQuotes(boolean oneByteAtATime) throws IOException {
        String csv = "a,b\r\n"
                + "\"x, y\",\"line1\nline2\r\nline3\"\n"
                + "\"say \"\"hi\"\"\",plain\r\n"
                + "\"\",\"\"\"\"\n"
                + ",\n"
                + "last,\"no newline at end\"";

        List<CsvReader.CsvRecord> records = parse(csv, oneByteAtATime);

        assertThat(records).extracting(CsvReader.CsvRecord::fields).containsExactly(
                List.of("a", "b"),
                List.of("x, y", "line1\nline2\r\nline3"),
                List.of("say \"hi\"", "plain"),
                List.of("", "\""),
                List.of("", ""),
                List.of("last", "no newline at end"));
        assertThat(records).extracting(CsvReader.CsvRecord::line).containsExactly(1L, 2L, 5L, 6L, 7L, 8L);
        assertThat(records).allSatisfy(r -> assertThat(r.error()).isNull());
    }

    @Test
    void blankLinesAreSkippedButCounted() throws IOException {
        List<CsvReader.CsvRecord> records = parse("h1,h2\n\n\r\n\nx,y\n\n", false);

        assertThat(records).extracting(CsvReader.CsvRecord::line).containsExactly(1L, 5L);
        assertThat(records.get(1).fields()).containsExactly("x", "y");
    }

    @Test
    void loneCarriageReturnEndsARecordAndALine() throws IOException {
        List<CsvReader.CsvRecord> records = parse("a,b\rc,d\r\"e\rf\",g\rh,i", false);

        assertThat(records).extracting(CsvReader.CsvRecord::fields)
                .containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e\rf", "g"), List.of("h", "i"));
        assertThat(records).extracting(CsvReader.CsvRecord::line).containsExactly(1L, 2L, 3L, 5L);
    }

    @Test
    void quoteInsideAnUnquotedFieldIsAnOrdinaryCharacter() throws IOException {
        assertThat(parse("5\" tall,it's\n", false).getFirst().fields()).containsExactly("5\" tall", "it's");
    }

    @Test
    void textAfterAClosingQuoteMarksOnlyThatRecordBad() throws IOException {
        List<CsvReader.CsvRecord> records = parse("\"ab\"cd,e\nf,g\n", false);

        assertThat(records.get(0).error()).contains("unexpected text after the closing quote of field 1");
        assertThat(records.get(1).fields()).containsExactly("f", "g");
        assertThat(records.get(1).error()).isNull();
        assertThat(records.get(1).line()).isEqualTo(2);
    }

    @Test
    void invalidUtf8MarksOnlyThatRecordBad() throws IOException {
        byte[] bytes = {'a', ',', (byte) 0xFF, '\n', 'b', ',', 'c', '\n'};
        List<CsvReader.CsvRecord> records = new ArrayList<>();
        try (CsvReader reader = new CsvReader(new ByteArrayInputStream(bytes))) {
            for (CsvReader.CsvRecord r = reader.next(); r != null; r = reader.next()) records.add(r);
        }

        assertThat(records.get(0).error()).isEqualTo("field 2 is not valid UTF-8 text");
        assertThat(records.get(1).fields()).containsExactly("b", "c");
    }

    @Test
    void unterminatedQuoteNamesTheLineTheRecordStartsOn() {
        assertThatThrownBy(() -> parse("a,b\nok,fine\nx,\"never\nclosed\n,\n", false))
                .isInstanceOfSatisfying(CsvReader.UnterminatedQuoteException.class,
                        e -> assertThat(e.line).isEqualTo(3));
    }

    @Test
    void multiMegabyteQuotedFieldWithEmbeddedQuotesAndNewlines() throws IOException {
        StringBuilder big = new StringBuilder();
        int i = 0;
        while (big.length() < 3_000_000) {
            big.append("chunk ").append(i++).append(i % 1000 == 0 ? "\n" : i % 777 == 0 ? "\"" : ",");
        }
        String value = big.toString();
        long newlines = value.chars().filter(c -> c == '\n').count();
        String csv = "h,v\nbig,\"" + value.replace("\"", "\"\"") + "\"\nafter,x\n";

        List<CsvReader.CsvRecord> records = parse(csv, false);

        assertThat(records).hasSize(3);
        assertThat(records.get(1).fields().get(1)).isEqualTo(value);
        assertThat(records.get(2).fields()).containsExactly("after", "x");
        assertThat(records.get(2).line()).isEqualTo(3 + newlines);
    }
}
