package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.seemore.UserException;

/**
 * Reads the fields of one {@code tokenizer.json}, turning every problem into a one-line
 * {@link UserException} that names the file and the component.
 */
final class Spec {
    private final Path file;

    Spec(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    UserException fail(String reason) {
        return new UserException(file + ": " + reason);
    }

    /** A component's {@code type}, which must be one of {@code supported}. */
    String type(JsonNode node, String component, List<String> supported) {
        if (!node.isObject()) throw fail(component + " must be a JSON object, not " + node);
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) throw fail(component + " has no \"type\"");
        if (!supported.contains(type.textValue())) {
            throw fail(component + " type \"" + type.textValue() + "\" is not supported (supported: " + String.join(", ", supported) + ")");
        }
        return type.textValue();
    }

    String text(JsonNode node, String field, String component) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) throw fail(component + " needs a string \"" + field + "\"");
        return value.textValue();
    }

    /** A string field that may be absent or null. */
    String optionalText(JsonNode node, String field, String component) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw fail(component + " field \"" + field + "\" must be a string or null");
        return value.textValue();
    }

    boolean bool(JsonNode node, String field, boolean absent, String component) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return absent;
        if (!value.isBoolean()) throw fail(component + " field \"" + field + "\" must be true or false");
        return value.booleanValue();
    }

    int integer(JsonNode node, String field, String component) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) throw fail(component + " needs an integer \"" + field + "\"");
        return value.intValue();
    }

    /** A single character field (Metaspace's replacement, Strip's content). */
    int character(JsonNode node, String field, String component) {
        String text = text(node, field, component);
        if (text.codePointCount(0, text.length()) != 1) throw fail(component + " field \"" + field + "\" must be one character");
        return text.codePointAt(0);
    }

    JsonNode array(JsonNode node, String field, String component) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) throw fail(component + " needs a list \"" + field + "\"");
        return value;
    }

    /** A {@code {"String": "..."}} or {@code {"Regex": "..."}} pattern. */
    TextPattern pattern(JsonNode node, String component) {
        JsonNode pattern = node.get("pattern");
        if (pattern != null && pattern.isObject()) {
            if (pattern.get("String") != null && pattern.get("String").isTextual()) return TextPattern.literal(pattern.get("String").textValue());
            if (pattern.get("Regex") != null && pattern.get("Regex").isTextual()) {
                String regex = pattern.get("Regex").textValue();
                try {
                    return TextPattern.regex(regex);
                } catch (PatternSyntaxException e) {
                    throw fail(component + " regex " + regex + " does not compile: " + e.getDescription());
                }
            }
        }
        throw fail(component + " needs a \"pattern\" of the form {\"String\": ...} or {\"Regex\": ...}");
    }

    /** Compiles an Oniguruma-style regex from a tokenizer.json as Java needs it: {@code \s}, {@code \w}, {@code \d} Unicode-aware. */
    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
