package org.seemore.data.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Hugging Face tokenizer and chat-template fixtures copied from shared/fixtures/hf into the test resources. */
public final class HfFixtures {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private HfFixtures() {}

    /** A fixture folder, e.g. {@code gpt2-tokenizer}. */
    public static Path dir(String name) {
        URL url = HfFixtures.class.getResource("/fixtures/hf/" + name);
        if (url == null) throw new IllegalStateException("fixture " + name + " is missing from src/test/resources/fixtures/hf");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every line of a JSONL fixture file, parsed. */
    public static List<JsonNode> lines(Path file) {
        try {
            List<JsonNode> cases = new ArrayList<>();
            for (String line : Files.readAllLines(file)) if (!line.isBlank()) cases.add(JSON.readTree(line));
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) values[i] = array.get(i).intValue();
        return values;
    }

    public static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.textValue()));
        return values;
    }
}
