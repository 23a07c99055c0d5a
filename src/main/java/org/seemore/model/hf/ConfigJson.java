package org.seemore.model.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.seemore.UserException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One JSON object of a Hugging Face config file, read key by key. A key that is absent, or null as
 * {@code save_pretrained} writes unset values, takes the caller's default (the HF class default).
 * Every error is a one-line {@link UserException} naming the file and the key's path, such as
 * {@code .../config.json: text_config.hidden_size: expected a positive integer, got "64"}.
 *
 * @param file the file, for messages
 * @param path the object's key path in the file ({@code ""} at the top, {@code "text_config."} below)
 */
record ConfigJson(Path file, String path, JsonNode node) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Reads {@code file}, which must hold a JSON object. */
    static ConfigJson read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserException(file + ": no such file");
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UserException(file + ": not valid JSON: " + e.getOriginalMessage().replace('\n', ' '));
        }
        if (node == null || !node.isObject()) throw new UserException(file + ": not a JSON object");
        return new ConfigJson(file, "", node);
    }

    /** True when {@code key} is present and not null. */
    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** True when {@code key} is present, even as null. */
    boolean present(String key) {
        return node.has(key);
    }

    /** The nested object at {@code key}, or empty when absent or null. */
    Optional<ConfigJson> child(String key) {
        if (!has(key)) return Optional.empty();
        JsonNode value = node.get(key);
        if (!value.isObject()) throw error(key, "expected a JSON object, got " + value);
        return Optional.of(new ConfigJson(file, path + key + ".", value));
    }

    /** The object {@code key} stands for when it is absent: {@code values} (often none), every other key at its default. */
    ConfigJson absent(String key, Map<String, Integer> values) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        values.forEach(object::put);
        return new ConfigJson(file, path + key + ".", object);
    }

    /** An integer; JSON numbers with an integral value (64 or 64.0) count. */
    int integer(String key, int fallback) {
        if (!has(key)) return fallback;
        JsonNode value = node.get(key);
        if (!value.isNumber() || value.doubleValue() != Math.rint(value.doubleValue()) || !value.canConvertToInt()) {
            throw error(key, "expected an integer, got " + value);
        }
        return value.intValue();
    }

    /** A positive integer. */
    int positive(String key, int fallback) {
        int value = integer(key, fallback);
        if (value <= 0) throw error(key, "expected a positive integer, got " + value);
        return value;
    }

    /** A positive integer that must be present. */
    int requiredPositive(String key) {
        if (!has(key)) throw error(key, "missing (a positive integer)");
        return positive(key, 0);
    }

    /** A finite number. */
    double number(String key, double fallback) {
        if (!has(key)) return fallback;
        JsonNode value = node.get(key);
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) throw error(key, "expected a number, got " + value);
        return value.doubleValue();
    }

    /** A number greater than zero. */
    double positiveNumber(String key, double fallback) {
        double value = number(key, fallback);
        if (!(value > 0)) throw error(key, "expected a number greater than 0, got " + value);
        return value;
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) return fallback;
        JsonNode value = node.get(key);
        if (!value.isBoolean()) throw error(key, "expected true or false, got " + value);
        return value.booleanValue();
    }

    String string(String key, String fallback) {
        if (!has(key)) return fallback;
        JsonNode value = node.get(key);
        if (!value.isTextual()) throw error(key, "expected a string, got " + value);
        return value.textValue();
    }

    /**
     * Token ids: one integer or a list of them ({@code eos_token_id} of Llama 3.1 is a list). Absent
     * gives {@code fallback}; an explicit null means none, as it does to transformers.
     */
    List<Integer> tokenIds(String key, List<Integer> fallback) {
        if (!present(key)) return fallback;
        JsonNode value = node.get(key);
        if (value.isNull()) return List.of();
        List<Integer> ids = new ArrayList<>();
        for (JsonNode id : value.isArray() ? value : List.of(value)) {
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw error(key, "expected a token id (an integer >= 0) or a list of them, got " + value);
            }
            ids.add(id.intValue());
        }
        return List.copyOf(ids);
    }

    /** A one-line error about {@code key} of this object. */
    UserException error(String key, String message) {
        return new UserException(file + ": " + path + key + ": " + message);
    }

    /** A one-line error about this object as a whole (the message says which keys). */
    UserException error(String message) {
        return new UserException(file + ": " + (path.isEmpty() ? "" : path.substring(0, path.length() - 1) + ": ") + message);
    }
}
