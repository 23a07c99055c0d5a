package org.seemore.data.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

/**
 * The original seemore CSV: a header naming the columns {@code b64string_images} (a base64-encoded image)
 * and {@code caption}, in any order, then one record per image. Other columns are ignored; RFC 4180
 * quoting as read by {@link CsvReader}. Every record must have as many fields as the header.
 *
 * <pre>
 * b64string_images,caption
 * iVBORw0KGgo...,"A red ball, left of a blue cube"
 * </pre>
 */
public record CsvFormat() implements DatasetFormat {
    /** The column holding the base64-encoded image. */
    public static final String IMAGE_COLUMN = "b64string_images";
    /** The column holding the caption. */
    public static final String CAPTION_COLUMN = "caption";

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public List<String> extensions() {
        return List.of("csv");
    }

    @Override
    public void read(Path file, Path imageRoot, RecordSink sink) throws IOException {
        try (CsvReader reader = new CsvReader(Files.newInputStream(file))) {
            CsvReader.CsvRecord header = reader.next();
            if (header == null) {
                throw sink.fatal("the file is empty; expected a header with the columns " + IMAGE_COLUMN + "," + CAPTION_COLUMN);
            }
            if (header.error() != null) throw sink.fatal(header.line(), "bad header: " + header.error());
            List<String> columns = columnNames(header);
            int imageColumn = columnIndex(columns, IMAGE_COLUMN, header.line(), sink);
            int captionColumn = columnIndex(columns, CAPTION_COLUMN, header.line(), sink);
            for (CsvReader.CsvRecord record = reader.next(); record != null; record = reader.next()) {
                try {
                    sink.add(toExample(record, columns.size(), imageColumn, captionColumn, sink.origin(record.line())));
                } catch (BadRecordException e) {
                    sink.bad(record.line(), e.getMessage());
                }
            }
        } catch (CsvReader.UnterminatedQuoteException e) {
            throw sink.fatal(e.line, e.getMessage());
        }
    }

    private static Example toExample(CsvReader.CsvRecord record, int columnCount, int imageColumn, int captionColumn,
                                     String origin) {
        if (record.error() != null) throw new BadRecordException(record.error());
        if (record.fields().size() != columnCount) {
            throw new BadRecordException("the record has " + record.fields().size() + " field(s) but the header has "
                    + columnCount + " column(s)");
        }
        String caption = record.fields().get(captionColumn);
        if (caption.isBlank()) throw new BadRecordException("column '" + CAPTION_COLUMN + "' is empty");
        ImageSource image = ImageFields.base64(origin, IMAGE_COLUMN, record.fields().get(imageColumn));
        return Example.caption(origin, image, caption);
    }

    private static List<String> columnNames(CsvReader.CsvRecord header) {
        List<String> names = new ArrayList<>();
        for (String name : header.fields()) names.add(name.replace("\uFEFF", "").strip());
        return names;
    }

    private static int columnIndex(List<String> columns, String name, long line, RecordSink sink) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw sink.fatal(line, "the header has no column '" + name + "' (it has: "
                    + String.join(", ", columns.stream().map(Quoting::quote).toList())
                    + "); the first line must be a header naming the columns " + IMAGE_COLUMN + " and " + CAPTION_COLUMN
                    + ", e.g. " + IMAGE_COLUMN + "," + CAPTION_COLUMN);
        }
        if (columns.lastIndexOf(name) != index) throw sink.fatal(line, "the header names column " + Quoting.quote(name) + " twice");
        return index;
    }
}
