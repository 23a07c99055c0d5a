package org.seemore.data.format;

import java.nio.file.Path;
import java.util.List;

/**
 * Plain UTF-8 text for decoder-only language modelling, read as a {@link TextCorpus} and cut into
 * text-only examples of {@code chunkLength} code points each. A trainer that samples random windows should
 * read the {@link TextCorpus} directly instead.
 *
 * @param chunkLength code points per example
 */
public record TextFormat(int chunkLength) implements DatasetFormat {
    /** The chunk length used when the format is chosen by name or extension. */
    public static final int DEFAULT_CHUNK_LENGTH = 256;

    public TextFormat {
        if (chunkLength <= 0) throw new IllegalArgumentException("chunkLength must be positive, got " + chunkLength);
    }

    public TextFormat() {
        this(DEFAULT_CHUNK_LENGTH);
    }

    @Override
    public String name() {
        return "text";
    }

    @Override
    public List<String> extensions() {
        return List.of("txt");
    }

    @Override
    public void read(Path file, Path imageRoot, RecordSink sink) {
        TextCorpus.read(file).chunks(chunkLength).forEach(sink::add);
    }
}
