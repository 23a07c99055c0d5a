package org.seemore.data.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON reader shared by the JSON formats, and typed access to a record's fields. */
final class JsonFields {
    /** Strict: duplicate keys and trailing content are errors, not silently resolved. */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** For reading one value at a time from a longer stream, where more content follows each value. */
    static final ObjectReader ELEMENT_READER = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonFields() {}

    /** The string field {@code name} of {@code object}, or null when it is absent or JSON {@code null}. */
    static String optionalString(JsonNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) {
            throw new BadRecordException("field '" + name + "' must be a string, not " + describe(value));
        }
        return value.textValue();
    }

    /** A JSON node kind in words, for error messages. */
    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL, MISSING -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }

    /** Jackson's message without its location suffix, on one line and of bounded length. */
    static String oneLine(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        message = message.replaceAll("\\s+", " ").strip();
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
