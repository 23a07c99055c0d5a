package org.seemore.parity.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seemore.UserException;

/**
 * A JSONL file of fixture cases (tokenizer-cases.jsonl, cases.jsonl), one object a line, with the
 * typed reads the folder kinds need; every problem names the file and line.
 */
public record CaseFile(Path file, List<Case> cases) {
    public static final JsonMapper JSON = JsonMapper.builder().build();

    /** One line's object. */
    public record Case(Path file, int line, JsonNode node) {
        public boolean has(String field) {
            return node.hasNonNull(field);
        }

        private JsonNode field(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) throw error("no \"" + field + "\"");
            return value;
        }

        public String text(String field) {
            JsonNode value = field(field);
            if (!value.isTextual()) throw error("\"" + field + "\" is not a string");
            return value.textValue();
        }

        public boolean bool(String field) {
            JsonNode value = field(field);
            if (!value.isBoolean()) throw error("\"" + field + "\" is not true or false");
            return value.booleanValue();
        }

        public int[] ints(String field) {
            JsonNode value = field(field);
            if (!value.isArray()) throw error("\"" + field + "\" is not a list of integers");
            int[] out = new int[value.size()];
            for (int i = 0; i < out.length; i++) {
                if (!value.get(i).canConvertToInt()) throw error("\"" + field + "\" holds " + value.get(i) + ", not an integer");
                out[i] = value.get(i).intValue();
            }
            return out;
        }

        public List<String> strings(String field) {
            JsonNode value = field(field);
            if (!value.isArray()) throw error("\"" + field + "\" is not a list of strings");
            List<String> out = new ArrayList<>();
            for (JsonNode v : value) {
                if (!v.isTextual()) throw error("\"" + field + "\" holds " + v + ", not a string");
                out.add(v.textValue());
            }
            return out;
        }

        public JsonNode node(String field) {
            return field(field);
        }

        /** A short label for reports: the line number and, when it has one, the case's text. */
        public String label() {
            return "line " + line + (node.has("text") ? " " + abbreviated(node.get("text").toString()) : "");
        }

        public UserException error(String message) {
            return new UserException(file + ":" + line + ": " + message);
        }
    }

    /** Reads every non-blank line of {@code file}; a missing file or a line that is not a JSON object is a one-line error. */
    public static CaseFile read(Path file) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(file);
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new UserException(file + ":" + (i + 1) + ": not JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject()) throw new UserException(file + ":" + (i + 1) + ": expected a JSON object, got " + abbreviated(node.toString()));
            cases.add(new Case(file, i + 1, node));
        }
        if (cases.isEmpty()) throw new UserException(file + ": no cases");
        return new CaseFile(file, cases);
    }

    static String abbreviated(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }
}
