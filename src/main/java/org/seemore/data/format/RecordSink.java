package org.seemore.data.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.UserException;
import org.seemore.data.Example;

/**
 * Collects the examples a {@link DatasetFormat} reads from one file. A bad record either stops the load
 * with a {@link UserException} naming the file and line, or, when skipping was asked for, is counted and
 * its reason kept.
 */
public final class RecordSink {
    private final Path file;
    private final boolean skipBad;
    private final List<Example> examples = new ArrayList<>();
    private final List<String> skippedReasons = new ArrayList<>();

    public RecordSink(Path file, boolean skipBad) {
        this.file = file;
        this.skipBad = skipBad;
    }

    /** The {@code file:line} an example or error message refers to. */
    public String origin(long line) {
        return file + ":" + line;
    }

    public void add(Example example) {
        examples.add(example);
    }

    /** Reports the record starting on {@code line} as bad: fatal, or skipped and counted. */
    public void bad(long line, String reason) {
        String message = origin(line) + ": " + reason;
        if (!skipBad) throw new UserException(message);
        skippedReasons.add(message);
    }

    /** An error that no record-skipping can recover from (a bad header, a broken file), to be thrown. */
    public UserException fatal(long line, String reason) {
        return new UserException(origin(line) + ": " + reason);
    }

    /** An error about the whole file, to be thrown. */
    public UserException fatal(String reason) {
        return new UserException(file + ": " + reason);
    }

    public LoadedDataset finish() {
        return new LoadedDataset(examples, skippedReasons.size(), skippedReasons);
    }
}
