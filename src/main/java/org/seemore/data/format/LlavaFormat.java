package org.seemore.data.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

/**
 * LLaVA conversation JSON: a list of records
 * {@code {"id": ..., "image": "path", "conversations": [{"from": "human", "value": "<image>\n..."},
 * {"from": "gpt", "value": "..."}, ...]}}, image paths relative to the image root (by default the JSON
 * file's directory). Every record needs an image; turns must alternate human, gpt, human, gpt, ... and end
 * with a gpt turn. The list is read one record at a time, so errors name the line a record starts on.
 *
 * <p>Each gpt turn becomes one {@link Example} whose answer is that turn's text; only it counts in the
 * loss. Its prompt folds in every earlier turn, each followed by a newline, then the human turn it
 * answers: for turns H1, G1, H2, G2 the examples are {@code (prompt H1, answer G1)} and
 * {@code (prompt H1 + "\n" + G1 + "\n" + H2, answer G2)}. The {@code <image>} marker is removed from human
 * turns together with one newline next to it (the one after it, else the one before it).
 */
public record LlavaFormat() implements DatasetFormat {
    /** The placeholder LLaVA puts where the image goes in a human turn. */
    public static final String IMAGE_MARKER = "<image>";

    @Override
    public String name() {
        return "llava";
    }

    @Override
    public List<String> extensions() {
        return List.of("json");
    }

    @Override
    public void read(Path file, Path imageRoot, RecordSink sink) throws IOException {
        try (JsonParser parser = JsonFields.MAPPER.createParser(Files.newInputStream(file))) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw sink.fatal(line(parser), "expected a JSON list of LLaVA conversation records");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token == null) throw sink.fatal(line(parser), "the list of records is not closed with ']'");
                long line = line(parser);
                JsonNode record = JsonFields.ELEMENT_READER.readTree(parser);
                List<Example> examples;
                try {
                    examples = toExamples(record, sink.origin(line), imageRoot);
                } catch (BadRecordException e) {
                    sink.bad(line, e.getMessage());
                    continue;
                }
                examples.forEach(sink::add);
            }
            if (parser.nextToken() != null) throw sink.fatal(line(parser), "unexpected content after the list of records");
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw sink.fatal(Math.max(line, 1), "malformed JSON: " + JsonFields.oneLine(e));
        }
    }

    private static long line(JsonParser parser) {
        return Math.max(parser.currentTokenLocation().getLineNr(), 1);
    }

    /** One example per gpt turn of the record; see the class comment for the prompt convention. */
    static List<Example> toExamples(JsonNode record, String origin, Path imageRoot) {
        if (!record.isObject()) {
            throw new BadRecordException("expected a conversation record (a JSON object), found " + JsonFields.describe(record));
        }
        if (JsonFields.optionalString(record, "image") == null) {
            throw new BadRecordException("missing field 'image': LLaVA records need an image");
        }
        ImageSource image = ImageFields.file(imageRoot, JsonFields.optionalString(record, "image"));
        JsonNode turns = record.get("conversations");
        if (turns == null || turns.isNull()) throw new BadRecordException("missing field 'conversations'");
        if (!turns.isArray()) {
            throw new BadRecordException("field 'conversations' must be a list, not " + JsonFields.describe(turns));
        }
        if (turns.isEmpty()) throw new BadRecordException("field 'conversations' is empty");
        List<Example> examples = new ArrayList<>();
        StringBuilder history = new StringBuilder();
        for (int i = 0; i < turns.size(); i++) {
            JsonNode turn = turns.get(i);
            String expected = i % 2 == 0 ? "human" : "gpt";
            String where = "turn " + (i + 1);
            if (!turn.isObject()) throw new BadRecordException(where + " must be an object with 'from' and 'value'");
            String from = JsonFields.optionalString(turn, "from");
            if (!expected.equals(from)) {
                throw new BadRecordException(where + " is from " + Quoting.quote(from) + " but should be from '" + expected
                        + "' (turns alternate human, gpt, ...)");
            }
            String value = JsonFields.optionalString(turn, "value");
            if (value == null) throw new BadRecordException(where + " has no 'value'");
            if (expected.equals("human")) {
                history.append(withoutImageMarker(value));
            } else {
                if (value.isBlank()) throw new BadRecordException(where + " (gpt) is empty");
                examples.add(new Example(origin, image, history.toString(), value));
                history.append('\n').append(value).append('\n');
            }
        }
        if (turns.size() % 2 != 0) {
            throw new BadRecordException("the conversation ends with a human turn that has no gpt answer");
        }
        return examples;
    }

    /** The human text without the {@code <image>} marker and one newline next to it. */
    static String withoutImageMarker(String text) {
        return text.replace(IMAGE_MARKER + "\n", "").replace("\n" + IMAGE_MARKER, "").replace(IMAGE_MARKER, "");
    }
}
