package org.seemore.data.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.seemore.data.Example;
import org.seemore.data.image.ImageSource;

/**
 * JSON Lines manifest: one JSON object a line, blank lines ignored. Each object has an image, as
 * {@code "image"} (a path, relative to the image root: by default the manifest's directory) or
 * {@code "image_base64"}, and text, as {@code "caption"} or as {@code "prompt"} plus {@code "answer"}
 * (an instruction pair). Other fields are ignored.
 *
 * <pre>{@code
 * {"image": "images/cat.png", "caption": "a cat on a mat"}
 * {"image_base64": "iVBORw0KGgo...", "prompt": "What colour is the ball?", "answer": "red"}
 * }</pre>
 */
public record JsonlFormat() implements DatasetFormat {
    @Override
    public String name() {
        return "jsonl";
    }

    @Override
    public List<String> extensions() {
        return List.of("jsonl");
    }

    @Override
    public void read(Path file, Path imageRoot, RecordSink sink) throws IOException {
        try (Utf8LineReader reader = new Utf8LineReader(Files.newInputStream(file))) {
            while (true) {
                String line;
                try {
                    line = reader.readLine();
                } catch (CharacterCodingException e) {
                    throw sink.fatal(reader.lineNumber(), "not valid UTF-8 text");
                }
                if (line == null) break;
                long lineNumber = reader.lineNumber();
                if (line.isBlank()) continue;
                try {
                    sink.add(toExample(line, sink.origin(lineNumber), imageRoot));
                } catch (BadRecordException e) {
                    sink.bad(lineNumber, e.getMessage());
                }
            }
        }
    }

    private static Example toExample(String line, String origin, Path imageRoot) {
        JsonNode object;
        try {
            object = JsonFields.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadRecordException("malformed JSON: " + JsonFields.oneLine(e));
        }
        if (!object.isObject()) {
            throw new BadRecordException("expected a JSON object, found " + JsonFields.describe(object));
        }
        ImageSource image = image(object, origin, imageRoot);
        String caption = JsonFields.optionalString(object, "caption");
        String prompt = JsonFields.optionalString(object, "prompt");
        String answer = JsonFields.optionalString(object, "answer");
        if (caption != null) {
            if (prompt != null || answer != null) {
                throw new BadRecordException("give either 'caption' or 'prompt' and 'answer', not both");
            }
            if (caption.isBlank()) throw new BadRecordException("field 'caption' is empty");
            return Example.caption(origin, image, caption);
        }
        if (prompt == null && answer == null) {
            throw new BadRecordException("missing text: give 'caption', or 'prompt' and 'answer'");
        }
        if (prompt == null) throw new BadRecordException("missing field 'prompt' (it goes with 'answer')");
        if (answer == null) throw new BadRecordException("missing field 'answer' (it goes with 'prompt')");
        if (answer.isBlank()) throw new BadRecordException("field 'answer' is empty");
        return new Example(origin, image, prompt, answer);
    }

    private static ImageSource image(JsonNode object, String origin, Path imageRoot) {
        String path = JsonFields.optionalString(object, "image");
        String base64 = JsonFields.optionalString(object, "image_base64");
        if (path != null && base64 != null) {
            throw new BadRecordException("give either 'image' or 'image_base64', not both");
        }
        if (path != null) return ImageFields.file(imageRoot, path);
        if (base64 != null) return ImageFields.base64(origin, "image_base64", base64);
        throw new BadRecordException("missing image: give 'image' (a path) or 'image_base64'");
    }
}
