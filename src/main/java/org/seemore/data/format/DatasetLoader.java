package org.seemore.data.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.seemore.UserException;

/**
 * Reads a dataset file in the format named by the caller, or else the one its extension implies:
 * {@code .jsonl} → jsonl, {@code .csv} → csv, {@code .json} → llava, {@code .txt} → text.
 */
public final class DatasetLoader {
    /** The known formats, in the order they are listed to the user. */
    public static final List<DatasetFormat> FORMATS =
            List.of(new JsonlFormat(), new CsvFormat(), new LlavaFormat(), new TextFormat());

    private DatasetLoader() {}

    /**
     * Loads every example of {@code file}.
     *
     * @param format    a format name ({@code jsonl|csv|llava|text}), or empty to choose by extension
     * @param imageRoot the directory relative image paths are resolved against; null for the file's directory
     * @param skipBad   skip and count bad records instead of failing on the first; a missing file, a bad
     *                  header or a broken file are fatal either way
     * @throws UserException naming the file (and line) when the file or a record is bad, or when no
     *                       usable record is left
     */
    public static LoadedDataset load(Path file, Optional<String> format, Path imageRoot, boolean skipBad) {
        DatasetFormat chosen = formatFor(file, format);
        if (!Files.exists(file)) throw new UserException("data file not found: " + file);
        if (!Files.isRegularFile(file)) throw new UserException("data file is not a regular file: " + file);
        if (!Files.isReadable(file)) throw new UserException("data file is not readable: " + file);
        Path root = imageRoot != null ? imageRoot : file.toAbsolutePath().getParent();
        if (!Files.isDirectory(root)) throw new UserException("image root is not a directory: " + root);
        RecordSink sink = new RecordSink(file, skipBad);
        try {
            chosen.read(file, root, sink);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        LoadedDataset dataset = sink.finish();
        if (dataset.examples().isEmpty()) {
            throw new UserException(file + ": no usable records" + (dataset.skipped() == 0 ? ""
                    : " (" + dataset.skipped() + " skipped, the first: " + dataset.skippedReasons().getFirst() + ")"));
        }
        return dataset;
    }

    /** The format named by {@code format}, or else implied by the file's extension. */
    public static DatasetFormat formatFor(Path file, Optional<String> format) {
        if (format.isPresent()) {
            String name = format.get().strip().toLowerCase(Locale.ROOT);
            return FORMATS.stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UserException("unknown --format '" + format.get() + "' for " + file
                            + "; known formats: " + knownFormats()));
        }
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return FORMATS.stream().filter(f -> f.extensions().contains(extension)).findFirst()
                .orElseThrow(() -> new UserException("cannot tell the format of " + file + " from its extension;"
                        + " use " + knownExtensions() + ", or give --format, one of: " + knownFormats()));
    }

    private static String knownExtensions() {
        return FORMATS.stream().flatMap(f -> f.extensions().stream()).map(e -> "." + e).collect(Collectors.joining(", "));
    }

    /** The format names, e.g. {@code "jsonl, csv, llava, text"}. */
    public static String knownFormats() {
        return FORMATS.stream().map(DatasetFormat::name).collect(Collectors.joining(", "));
    }
}
