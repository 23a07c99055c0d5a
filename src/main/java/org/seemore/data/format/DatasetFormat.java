package org.seemore.data.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A dataset file format: reads one file and hands each record to a {@link RecordSink}, reporting bad
 * records through {@link RecordSink#bad} so the caller decides whether they are fatal or skipped.
 */
public interface DatasetFormat {
    /** The name given to {@code --format}, e.g. {@code "jsonl"}. */
    String name();

    /** The file extensions (lower case, without the dot) that select this format. */
    List<String> extensions();

    /**
     * Reads {@code file}, adding its examples to {@code sink}.
     *
     * @param imageRoot the directory that relative image paths are resolved against
     * @throws IOException when the file cannot be read; formats translate what they can into
     *                     {@link org.seemore.UserException}s naming the file and line
     */
    void read(Path file, Path imageRoot, RecordSink sink) throws IOException;
}
